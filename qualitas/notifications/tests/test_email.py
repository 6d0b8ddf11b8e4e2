"""E-mail through a real SMTP server on loopback (aiosmtpd): the message as it arrives, failures
retried with exponential backoff and jitter and never lost, the administrator's audited cancel and
retry, a sender that died mid-send, and a lost task dispatch."""

import random
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qualitas.core.audit import history
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import DomainEvent
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.framework.context import change_context
from qualitas.notifications import sending, services
from qualitas.notifications.actions import CancelDelivery, RetryDelivery
from qualitas.notifications.choices import DeliveryStatusChoices as Status
from qualitas.notifications.models import Delivery
from qualitas.testing.factories import make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

BASE = 60
CAP = 6 * 3600


@pytest.fixture
def widget():
    return Widget.objects.create(name="Torque wrench", specification="10 Nm")


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _backoff(settings):
    settings.QUALITAS_NOTIFICATIONS_RETRY_BASE_SECONDS = BASE
    settings.QUALITAS_NOTIFICATIONS_RETRY_CAP_SECONDS = CAP
    settings.QUALITAS_SITE_URL = "https://qms.example.com"


def test_the_email_arrives_with_text_and_html_parts_and_the_right_recipients(
    smtp_server, widget, django_capture_on_commit_callbacks
):
    ann = make_user(role="QA Inspector", email="ann@example.com")
    ben = make_user(role="QA Inspector", email="ben@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notifications = services.notify(
            "approval.request", [ann, ben], "Approve WID-1", "Quinn asks you to approve it.", obj=widget
        )
    mails = sorted(smtp_server.wait_for(2), key=lambda mail: mail.rcpt_tos)
    assert [mail.rcpt_tos for mail in mails] == [["ann@example.com"], ["ben@example.com"]]
    mail = mails[0]
    notification = next(n for n in notifications if n.recipient_id == ann.pk)
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "[Qualitas] Approve WID-1"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Qualitas-Kind"] == "approval.request"
    assert mail.message.get_content_type() == "multipart/alternative"
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    link = f"https://qms.example.com/notifications/{notification.pk}/open/"
    for body in (text, html):
        assert "Approve WID-1" in body and "Quinn asks you to approve it." in body
        assert link in body and str(widget) in body
        assert "https://qms.example.com/notifications/preferences/" in body
    assert "<html" in html and "<html" not in text
    delivery = Delivery.objects.get(recipient=ann)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 1, "")
    assert delivery.sent_at is not None
    assert delivery.message_id == mail["Message-ID"].strip()


def test_a_failure_is_retried_with_growing_jittered_delays_and_never_lost(smtp_server, settings, closed_port):
    person = make_user(email="quinn@example.com")
    [notification] = services.notify("task.overdue", [person], "CAPA-7 is overdue")
    delivery = notification.delivery
    settings.EMAIL_PORT = closed_port  # the mail server is down

    clock = timezone.now()
    for attempt in range(1, 12):
        before = timezone.now()
        assert sending.send_due(now=clock) == (0, 1)
        delivery.refresh_from_db()
        after = timezone.now()
        assert delivery.status == Status.RETRYING and delivery.attempts == attempt
        assert "ConnectionRefusedError" in delivery.last_error
        ceiling = min(CAP, BASE * 2 ** (attempt - 1))
        # Equal jitter: at least half the exponential delay, at most all of it.
        assert before + timedelta(seconds=ceiling / 2) <= delivery.next_attempt_at
        assert delivery.next_attempt_at <= after + timedelta(seconds=ceiling)
        # Not due yet: a run now leaves it alone.
        assert sending.send_due(now=after) == (0, 0)
        clock = delivery.next_attempt_at
    assert ceiling == CAP  # the delay reached its cap and stays there; the mail is still queued

    settings.EMAIL_PORT = smtp_server.port  # the server is back
    assert sending.send_due(now=clock) == (1, 0)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["quinn@example.com"] and mail["Subject"] == "[Qualitas] CAPA-7 is overdue"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 12, "")


