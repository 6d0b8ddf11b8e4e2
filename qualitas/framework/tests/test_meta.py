"""The meta-test: every registered record type has API, view and filterset tests, and its FilterSet
has a filter for every concrete field.

Test classes are found by importing every test module under ``qualitas/`` and reading the
``model`` they declare (``filterset.Meta.model`` for filterset tests). A test class counts as an
API, view or filterset test when it derives from the generic base classes in qualitas/testing/, or
when it declares ``model`` in a module named ``test_api*``, ``test_views*`` or ``test_filtersets*``.

Anything left out needs an entry in EXEMPTIONS, with the reason written next to it.
"""

import importlib
import inspect
from pathlib import Path

import pytest
from django.db import models

from qualitas.framework import registry
from qualitas.framework.registry import registered_models
from qualitas.testing.api import APITestCase
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.records import load_urls
from qualitas.testing.views import ViewTestCase

ROOT = Path(__file__).resolve().parents[3]  # the directory that holds the qualitas package
KINDS = ("api", "views", "filterset")

#: (model label or "*", what) -> why it is left out. ``what`` is one of KINDS for a missing test
#: class, or ``filter:<field>`` for a concrete field without a filter.
EXEMPTIONS = {
    # --- Fields every record has ----------------------------------------------------------------
    ("*", "filter:id"): "records are opened by id through the detail page and endpoint, not filtered",
    ("*", "filter:updated"): "when a record changed is asked of the audit trail (ObjectChange by time)",
    ("*", "filter:created_by"): "who created a record is asked of the audit trail (ObjectChange by user)",
    ("*", "filter:updated_by"): "who changed a record is asked of the audit trail (ObjectChange by user)",
    ("*", "filter:is_archived"): "RecordFilterSet.archived (active / archived / both) filters it",
    ("*", "filter:archived_at"): "archive details are shown on the record and in its history",
    ("*", "filter:archived_by"): "archive details are shown on the record and in its history",
    ("*", "filter:archive_reason"): "free text shown on the record and in its history",
    # --- Accounts -------------------------------------------------------------------------------
    ("accounts.company", "filter:address"): "free text, read on the company's page",
    ("accounts.company", "filter:notes"): "free text, read on the company's page",
    ("accounts.user", "filter:password"): "a password hash is never a search criterion",
    ("accounts.user", "filter:last_login"): "sign-ins are filtered in the access and login logs",
    ("accounts.user", "filter:is_superuser"): "superusers are made from the command line only",
    ("accounts.user", "filter:is_staff"): "staff status follows the Admin role, which `role` filters",
    ("accounts.user", "filter:date_joined"): "invitations record when people joined",
    ("accounts.user", "filter:password_changed"): "password age is enforced by the password policy",
    ("accounts.user", "filter:must_change_password"): "a transient flag cleared at the next sign-in",
    # --- The logs -------------------------------------------------------------------------------
    ("core.objectchange", "api"): "hand-written in qualitas/core/tests/test_api.py (access, scope, export, "
    "query count)",
    ("core.domainevent", "api"): "hand-written in qualitas/core/tests/test_api.py",
    ("core.accesslog", "api"): "hand-written in qualitas/core/tests/test_api.py",
    ("core.objectchange", "filterset"): "every filter is exercised through the API in "
    "qualitas/core/tests/test_api.py",
    ("core.domainevent", "filterset"): "exercised through the API in qualitas/core/tests/test_api.py",
    ("core.accesslog", "filterset"): "exercised through the API in qualitas/core/tests/test_api.py",
    # --- Inspections and nonconformance ---
    ("inspections.measurementdefinition", "filter:method"): "free text, searched by q",
    ("inspections.errortype", "filter:description"): "free text, searched by q",
    ("inspections.qualityreport", "filter:notes"): "free text, searched by q",
    ("inspections.reportdefect", "filter:note"): "free text, searched by q",
    ("inspections.samplingruleset", "filter:description"): "free text, searched by q",
    ("inspections.samplingstate", "filter:parts_seen"): "an engine counter, read on the state's page",
    ("inspections.samplingstate", "filter:parts_seen_in_set"): "an engine counter, read on the state's page",
    ("inspections.samplingstate", "filter:inspections_required"): "an engine counter, summed on the "
    "sampling analytics page",
    ("inspections.samplingstate", "filter:inspections_done"): "an engine counter, summed on the sampling "
    "analytics page",
    ("inspections.samplingstate", "filter:defects_found"): "an engine counter, summed on the sampling "
    "analytics page",
    ("inspections.samplingstate", "filter:recent_results"): "the engine's window of recent results, "
    "read on the state's page",
    ("inspections.samplingstate", "filter:fallback_parts_left"): "an engine counter; in_fallback filters "
    "the states on the fallback",
    ("inspections.samplingstate", "filter:fallback_until"): "read on the state's page; in_fallback and "
    "fallback_started filter the states on the fallback",
    ("nonconformance.nonconformance", "filter:description"): "free text, searched by q",
    ("nonconformance.nonconformance", "filter:disposition_notes"): "free text, read on the NCR's page",
    ("nonconformance.nonconformance", "filter:escalation_reason"): "free text; is_escalated filters it",
    ("nonconformance.nonconformance", "filter:resolution"): "free text, read on the NCR's page",
    # --- Production and equipment ---
    ("production.workcenter", "filter:description"): "free text, searched by q",
    ("production.customerorder", "filter:notes"): "free text, searched by q",
    ("production.parttype", "filter:description"): "free text, searched by q",
    ("production.process", "filter:description"): "free text, searched by q",
    ("production.step", "filter:instructions"): "free text, searched by q",
    ("production.step", "filter:position_x"): "the flow editor's layout, not a property of the step",
    ("production.step", "filter:position_y"): "the flow editor's layout, not a property of the step",
    ("production.workorder", "filter:notes"): "free text, searched by q",
    ("production.steptransition", "filter:note"): "free text, searched by q",
    ("equipment.equipment", "filter:notes"): "free text, searched by q",
}


