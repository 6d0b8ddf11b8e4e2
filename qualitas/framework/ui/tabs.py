"""Detail-page tabs beyond the overview. Apps register tabs that apply to every record type
(history here; attachments and signatures when those services exist)."""

from dataclasses import dataclass


@dataclass
class Tab:
    name: str
    label: str
    url_suffix: str
    #: A callable (model) -> bool deciding whether the tab applies to a model.
    applies_to: object = None
    weight: int = 100


_tabs: list[Tab] = []


def register_tab(tab):
    _tabs.append(tab)
    _tabs.sort(key=lambda t: t.weight)


def tabs_for(model):
    return [tab for tab in _tabs if tab.applies_to is None or tab.applies_to(model)]
