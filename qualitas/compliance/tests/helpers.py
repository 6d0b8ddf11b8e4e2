"""Factories and helpers for the clause library's tests."""

import itertools

import pytest

from qualitas.compliance import services
from qualitas.compliance.catalogue import clause_level, parent_number, sort_key
from qualitas.compliance.models import Clause, Standard

_numbers = itertools.count(1)
_codes = itertools.count(1)


def make_standard(code="teststd", **fields):
    """A standard outside the catalogue, for records the tests make up."""
    fields.setdefault("name", "Test Standard")
    fields.setdefault("edition", "2026")
    fields.setdefault("title", "A standard made up by the test suite")
    fields.setdefault("publisher", "Qualitas tests")
    standard, _created = Standard.objects.get_or_create(code=code, defaults=fields)
    return standard


def make_clause(standard=None, number=None, **fields):
    """A clause of ``standard`` (the test standard by default) with a fresh number."""
    standard = standard or make_standard()
    number = number or str(next(_numbers))
    fields.setdefault("title", f"Clause {number}")
    fields.setdefault("summary", f"What an auditor looks for in {number}.")
    if "parent" not in fields and parent_number(number):
        fields["parent"] = Clause.objects.filter(standard=standard, number=parent_number(number)).first()
    return Clause.objects.create(
        standard=standard,
        number=number,
        key=f"{standard.code}:{number}",
        level=clause_level(number),
        sort_key=sort_key(number),
        **fields,
    )


def clause(key):
    return Clause.objects.select_related("standard", "base_clause").get(key=key)


def remove_catalogue():
    """Empty the clause table (test-only, not audited): the generic list tests compare a page
    with every row in the table, and the synced catalogue has 500."""
    Clause._base_manager.all()._raw_delete(Clause._base_manager.db)


class Declared:
    """Declare evidence on a model for the length of a test: ``with Declared(Widget, evidence_for=...)``."""

    def __init__(self, monkeypatch, model, **attributes):
        self.monkeypatch = monkeypatch
        for name, value in attributes.items():
            monkeypatch.setattr(model, name, value, raising=False)
        services.reset_registry()


class StandardRecords:
    """For the generic record tests (API and pages) of standards: made-up standards."""

    model = Standard

    def make_object(self, company=None):
        return make_standard(code=f"test{next(_codes)}", name="Made-up standard")


class ClauseRecords:
    """For the generic record tests (API and pages) of clauses: made-up clauses, without the
    catalogue's."""

    model = Clause

    @pytest.fixture(autouse=True)
    def _without_catalogue(self, db):
        remove_catalogue()

    def make_object(self, company=None):
        return make_clause()
