"""The audit trail: every write is recorded, the chain detects tampering and names the entry."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from qualitas.accounts.models import Company
from qualitas.core import audit
from qualitas.core.models import AppendOnlyError, AuditChainLink, ObjectChange
from qualitas.core.triggers import existing_triggers, expected_triggers
from qualitas.framework.context import change_context
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def changes_for(obj):
    return list(audit.history(obj).order_by("id"))


def test_create_update_archive_restore_are_recorded_with_before_and_after():
    user = make_user(role="QA Manager")
    with change_context(user=user, reason="new customer"):
        company = Company.objects.create(name="Acme", kind="customer")
    company.country = "NL"
    company.save()
    company.archive("duplicate record")
    company.restore("not a duplicate after all")

    entries = changes_for(company)
    assert [e.action for e in entries] == ["create", "update", "archive", "restore"]
    assert entries[0].user_id == user.pk and entries[0].user_name == user.full_name
    assert entries[0].reason == "new customer"
    assert entries[0].changes["name"] == [None, "Acme"]
    assert entries[1].changes == {"country": ["", "NL"]}
    assert entries[2].reason == "duplicate record"
    assert entries[2].changes["is_archived"] == [False, True]
    assert entries[3].changes["is_archived"] == [True, False]


def test_saving_without_a_change_writes_nothing():
    company = make_company()
    before = ObjectChange.objects.count()
    company.save()
    assert ObjectChange.objects.count() == before


def test_bulk_operations_are_audited_row_by_row():
    created = Company.objects.bulk_create([Company(name=f"Bulk {i}") for i in range(3)])
    assert all(len(changes_for(c)) == 1 for c in created)
    count = Company.objects.filter(name__startswith="Bulk").update(country="FR")
    assert count == 3
    for company in created:
        assert [e.changes for e in changes_for(company)][-1] == {"country": ["", "FR"]}
    Company.objects.filter(name="Bulk 0").delete()
    assert changes_for(created[0])[-1].action == "delete"


def test_bulk_entries_carry_the_context_and_verify_like_single_ones():
    # Bulk writes insert their audit rows in multi-row statements (UNNEST on PostgreSQL), built
    # without model instances; read back, each row has the context and a hash that verifies.
    user = make_user(full_name="Bulk Writer")
    with change_context(user=user, reason="nightly import"):
        created = Company.objects.bulk_create(
            [Company(name=f"Batch {i:03d}", country="NL") for i in range(700)]
        )
        Company.objects.filter(name__startswith="Batch").update(country="BE")
    entries = ObjectChange.objects.filter(object_repr__startswith="Batch").order_by("id")
    assert entries.count() == 1400
    first = entries.first()
    assert (first.user_id, first.user_name, first.reason, first.action) == (
        user.pk,
        "Bulk Writer",
        "nightly import",
        "create",
    )
    assert first.object_id == str(created[0].pk) and first.changes["country"] == [None, "NL"]
    assert entries.last().changes == {"country": ["NL", "BE"]}
    assert all(entry.entry_hash == audit.entry_digest(entry) for entry in entries)
    assert audit.seal() >= 1400
    result = audit.verify()
    assert result.ok and result.unsealed == 0


def test_entries_refuse_update_and_delete_in_the_model_and_in_the_database():
    entry = audit.history(make_company()).get()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        ObjectChange.objects.all().delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_objectchange SET reason = 'rewritten'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_objectchange")


def tamper(sql, params):
    """Change a row behind the application's back, as an attacker with database access would."""
    with append_only_suspended() as cursor:
        cursor.execute(sql, params)


def test_verify_passes_on_an_intact_trail_and_names_the_first_altered_entry():
    companies = [make_company() for _ in range(5)]
    result = audit.verify()
    assert result.ok and result.checked == ObjectChange.objects.count() and result.unsealed == 0

    victim = audit.history(companies[2]).get()
    tamper("UPDATE core_objectchange SET object_repr = %s WHERE id = %s", ["Forged", victim.pk])

    result = audit.verify()
    assert not result.ok
    assert result.first_broken_entry == victim.pk
    assert f"#{victim.pk}" in result.problem


def test_verify_detects_a_rewritten_hash_through_the_chain():
    companies = [make_company() for _ in range(3)]
    audit.seal()
    victim = audit.history(companies[1]).get()
    forged = victim
    forged.object_repr = "Forged"
    new_hash = audit.entry_digest(forged)
    tamper(
        "UPDATE core_objectchange SET object_repr = %s, entry_hash = %s WHERE id = %s",
        ["Forged", new_hash, victim.pk],
    )
    result = audit.verify()
    assert not result.ok and result.first_broken_entry == victim.pk


def test_sealing_links_entries_in_order_and_is_idempotent():
    for _ in range(4):
        make_company()
    sealed = audit.seal()
    assert sealed == ObjectChange.objects.count()
    assert audit.seal() == 0
    seqs = list(AuditChainLink.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_verify_audit_command_exits_non_zero_and_names_the_entry(capsys):
    company = make_company()
    victim = audit.history(company).get()
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    tamper("UPDATE core_objectchange SET reason = %s WHERE id = %s", ["covered up", victim.pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert f"#{victim.pk}" in capsys.readouterr().err


def test_float_values_keep_their_hash_through_the_database():
    """PostgreSQL's jsonb rewrites 1e+16 as 10000000000000000 and refuses NaN; stored values must
    still hash to the entry's hash on every database."""
    values = [1e16, -2.5e20, float("nan"), float("inf"), 1.5e-7, 0.1 + 0.2, 5.0]
    assert [audit.json_value(v) for v in values] == [
        10**16,
        -25 * 10**19,
        "nan",
        "inf",
        1.5e-7,
        0.30000000000000004,
        5.0,
    ]
    company = make_company()
    audit.record_change(
        company,
        "update",
        changes={"reading": [audit.json_value(v) for v in values[:4]], "small": values[4:6]},
    )
    result = audit.verify()
    assert result.ok, result.problem


def test_every_append_only_trigger_exists_after_migrate():
    assert expected_triggers(connection.vendor) <= existing_triggers(connection)


def test_missing_triggers_are_recreated_after_migrate():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_objectchange_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_objectchange_append_only ON core_objectchange")
    assert not expected_triggers(connection.vendor) <= existing_triggers(connection)
    call_command("migrate", verbosity=0)
    assert expected_triggers(connection.vendor) <= existing_triggers(connection)
