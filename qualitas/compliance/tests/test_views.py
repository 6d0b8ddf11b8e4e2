"""The standards' and clauses' pages through the generic read-only view tests: list, detail
(the coverage page and the clause page), history, export, no add or edit page."""

from qualitas.compliance.tests.helpers import ClauseRecords, StandardRecords
from qualitas.testing.views import ReadOnlyModelViewTests


class TestStandardViews(StandardRecords, ReadOnlyModelViewTests):
    pass


class TestClauseViews(ClauseRecords, ReadOnlyModelViewTests):
    pass
