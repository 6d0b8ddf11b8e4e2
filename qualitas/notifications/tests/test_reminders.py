"""Reminders: fixed intervals, deadline lead times, the overdue notice escalated to a role,
cancelling when the task is done, and a reminder that cannot work refused with its reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qualitas.core.audit import history
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import ObjectChange
from qualitas.notifications import services
from qualitas.notifications.kinds import UnknownKind
from qualitas.notifications.models import Notification, Reminder
from qualitas.testing.factories import make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def widget():
    return Widget.objects.create(name="Gauge G-12", specification="0-25 mm")


def sent(person=None, kind=None):
    queryset = Notification.objects.order_by("id")
    if person is not None:
        queryset = queryset.filter(recipient=person)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return list(queryset.values_list("kind", "subject"))


def test_a_fixed_interval_reminder_repeats_and_skips_missed_runs(widget):
    owner = make_user(role="QA Inspector")
    reminder = services.schedule_reminder(
        "task.reminder", [owner], widget, subject="Calibrate gauge G-12", every=DAY
    )
    start = reminder.next_run_at
    assert start == pytest.approx(timezone.now() + DAY, abs=timedelta(seconds=5))
    assert services.fire_due_reminders(now=start - timedelta(seconds=1)) == 0
    assert services.fire_due_reminders(now=start) == 1
    assert sent(owner) == [("task.reminder", "Calibrate gauge G-12")]
    reminder.refresh_from_db()
    assert reminder.next_run_at == start + DAY and reminder.last_sent_at == start
    notification = Notification.objects.get()
    assert (notification.object_id, notification.url) == (str(widget.pk), widget.get_absolute_url())

    # The scheduler was down for four days: one reminder, and back on the daily grid.
    late = start + 5 * DAY + timedelta(hours=3)
    assert services.fire_due_reminders(now=late) == 1
    assert len(sent(owner)) == 2
    reminder.refresh_from_db()
    assert reminder.next_run_at == start + 6 * DAY


def test_deadline_reminders_at_each_lead_time_then_overdue_escalated_to_the_role(widget):
    owner = make_user(role="QA Inspector", full_name="Olive Owner")
    manager = make_user(role="QA Manager")
    other_manager = make_user(role="QA Manager")
    inspector = make_user(role="QA Inspector")
    due = timezone.now() + 10 * DAY
    reminder = services.schedule_reminder(
        "task.reminder",
        [owner],
        widget,
        due=due,
        subject="Approve WID plan",
        message="The plan needs your approval.",
        lead_times=(DAY, timedelta(days=7)),
        escalate_to_role="QA Manager",
    )
    assert reminder.lead_times == [7 * 86400, 86400]
    assert reminder.next_run_at == due - 7 * DAY
    changes_after_scheduling = ObjectChange.objects.count()

    assert services.fire_due_reminders(now=due - 7 * DAY) == 1
    assert sent() == [("task.reminder", "Approve WID plan — due in 7 days")]
    assert "Due:" in Notification.objects.get().message
    reminder.refresh_from_db()
    assert (reminder.stage, reminder.next_run_at) == (1, due - DAY)
    assert services.fire_due_reminders(now=due - 2 * DAY) == 0

    assert services.fire_due_reminders(now=due - DAY + timedelta(minutes=3)) == 1
    assert sent()[-1] == ("task.reminder", "Approve WID plan — due in 1 day")
    reminder.refresh_from_db()
    assert reminder.next_run_at == due
    assert {n.recipient_id for n in Notification.objects.all()} == {owner.pk}  # not escalated yet

    assert services.fire_due_reminders(now=due + timedelta(minutes=4)) == 1
    overdue = Notification.objects.filter(kind="task.overdue")
    assert {n.recipient_id for n in overdue} == {owner.pk, manager.pk, other_manager.pk}
    assert inspector.pk not in {n.recipient_id for n in Notification.objects.all()}
    assert overdue.first().subject == "Overdue: Approve WID plan"
    reminder.refresh_from_db()
    assert not reminder.is_active and reminder.next_run_at is None and reminder.overdue_count == 1
    assert services.fire_due_reminders(now=due + 30 * DAY) == 0

    # Firing moved only the schedule fields, which are not audited; ending it is.
    [ended] = ObjectChange.objects.all()[: ObjectChange.objects.count() - changes_after_scheduling]
    assert ended.changes == {"is_active": [True, False]}


def test_overdue_notices_repeat_with_an_interval_until_cancelled(widget):
    owner = make_user(role="QA Inspector")
    due = timezone.now() + DAY
    reminder = services.schedule_reminder(
        "task.reminder",
        [owner],
        widget,
        due=due,
        subject="Close CAPA-7",
        every=DAY,
        escalate_to_role="QA Manager",
    )
    assert reminder.next_run_at == due
    assert services.fire_due_reminders(now=due) == 1
    assert services.fire_due_reminders(now=due + DAY) == 1
    assert sent(owner) == [("task.overdue", "Overdue: Close CAPA-7")] * 2
    assert services.cancel_reminders(widget) == 1
    assert services.fire_due_reminders(now=due + 5 * DAY) == 0
    reminder.refresh_from_db()
    assert not reminder.is_active and reminder.cancelled_at is not None


def test_lead_times_already_past_are_skipped(widget):
    owner = make_user()
    due = timezone.now() + 2 * DAY
    reminder = services.schedule_reminder(
        "task.reminder", [owner], widget, due=due, subject="Audit", lead_times=(7 * DAY, DAY)
    )
    assert reminder.stage == 1 and reminder.next_run_at == due - DAY


def test_cancel_reminders_when_the_task_is_done_is_audited_and_can_pick_a_kind(widget):
    owner = make_user()
    services.schedule_reminder("task.reminder", [owner], widget, subject="Calibrate", every=DAY)
    services.schedule_reminder("approval.escalation", [owner], widget, subject="Escalate", every=DAY)
    other = Widget.objects.create(name="Other")
    services.schedule_reminder("task.reminder", [owner], other, subject="Other", every=DAY)

    assert services.cancel_reminders(widget, kind="task.reminder") == 1
    assert services.cancel_reminders(widget, kind="task.reminder") == 0
    active = Reminder.objects.filter(is_active=True)
    assert sorted(active.values_list("subject", flat=True)) == ["Escalate", "Other"]
    cancelled = Reminder.objects.get(subject="Calibrate")
    entry = history(cancelled).order_by("-id").first()
    assert entry.action == ChangeActionChoices.UPDATE and entry.changes["is_active"] == [True, False]
    assert services.cancel_reminders(widget) == 1
    assert list(Reminder.objects.filter(is_active=True).values_list("subject", flat=True)) == ["Other"]


def test_a_role_is_resolved_when_the_reminder_fires(widget):
    reminder = services.schedule_reminder(
        "task.reminder", ["QA Inspector"], widget, subject="Inspect", every=DAY
    )
    newcomer = make_user(role="QA Inspector")  # joined the role after scheduling
    services.fire_due_reminders(now=reminder.next_run_at)
    assert sent(newcomer) == [("task.reminder", "Inspect")]


def test_a_reminder_about_an_archived_or_deleted_record_stops_without_sending(widget):
    owner = make_user()
    reminder = services.schedule_reminder("task.reminder", [owner], widget, subject="Calibrate", every=DAY)
    widget.archive("Scrapped")
    assert services.fire_due_reminders(now=reminder.next_run_at) == 0
    reminder.refresh_from_db()
    assert not reminder.is_active and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"kind": "capa.nope", "every": DAY}, UnknownKind, "not registered"),
        ({}, ValueError, "needs a due date, an interval"),
        ({"every": timedelta(seconds=10)}, ValueError, "at least one minute"),
        ({"every": DAY, "lead_times": (DAY,)}, ValueError, "give due as well"),
        ({"due": "naive"}, ValueError, "timezone-aware"),
        ({"every": DAY, "escalate_to_role": "Chief Wizard"}, ValueError, "Unknown role"),
        ({"every": DAY, "recipients": []}, ValueError, "at least one recipient"),
        ({"every": DAY, "subject": " "}, ValueError, "needs a subject"),
    ],
)
def test_a_reminder_that_cannot_work_is_refused_and_nothing_is_written(widget, arguments, error, message):
    owner = make_user()
    values = {"kind": "task.reminder", "recipients": [owner], "subject": "Calibrate", **arguments}
    if values.get("due") == "naive":
        values["due"] = timezone.now().replace(tzinfo=None) + DAY
    kind = values.pop("kind")
    recipients = values.pop("recipients")
    before = ObjectChange.objects.count()
    with pytest.raises(error, match=message):
        services.schedule_reminder(kind, recipients, widget, **values)
    assert not Reminder.objects.exists() and ObjectChange.objects.count() == before
