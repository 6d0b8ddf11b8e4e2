"""Archiving and restoring: a reason is required, the state is checked, and both are audited with
the user and the reason. (The API and page flows are in the generic tests.)"""

import pytest
from django.core.exceptions import ValidationError

from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.context import change_context
from qualitas.testing.factories import make_user
from qualitas.testing.records import WriteCheck, last_change
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget():
    return Widget.objects.create(name="Bracket")


def test_archive_records_who_when_and_why(widget):
    user = make_user(full_name="Archie Archivist")
    with change_context(user=user):
        widget.archive("  Replaced by WID-2  ")
    widget.refresh_from_db()
    assert widget.is_archived and widget.archived_by == user and widget.archived_at is not None
    assert widget.archive_reason == "Replaced by WID-2"
    entry = last_change(widget)
    assert entry.action == ChangeActionChoices.ARCHIVE
    assert entry.reason == "Replaced by WID-2" and entry.user == user
    assert entry.changes["is_archived"] == [False, True]
    assert entry.changes["archive_reason"] == ["", "Replaced by WID-2"]


def test_restore_clears_the_archive_fields_and_is_audited(widget):
    widget.archive("Duplicate")
    widget.restore("Not a duplicate")
    widget.refresh_from_db()
    assert not widget.is_archived
    assert (widget.archived_at, widget.archived_by, widget.archive_reason) == (None, None, "")
    entry = last_change(widget)
    assert entry.action == ChangeActionChoices.RESTORE and entry.reason == "Not a duplicate"
    assert [e.action for e in widget.history.order_by("id")] == ["create", "archive", "restore"]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(widget, reason):
    check = WriteCheck(Widget, widget)
    with pytest.raises(ValidationError, match="reason"):
        widget.archive(reason)
    check.assert_nothing_written()
    widget.archive("Obsolete")
    check = WriteCheck(Widget, widget)
    with pytest.raises(ValidationError, match="reason"):
        widget.restore(reason)
    check.assert_nothing_written()


def test_archiving_twice_or_restoring_an_active_record_is_refused(widget):
    check = WriteCheck(Widget, widget)
    with pytest.raises(ValidationError, match="not archived"):
        widget.restore("Why not")
    check.assert_nothing_written()
    widget.archive("Obsolete")
    check = WriteCheck(Widget, widget)
    with pytest.raises(ValidationError, match="already archived"):
        widget.archive("Again")
    check.assert_nothing_written()


def test_archived_records_stay_in_the_database_and_keep_their_number(widget):
    number = widget.number
    widget.archive("Obsolete")
    assert Widget.objects.filter(pk=widget.pk, number=number).exists()
