"""Syncing the catalogue into the database: after migrate, idempotent, every change audited,
clauses withdrawn rather than deleted, and ``manage.py sync_clauses [--dry-run]``."""

import io
from dataclasses import replace

import pytest
from django.apps import apps
from django.core.management import call_command

from qualitas.compliance import services
from qualitas.compliance.catalogue import Catalogue, load
from qualitas.compliance.choices import ClauseOriginChoices
from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.signals import sync_clauses_after_migrate
from qualitas.compliance.tests.helpers import remove_catalogue
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def compliance_changes():
    return ObjectChange.objects.filter(content_type__app_label="compliance")


def edited(catalogue, drop=(), retitle=None, add=()):
    """A copy of the catalogue without the ``drop`` keys, with ``retitle`` {key: title} applied
    and the ``add`` clause specs appended."""
    retitle = retitle or {}
    clauses = [
        replace(clause, title=retitle.get(clause.key, clause.title))
        for clause in catalogue.clauses
        if clause.key not in drop
    ]
    return Catalogue(standards=catalogue.standards, clauses=(*clauses, *add))


def test_the_database_holds_the_catalogue_after_migrate():
    catalogue = load()
    assert services.plan_sync() == []
    assert set(Standard.objects.values_list("code", flat=True)) == {
        "iso9001",
        "iso22000",
        "iatf16949",
        "as9100d",
    }
    stored = {
        clause.key: clause for clause in Clause.objects.select_related("parent", "base_clause", "standard")
    }
    assert set(stored) == set(catalogue.keys)
    for spec in catalogue.clauses:
        clause = stored[spec.key]
        assert (clause.standard.code, clause.number, clause.title, clause.summary) == (
            spec.standard,
            spec.number,
            spec.title,
            spec.summary,
        )
        assert (clause.parent.key if clause.parent else None) == spec.parent_key
        assert (clause.base_clause.key if clause.base_clause else None) == spec.base_key
        assert (clause.level, clause.sort_key, clause.is_heading, clause.origin) == (
            spec.level,
            spec.sort_key,
            spec.is_heading,
            spec.origin,
        )
        assert not clause.is_withdrawn
    iatf = Standard.objects.get(code="iatf16949")
    assert iatf.base.code == "iso9001" and str(iatf) == "IATF 16949:2016"


def test_a_second_sync_changes_nothing_and_writes_nothing():
    before = ObjectChange.objects.count()
    assert services.sync_catalogue() == []
    assert services.sync_catalogue() == []
    assert ObjectChange.objects.count() == before


def test_a_first_sync_is_audited_clause_by_clause():
    remove_catalogue()
    compliance_before = compliance_changes().count()
    last_id = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    changes = services.sync_catalogue()
    assert len([change for change in changes if change.kind == "create"]) == 500
    entries = compliance_changes().count() - compliance_before
    assert entries == 500  # one per clause; the standards already existed
    entry = ObjectChange.objects.filter(
        id__gt=last_id, object_repr="IATF 16949:2016 7.1.5.1.1 Measurement systems analysis"
    ).get()
    assert entry.action == ChangeActionChoices.CREATE
    assert entry.reason == services.SYNC_REASON
    assert entry.changes["key"] == [None, "iatf16949:7.1.5.1.1"]
    assert entry.changes["title"] == [None, "Measurement systems analysis"]
    new_entries = compliance_changes().order_by("-id")[:500]
    assert {(change.action, change.reason) for change in new_entries} == {
        (ChangeActionChoices.CREATE, services.SYNC_REASON)
    }
    assert services.plan_sync() == []


