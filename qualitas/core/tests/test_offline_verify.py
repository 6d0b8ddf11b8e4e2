"""Offline verification: ``manage.py export_audit`` writes the chain, and the standalone
``offline_verify`` script (standard library only) recomputes it."""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from qualitas.accounts.models import Company
from qualitas.core import audit, offline_verify
from qualitas.core.audit_export import export_lines
from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog, AuditChainHead, DomainEvent, ObjectChange
from qualitas.framework.context import change_context
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db

SCRIPT = Path(offline_verify.__file__)
ROOT = SCRIPT.parents[2]


def tamper(sql, params):
    with append_only_suspended() as cursor:
        cursor.execute(sql, params)


def varied_trail():
    """Entries with unicode, numbers, nested changes, users, reasons and a deletion."""
    user = make_user(full_name="Zoë Ünal")
    with change_context(user=user, reason="Erstprüfung — «première»"):
        company = Company.objects.create(name="Dairy ☕ Ltd", kind="supplier", notes='quote " and \\ slash')
    company.country = "Ελλάδα"
    company.save()
    user.groups.add(*user.groups.model.objects.filter(name__in=["Auditor", "QA Manager"]))
    make_company(name="Gone").delete()
    return company


def export_file(tmp_path, name="audit.jsonl", *args):
    path = tmp_path / name
    call_command("export_audit", "--output", str(path), *args, stderr=io.StringIO())
    return path


def run_script(*args, standalone=False, cwd=None):
    """Run the verifier in a fresh interpreter. ``standalone`` runs a copy of the file with
    ``-S -I``: no site-packages, no Qualitas, no Django - only the standard library."""
    if standalone:
        command = [sys.executable, "-S", "-I", str(args[0]), *args[1:]]
    else:
        command = [sys.executable, "-m", "qualitas.core.offline_verify", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd or ROOT, timeout=60)


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path, lines):
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")


def test_the_script_canonicalises_exactly_as_the_audit_trail_does():
    varied_trail()
    audit.seal()
    entries = {entry.pk: entry for entry in ObjectChange.objects.all()}
    exported = [line for line in export_lines() if line["type"] in ("link", "unsealed")]
    assert len(exported) == len(entries)
    for line in exported:
        # Through JSON and back, as the file is read.
        content = json.loads(json.dumps(line["entry"]["content"], ensure_ascii=False))
        entry = entries[line["entry"]["id"]]
        assert offline_verify.canonical_bytes(content) == audit.canonical(entry)
        assert offline_verify.entry_digest(content) == entry.entry_hash


