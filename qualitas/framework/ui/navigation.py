"""The navigation menu, by module. Apps register only what exists; items are shown only to users
who hold the permission."""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None

    @property
    def url(self):
        return reverse(self.url_name)


@dataclass
class MenuGroup:
    label: str
    weight: int = 100
    items: list = field(default_factory=list)


_groups: dict[str, MenuGroup] = {}


def register_menu(group, items, weight=100):
    entry = _groups.setdefault(group, MenuGroup(label=group, weight=weight))
    entry.items.extend(items)


def menu_for(user):
    if not user.is_authenticated:
        return []
    groups = []
    for group in sorted(_groups.values(), key=lambda g: (g.weight, g.label)):
        items = [item for item in group.items if item.permission is None or user.has_perm(item.permission)]
        if items:
            groups.append(MenuGroup(label=group.label, weight=group.weight, items=items))
    return groups