def test_backoff_delay_bounds_and_jitter():
    rng = random.Random(20260301)
    for attempts in range(1, 16):
        ceiling = min(CAP, BASE * 2 ** (attempts - 1))
        delays = [sending.backoff_delay(attempts, BASE, CAP, rng) for _ in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert max(delays) - min(delays) > ceiling / 4  # really random, not a fixed offset
    assert sending.backoff_delay(1, BASE, CAP, random.Random(1)) != sending.backoff_delay(
        1, BASE, CAP, random.Random(2)
    )


def test_an_administrator_cancels_a_failing_email_with_a_reason_and_it_is_audited(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    admin = make_user(role="Admin", full_name="Ada Admin")
    manager = make_user(role="QA Manager")
    [notification] = services.notify("task.overdue", [make_user(email="gone@example.com")], "Overdue")
    sending.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.RETRYING

    with pytest.raises(PermissionDenied):
        CancelDelivery(delivery, manager).execute(reason="Not mine to cancel")
    with pytest.raises(TransitionNotAllowed, match="a reason is required"):
        CancelDelivery(delivery, admin).execute(reason="  ")
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING and not history(delivery).exists()

    with change_context(user=admin):
        CancelDelivery(delivery, admin).execute(reason="The address left the company")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.cancel_reason) == (Status.CANCELLED, "The address left the company")
    [entry] = history(delivery)
    assert entry.action == ChangeActionChoices.TRANSITION
    assert (entry.user_id, entry.reason) == (admin.pk, "The address left the company")
    assert entry.changes["status"] == [Status.RETRYING, Status.CANCELLED]
    event = DomainEvent.objects.get(name="notifications.delivery_cancelled")
    assert event.object_id == str(delivery.pk) and event.user_id == admin.pk

    # Cancelled is final: the send run leaves it alone, and it cannot be cancelled twice.
    assert sending.send_due(now=timezone.now() + timedelta(days=30)) == (0, 0)
    with pytest.raises(TransitionNotAllowed):
        CancelDelivery(delivery, admin).execute(reason="again")
    notification.refresh_from_db()
    assert notification.delivery_id == delivery.pk  # the in-app notification stays


def test_retry_now_puts_a_failed_email_back_in_the_queue_at_once(smtp_server, settings, closed_port):
    admin = make_user(role="Admin")
    services.notify("task.overdue", [make_user(email="late@example.com")], "Overdue")
    settings.EMAIL_PORT = closed_port
    sending.send_due()
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=BASE / 2 - 1)
    assert sending.send_due() == (0, 0)

    settings.EMAIL_PORT = smtp_server.port
    RetryDelivery(delivery, admin).execute()
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.next_attempt_at <= timezone.now()
    assert history(delivery).get().action == ChangeActionChoices.TRANSITION
    assert sending.send_due() == (1, 0)
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["late@example.com"]


def test_an_email_whose_sender_died_is_sent_after_the_lease(smtp_server, settings):
    settings.QUALITAS_NOTIFICATIONS_SEND_LEASE_SECONDS = 300
    services.notify("task.overdue", [make_user(email="lease@example.com")], "Overdue")
    [claimed] = sending.claim()  # a worker claims it ... and dies before sending
    claimed.refresh_from_db()
    assert claimed.status == Status.SENDING
    assert sending.send_due() == (0, 0)  # another worker leaves it alone during the lease
    assert sending.send_due(now=timezone.now() + timedelta(seconds=301)) == (1, 0)
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["lease@example.com"]


def test_a_lost_task_dispatch_loses_nothing(smtp_server, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(sending.send_deliveries, "delay", broker_down)
    people = [make_user() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify("approval.request", people, "Approve")
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert smtp_server.messages == []
    assert sending.send_due() == (3, 0)  # the periodic run
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.wait_for(3)) == sorted(p.email for p in people)


def test_a_batch_is_dispatched_as_one_task_message_per_batch(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.QUALITAS_NOTIFICATIONS_SEND_BATCH = 4
    calls = []
    monkeypatch.setattr(sending.send_deliveries, "delay", lambda ids: calls.append(list(ids)))
    people = [make_user() for _ in range(10)]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify("approval.request", people, "Approve")
    assert [len(batch) for batch in calls] == [4, 4, 2]
    assert sorted(pk for batch in calls for pk in batch) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )


def test_a_kind_with_its_own_templates_uses_them_and_others_fall_back(smtp_server):
    person = make_user(email="qa@example.com")
    services.notify("quality.alert", [person], "Metal detector check failed", "Line 2, 14:05.")
    services.notify("task.reminder", [person], "Calibrate G-12")
    assert sending.send_due() == (2, 0)
    mails = {mail["X-Qualitas-Kind"]: mail for mail in smtp_server.wait_for(2)}
    alert = mails["quality.alert"]
    text = alert.message.get_body(preferencelist=("plain",)).get_content()
    html = alert.message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("URGENT QUALITY ALERT") and "contain the product" in text
    assert "Urgent quality alert" in html and "contain the product" in html and "Line 2, 14:05." in html
    reminder = mails["task.reminder"].message.get_body(preferencelist=("plain",)).get_content()
    assert reminder.startswith("Task reminder") and "contain the product" not in reminder