def test_a_changed_title_is_updated_and_audited():
    clause = Clause.objects.get(key="iso9001:7.1.5.2")
    catalogue = edited(load(), retitle={"iso9001:7.1.5.2": "Traceable measurement"})
    plan = services.plan_sync(catalogue)
    assert [str(change) for change in plan] == ["update iso9001:7.1.5.2 (title)"]
    assert plan[0].fields == {"title": ("Measurement traceability", "Traceable measurement")}

    services.sync_catalogue(catalogue)

    clause.refresh_from_db()
    assert clause.title == "Traceable measurement"
    entry = compliance_changes().order_by("-id").first()
    assert entry.object_id == str(clause.pk) and entry.action == ChangeActionChoices.UPDATE
    assert entry.changes == {"title": ["Measurement traceability", "Traceable measurement"]}
    assert entry.reason == services.SYNC_REASON
    assert services.plan_sync(catalogue) == []


def test_a_removed_clause_is_withdrawn_not_deleted_and_comes_back():
    clause = Clause.objects.get(key="iatf16949:10.2.6")
    catalogue = edited(load(), drop={"iatf16949:10.2.6"})
    assert [str(change) for change in services.plan_sync(catalogue)] == ["withdraw iatf16949:10.2.6"]

    services.sync_catalogue(catalogue)

    clause.refresh_from_db()
    assert clause.is_withdrawn
    entry = compliance_changes().order_by("-id").first()
    assert entry.changes == {"is_withdrawn": [False, True]} and entry.reason == services.SYNC_REASON

    # Back in the catalogue: the same row (same id, same key) is current again.
    services.sync_catalogue(load())
    clause.refresh_from_db()
    assert not clause.is_withdrawn
    assert Clause.objects.filter(key="iatf16949:10.2.6").count() == 1


def test_a_new_clause_is_created_under_its_parent():
    new = replace(
        load().by_key["iatf16949:10.2.6"],
        number="10.2.7",
        title="A clause of a future edition",
        summary="Made up by the test.",
    )
    assert new.key == "iatf16949:10.2.7"
    catalogue = edited(load(), add=[new])
    services.sync_catalogue(catalogue)
    clause = Clause.objects.get(key="iatf16949:10.2.7")
    assert clause.parent.key == "iatf16949:10.2"
    assert clause.origin == ClauseOriginChoices.SECTOR
    assert compliance_changes().filter(object_id=str(clause.pk), action=ChangeActionChoices.CREATE).exists()


def test_a_failed_sync_leaves_nothing_half_written(monkeypatch):
    catalogue = edited(load(), retitle={"iso9001:4.1": "Changed", "iso9001:4.2": "Changed too"})
    changes_before = ObjectChange.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Clause.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        services.sync_catalogue(catalogue)
    assert Clause.objects.get(key="iso9001:4.1").title == "Organisation and its context"
    assert ObjectChange.objects.count() == changes_before


def test_the_command_dry_run_shows_changes_and_writes_nothing():
    Clause.objects.filter(key="iso9001:7.2").update(title="Old title")
    before = ObjectChange.objects.count()
    out = io.StringIO()
    call_command("sync_clauses", "--dry-run", stdout=out)
    assert "update iso9001:7.2 (title)" in out.getvalue()
    assert "Clause catalogue: would update 1." in out.getvalue()
    assert Clause.objects.get(key="iso9001:7.2").title == "Old title"
    assert ObjectChange.objects.count() == before

    out = io.StringIO()
    call_command("sync_clauses", stdout=out)
    assert "Clause catalogue: did update 1." in out.getvalue()
    assert Clause.objects.get(key="iso9001:7.2").title == "Competence"

    out = io.StringIO()
    call_command("sync_clauses", stdout=out)
    assert out.getvalue().strip() == "The clause catalogue is in sync."


def test_the_catalogue_is_synced_after_migrate():
    remove_catalogue()
    sync_clauses_after_migrate(sender=apps.get_app_config("accounts"))
    assert not Clause.objects.exists()  # only the compliance app's signal syncs
    sync_clauses_after_migrate(sender=apps.get_app_config("compliance"))
    assert Clause.objects.count() == 500
    assert services.plan_sync() == []