def test_an_intact_trail_verifies_offline_with_only_the_standard_library(tmp_path):
    varied_trail()
    path = export_file(tmp_path)
    copy = tmp_path / "offline_verify.py"
    shutil.copy(SCRIPT, copy)
    head = AuditChainHead.objects.get(pk=1)

    result = run_script(copy, path, standalone=True, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert f"{head.seq} entries verified" in result.stdout and head.chain_hash in result.stdout
    assert head.seq == ObjectChange.objects.count()


def test_the_module_form_and_json_output(tmp_path):
    varied_trail()
    path = export_file(tmp_path)
    result = run_script(str(path), "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    expected = audit.verify(seal_first=False).as_dict()
    assert {key: body[key] for key in expected} == expected


def test_the_export_lists_unsealed_entries_and_checks_their_hashes(tmp_path):
    make_company()
    audit.seal()
    fresh = audit.history(make_company(name="Fresh")).get()
    path = export_file(tmp_path, "audit.jsonl", "--no-seal")
    lines = read_lines(path)
    assert [line["entry"]["id"] for line in lines if line["type"] == "unsealed"] == [fresh.pk]
    assert lines[-1] == {"type": "end", "links": len(lines) - 3, "unsealed": 1}
    assert offline_verify.main([str(path)]) == 0

    tamper("UPDATE core_objectchange SET object_repr = %s WHERE id = %s", ["Forged", fresh.pk])
    tampered = export_file(tmp_path, "tampered.jsonl", "--no-seal")
    outcome = offline_verify.verify(*offline_verify.read_export(tampered.open()))
    assert not outcome["ok"] and outcome["first_broken_entry"] == fresh.pk


def test_a_tampered_database_fails_offline_and_names_the_entry(tmp_path):
    companies = [make_company() for _ in range(4)]
    audit.seal()
    victim = audit.history(companies[2]).get()
    tamper("UPDATE core_objectchange SET reason = %s WHERE id = %s", ["covered up", victim.pk])
    path = export_file(tmp_path)
    copy = tmp_path / "offline_verify.py"
    shutil.copy(SCRIPT, copy)

    result = run_script(copy, path, standalone=True, cwd=tmp_path)

    assert result.returncode == 1
    assert f"BROKEN at entry #{victim.pk}" in result.stderr
    assert audit.verify().first_broken_entry == victim.pk  # the same verdict as in Qualitas


def test_a_rehashed_entry_breaks_the_chain_offline(tmp_path):
    """Rewriting an entry together with its own hash is caught by the chain link."""
    companies = [make_company() for _ in range(3)]
    audit.seal()
    victim = audit.history(companies[1]).get()
    victim.object_repr = "Forged"
    tamper(
        "UPDATE core_objectchange SET object_repr = %s, entry_hash = %s WHERE id = %s",
        ["Forged", audit.entry_digest(victim), victim.pk],
    )
    path = export_file(tmp_path)
    outcome = offline_verify.verify(*offline_verify.read_export(path.open()))
    assert not outcome["ok"] and outcome["first_broken_entry"] == victim.pk


def test_an_edited_file_fails(tmp_path):
    varied_trail()
    path = export_file(tmp_path)
    lines = read_lines(path)
    links = [line for line in lines if line["type"] == "link"]

    edited = json.loads(json.dumps(lines))
    target = next(line for line in edited if line["type"] == "link" and line["seq"] == 3)
    target["entry"]["content"]["user_name"] = "Someone else"
    write_lines(tmp_path / "edited.jsonl", edited)
    assert offline_verify.main([str(tmp_path / "edited.jsonl")]) == 1
    outcome = offline_verify.verify(*offline_verify.read_export((tmp_path / "edited.jsonl").open()))
    assert outcome["first_broken_seq"] == 3 and outcome["first_broken_entry"] == links[2]["entry"]["id"]

    removed = [line for line in lines if not (line["type"] == "link" and line["seq"] == 2)]
    removed[-1] = {**removed[-1], "links": removed[-1]["links"] - 1}
    write_lines(tmp_path / "removed.jsonl", removed)
    outcome = offline_verify.verify(*offline_verify.read_export((tmp_path / "removed.jsonl").open()))
    assert not outcome["ok"] and "skips from sequence 1 to 3" in outcome["problem"]

    write_lines(tmp_path / "truncated.jsonl", lines[:-3])
    assert offline_verify.main([str(tmp_path / "truncated.jsonl")]) == 2
    (tmp_path / "garbage.jsonl").write_text("not json\n")
    assert offline_verify.main([str(tmp_path / "garbage.jsonl")]) == 2


def test_a_consistently_rewritten_file_is_caught_by_an_anchor(tmp_path):
    """Anyone can recompute every hash of an edited file; a head noted earlier cannot be forged."""
    for _ in range(3):
        make_company()
    audit.seal()
    noted = AuditChainHead.objects.get(pk=1)
    anchor = f"{noted.seq}:{noted.chain_hash}"
    make_company()
    path = export_file(tmp_path)
    assert offline_verify.main([str(path), "--anchor", anchor]) == 0

    lines = read_lines(path)
    previous = offline_verify.GENESIS
    for line in lines:
        if line["type"] == "link":
            if line["seq"] == 2:
                line["entry"]["content"]["object_repr"] = "Rewritten history"
            digest = offline_verify.entry_digest(line["entry"]["content"])
            line["entry"]["entry_hash"] = line["entry_hash"] = digest
            previous = line["chain_hash"] = offline_verify.chain_digest(previous, digest)
    lines[0]["head"]["chain_hash"] = previous
    write_lines(tmp_path / "forged.jsonl", lines)

    assert offline_verify.main([str(tmp_path / "forged.jsonl")]) == 0  # self-consistent...
    assert offline_verify.main([str(tmp_path / "forged.jsonl"), "--anchor", anchor]) == 1  # ...but caught


def test_export_is_recorded_in_the_access_log(tmp_path):
    make_company()
    before = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).count()
    export_file(tmp_path)
    entry = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).latest("id")
    assert AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).count() == before + 1
    assert entry.content_type.model == "objectchange" and "export_audit" in entry.detail


def test_export_to_standard_output():
    make_company()
    out = io.StringIO()
    call_command("export_audit", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["type"] == "header" and lines[-1]["type"] == "end"
    assert offline_verify.verify(*offline_verify.read_export(out.getvalue().splitlines()))["ok"]


def test_verify_audit_prints_an_anchor_that_later_exports_pass_through(tmp_path, capsys):
    make_company()
    call_command("verify_audit")
    anchor = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert anchor == "{0.seq}:{0.chain_hash}".format(AuditChainHead.objects.get(pk=1))
    event = DomainEvent.objects.filter(name="audit.verified").latest("id")
    assert event.data["ok"] and event.data["source"] == "command"

    make_company()
    path = export_file(tmp_path)
    assert offline_verify.main([str(path), "--anchor", anchor]) == 0
