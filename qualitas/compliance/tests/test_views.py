"""The standards' and clauses' pages through the generic read-only view tests: list, detail
(the coverage page and the clause page), history, export, no add or edit page."""

import pytest

from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.tests.helpers import make_clause, make_standard, remove_catalogue
from qualitas.testing.views import ReadOnlyModelViewTests

_codes = iter(range(1, 10_000))


class TestStandardViews(ReadOnlyModelViewTests):
    model = Standard

    def make_object(self, company=None):
        return make_standard(code=f"test{next(_codes)}", name="Made-up standard")


class TestClauseViews(ReadOnlyModelViewTests):
    model = Clause

    @pytest.fixture(autouse=True)
    def _without_catalogue(self, db):
        remove_catalogue()

    def make_object(self, company=None):
        return make_clause()
