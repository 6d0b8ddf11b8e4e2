"""Account services: applying the declared roles."""

import fnmatch
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from qualitas.accounts.roles import ROLES
from qualitas.core import audit
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.events import emit, register_event

register_event("roles.changed", "A role's permissions were changed to match the code")


def resolve_grants(grants, permissions):
    """The set of ``app_label.codename`` names that a role's grants give, from ``permissions``."""
    granted = set()
    for grant in grants:
        remove = grant.startswith("-")
        pattern = grant[1:] if remove else grant
        matched = {name for name in permissions if fnmatch.fnmatchcase(name, pattern)}
        granted = granted - matched if remove else granted | matched
    return granted


@dataclass
class RoleDiff:
    role: str
    exists: bool
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    members: int = 0
    total: int = 0

    @property
    def in_sync(self):
        return self.exists and not self.added and not self.removed


def all_permissions():
    rows = Permission.objects.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}": p for p in rows}


def plan_roles():
    """What ``apply_roles`` would change, per role, without changing anything."""
    permissions = all_permissions()
    diffs = []
    for role in ROLES:
        wanted = resolve_grants(role.grants, permissions)
        group = Group.objects.filter(name=role.name).first()
        current = set()
        if group is not None:
            current = {
                f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")
            }
        diffs.append(
            RoleDiff(
                role=role.name,
                exists=group is not None,
                added=sorted(wanted - current),
                removed=sorted(current - wanted),
                members=group.user_set.count() if group else 0,
                total=len(wanted),
            )
        )
    return diffs


@transaction.atomic
def apply_roles():
    """Make the role groups match ``roles.ROLES``. Every change is audited and logged as an event."""
    permissions = all_permissions()
    diffs = plan_roles()
    for diff in diffs:
        if diff.in_sync:
            continue
        group, created = Group.objects.get_or_create(name=diff.role)
        if diff.added:
            group.permissions.add(*(permissions[name] for name in diff.added))
        if diff.removed:
            group.permissions.remove(*(permissions[name] for name in diff.removed))
        changes = {"permissions": {"added": diff.added, "removed": diff.removed}}
        audit.record_change(
            group, ChangeActionChoices.CREATE if created else ChangeActionChoices.UPDATE, changes=changes
        )
        emit(
            "roles.changed",
            obj=group,
            message=f"Role {diff.role}: {len(diff.added)} permissions added, {len(diff.removed)} removed",
            data=changes,
        )
    return diffs
