"""The pages of the three logs (/audit/changes/, /audit/events/, /audit/access/) through the
generic view tests: read-only list, detail and export, never shown to customers.

The audit trail's own behaviour (hash chain, verification, readable history) is tested in
qualitas/core/tests/.
"""

from qualitas.core import access
from qualitas.core.audit import history
from qualitas.core.events import emit
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.testing.factories import make_company
from qualitas.testing.views import DetailViewTests, ExportViewTests, ListViewTests, ReadOnlyPagesTests


class LogPagesTests(ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """Logs have no history of their own (they are the history) and no add, edit or archive."""


class TestObjectChangeViews(LogPagesTests):
    model = ObjectChange

    def make_object(self, company=None):
        return history(make_company()).get()


class TestDomainEventViews(LogPagesTests):
    model = DomainEvent

    def make_object(self, company=None):
        return emit("audit.verified", obj=make_company(), message="The audit trail was verified")


class TestAccessLogViews(LogPagesTests):
    model = AccessLog

    def make_object(self, company=None):
        return access.record_view(make_company())