def load_test_modules():
    """Import every ``test_*.py`` module under qualitas/ (this one included)."""
    modules = []
    for path in sorted((ROOT / "qualitas").rglob("test_*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if "tests" not in relative.parts:
            continue
        modules.append(importlib.import_module(".".join(relative.parts)))
    return modules


def _kind(cls, module):
    if issubclass(cls, APITestCase):
        return "api"
    if issubclass(cls, ViewTestCase):
        return "views"
    if issubclass(cls, FilterSetTests):
        return "filterset"
    name = module.__name__.rsplit(".", 1)[-1]
    for prefix, kind in (("test_api", "api"), ("test_views", "views"), ("test_filtersets", "filterset")):
        if name.startswith(prefix):
            return kind
    return None


def _declared_model(cls):
    model = getattr(cls, "model", None)
    if isinstance(model, type) and issubclass(model, models.Model):
        return model
    filterset = getattr(cls, "filterset", None)
    meta = getattr(filterset, "_meta", None)
    return getattr(meta, "model", None)


def collect_tested_models():
    """{(model label, kind): [test class names]} for every concrete test class."""
    found = {}
    for module in load_test_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not name.startswith("Test") or cls.__module__ != module.__name__:
                continue
            model = _declared_model(cls)
            kind = _kind(cls, module)
            if model is None or kind is None:
                continue
            found.setdefault((model._meta.label_lower, kind), []).append(f"{module.__name__}.{name}")
    return found


def exemption(label, what):
    return EXEMPTIONS.get((label, what)) or EXEMPTIONS.get(("*", what))


def missing_tests():
    load_urls()
    tested = collect_tested_models()
    missing = []
    for entry in registered_models():
        label = entry.model._meta.label_lower
        needs = {
            "api": entry.api_viewset is not None,
            "views": entry.views is not None,
            "filterset": entry.filterset is not None,
        }
        for kind in KINDS:
            if (label, kind) in tested or exemption(label, kind):
                continue
            if needs[kind]:
                missing.append(f"{label}: no {kind} test class declares `model = {entry.model.__name__}`")
            else:
                missing.append(f"{label}: has no {kind} at all (register one, or exempt it with a reason)")
    return missing


def filter_covers(filter_, field):
    field_name = filter_.field_name or ""
    return field_name in (field.name, field.attname) or field_name.startswith(f"{field.name}__")


def unfiltered_fields():
    load_urls()
    missing = []
    for entry in registered_models():
        if entry.filterset is None:
            continue
        label = entry.model._meta.label_lower
        filters = entry.filterset.base_filters.values()
        for field in entry.model._meta.concrete_fields:
            if any(filter_covers(filter_, field) for filter_ in filters):
                continue
            if exemption(label, f"filter:{field.name}"):
                continue
            missing.append(f"{entry.filterset.__name__} has no filter for {label}.{field.name}")
    return missing


def test_every_registered_model_has_api_view_and_filterset_tests():
    missing = missing_tests()
    assert not missing, "Missing tests (add a test class, or an exemption with a reason):\n" + "\n".join(
        missing
    )


def test_every_concrete_field_has_a_filter():
    missing = unfiltered_fields()
    assert not missing, "Missing filters (add one, or an exemption with a reason):\n" + "\n".join(missing)


def test_every_exemption_is_needed_and_has_a_reason():
    load_urls()
    tested = collect_tested_models()
    labels = {entry.model._meta.label_lower: entry for entry in registered_models()}
    stale = []
    for (label, what), reason in EXEMPTIONS.items():
        assert reason and len(reason.split()) >= 3, f"the exemption {(label, what)} needs a written reason"
        if label == "*":
            continue
        entry = labels.get(label)
        if entry is None:
            stale.append(f"{label} is not a registered model")
        elif what in KINDS and (label, what) in tested:
            stale.append(f"{label} has {what} tests now: remove the exemption")
        elif what.startswith("filter:"):
            field_name = what.split(":", 1)[1]
            field = next((f for f in entry.model._meta.concrete_fields if f.name == field_name), None)
            if field is None:
                stale.append(f"{label} has no field {field_name}")
            elif entry.filterset and any(
                filter_covers(f, field) for f in entry.filterset.base_filters.values()
            ):
                stale.append(f"{entry.filterset.__name__} filters {field_name} now: remove the exemption")
    assert not stale, "Stale exemptions:\n" + "\n".join(stale)


def test_the_meta_test_finds_the_generic_test_classes():
    tested = collect_tested_models()
    assert ("accounts.company", "api") in tested
    assert ("accounts.company", "views") in tested
    assert ("accounts.company", "filterset") in tested


class _UntestedMeta:
    label_lower = "testapp.untested"


class Untested:
    """A stand-in for a record type that someone registered without writing its tests."""

    _meta = _UntestedMeta


@pytest.mark.parametrize("kind", KINDS)
def test_a_model_without_tests_is_reported(kind, monkeypatch):
    load_urls()
    some = registered_models()[0]
    untested = registry.ModelEntry(
        model=Untested, views=some.views, api_viewset=some.api_viewset, filterset=some.filterset
    )
    monkeypatch.setitem(registry._models, "testapp.untested", untested)
    missing = missing_tests()
    assert f"testapp.untested: no {kind} test class declares `model = Untested`" in missing
