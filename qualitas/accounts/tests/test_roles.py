"""Roles are declared once in code and applied by setup_roles; every change is logged."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from qualitas.accounts import services
from qualitas.accounts.roles import ROLE_NAMES, ROLES
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_every_role_of_the_design_exists_after_migrate():
    assert set(ROLE_NAMES) == {
        "Admin",
        "QA Manager",
        "QA Inspector",
        "Production Manager",
        "Production Operator",
        "Document Controller",
        "Food Safety Team Leader",
        "Auditor",
        "Customer",
    }
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)
    assert all(diff.in_sync for diff in services.plan_roles())


def test_grants_resolve_with_wildcards_and_removals():
    permissions = {"a.view_x", "a.change_x", "b.view_y", "admin.view_logentry"}
    assert services.resolve_grants(("*.view_*", "-admin.*"), permissions) == {"a.view_x", "b.view_y"}
    assert services.resolve_grants(("a.*",), permissions) == {"a.view_x", "a.change_x"}


def test_auditor_reads_everything_and_changes_nothing():
    auditor = make_user(role="Auditor")
    assert auditor.has_perm("accounts.view_company")
    assert auditor.has_perm("core.view_objectchange")
    assert not auditor.has_perm("accounts.change_company")
    assert not auditor.has_perm("accounts.add_company")
    assert not any(
        auditor.has_perm(f"{p.content_type.app_label}.{p.codename}")
        for p in Permission.objects.exclude(codename__startswith="view_").select_related("content_type")
    )


def test_dry_run_reports_drift_and_changes_nothing(capsys):
    group = Group.objects.get(name="Auditor")
    stray = Permission.objects.get(codename="change_company")
    group.permissions.add(stray)
    events_before = DomainEvent.objects.filter(name="roles.changed").count()

    call_command("setup_roles", "--dry-run", "--diff")
    out = capsys.readouterr().out
    assert "Auditor: would change, +0 -1" in out
    assert "  - accounts.change_company" in out
    assert group.permissions.filter(pk=stray.pk).exists()
    assert DomainEvent.objects.filter(name="roles.changed").count() == events_before


def test_apply_removes_drift_and_logs_the_change(capsys):
    group = Group.objects.get(name="Auditor")
    group.permissions.add(Permission.objects.get(codename="change_company"))

    call_command("setup_roles", "--diff")
    out = capsys.readouterr().out
    assert "Auditor: changed, +0 -1" in out
    assert not group.permissions.filter(codename="change_company").exists()
    event = DomainEvent.objects.filter(name="roles.changed").latest("id")
    assert event.data["permissions"]["removed"] == ["accounts.change_company"]
    change = ObjectChange.objects.filter(object_id=str(group.pk), content_type__model="group").latest("id")
    assert change.changes["permissions"]["removed"] == ["accounts.change_company"]
    assert change.reason == "setup_roles"


def test_status_lists_every_role_with_members(capsys):
    make_user(role="QA Inspector")
    call_command("setup_roles", "--status")
    out = capsys.readouterr().out
    for role in ROLES:
        assert role.name in out
    inspector_line = next(line for line in out.splitlines() if line.startswith("QA Inspector"))
    assert inspector_line.split()[2] == "1" and inspector_line.endswith("in sync")


def test_adding_a_user_to_a_role_is_audited():
    user = make_user()
    user.groups.add(Group.objects.get(name="QA Manager"))
    change = ObjectChange.objects.filter(content_type__model="user", object_id=str(user.pk)).latest("id")
    assert change.changes == {"groups": {"added": [Group.objects.get(name="QA Manager").pk]}}
