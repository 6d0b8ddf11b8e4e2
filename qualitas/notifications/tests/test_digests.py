"""Daily and weekly digests: when they go out, what they collect, one e-mail per person through a
real SMTP server, and never twice."""

import datetime

import pytest

from qualitas.notifications import sending, services
from qualitas.notifications.choices import DeliveryStatusChoices
from qualitas.notifications.models import Delivery, Notification
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day, hour, minute=0):
    """2026-03-<day> <hour>:<minute> UTC. 2026-03-02 is a Monday."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _digest_time(settings):
    settings.QUALITAS_NOTIFICATIONS_DIGEST_HOUR = 7
    settings.QUALITAS_NOTIFICATIONS_DIGEST_WEEKDAY = 0  # Monday
    settings.TIME_ZONE = "UTC"


def written(notification, when):
    Notification.objects.filter(pk=notification.pk).update(created=when)


@pytest.mark.parametrize(
    ("now", "daily", "weekly"),
    [
        (at(4, 9), at(4, 7), at(2, 7)),  # Wednesday morning
        (at(4, 6, 59), at(3, 7), at(2, 7)),  # before the hour: yesterday's digest
        (at(2, 7), at(2, 7), at(2, 7)),  # Monday at the hour exactly
        (at(2, 6), at(1, 7), datetime.datetime(2026, 2, 23, 7, tzinfo=UTC)),  # Monday before the hour
        (at(8, 23), at(8, 7), at(2, 7)),  # Sunday night
    ],
)
def test_digest_moments(now, daily, weekly):
    assert services.digest_moment("daily", now) == daily
    assert services.digest_moment("weekly", now) == weekly


def test_a_daily_digest_collects_the_day_into_one_email(smtp_server, settings):
    settings.QUALITAS_SITE_URL = "https://qms.example.com"
    ann, ben = make_user(email="ann@example.com"), make_user(email="ben@example.com")
    services.set_preferences(ann, {"approval.request": "daily", "task.reminder": "daily"})
    services.set_preferences(ben, {"approval.request": "daily"})
    [first] = services.notify("approval.request", [ann], "Approve SOP-1", "Version 3 is ready.")
    [second] = services.notify("task.reminder", [ann], "Calibrate gauge G-12")
    [late] = services.notify("approval.request", [ann], "Approve SOP-2")
    [bens] = services.notify("approval.request", [ben], "Approve SOP-9")
    written(first, at(3, 9))
    written(second, at(3, 16))
    written(late, at(4, 7, 30))  # after this morning's digest time: tomorrow's digest
    written(bens, at(4, 6, 30))
    assert not Delivery.objects.exists()  # nothing was mailed at once

    queued = services.send_digests(now=at(4, 7, 5))
    assert sorted(delivery.recipient_id for delivery in queued) == sorted([ann.pk, ben.pk])
    anns = next(delivery for delivery in queued if delivery.recipient_id == ann.pk)
    assert (anns.digest, anns.kind, anns.subject) == (
        "daily",
        "digest.daily",
        "Daily digest: 2 notifications",
    )
    assert set(anns.notifications.values_list("pk", flat=True)) == {first.pk, second.pk}
    late.refresh_from_db()
    assert late.delivery is None

    assert services.send_digests(now=at(4, 7, 15)) == []  # a later run the same morning: nothing new
    assert sending.send_due() == (2, 0)
    mails = {mail.rcpt_tos[0]: mail for mail in smtp_server.wait_for(2)}
    mail = mails["ann@example.com"]
    assert mail["Subject"] == "[Qualitas] Daily digest: 2 notifications"
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "Approve SOP-1" in body and "Calibrate gauge G-12" in body and "Approve SOP-2" not in body
        assert f"https://qms.example.com/notifications/{first.pk}/open/" in body
    assert "Version 3 is ready." in text
    assert "Approve SOP-9" in mails["ben@example.com"].body

    [tomorrow] = services.send_digests(now=at(5, 7, 1))
    assert list(tomorrow.notifications.all()) == [late]


def test_a_weekly_digest_waits_for_its_weekday(smtp_server):
    reader = make_user()
    services.set_preferences(reader, {"task.reminder": "weekly"})
    [notification] = services.notify("task.reminder", [reader], "Review the HACCP plan")
    written(notification, at(3, 10))  # Tuesday
    for day in (4, 5, 6, 7, 8):  # Wednesday to Sunday
        assert services.send_digests(now=at(day, 12)) == []
    assert services.send_digests(now=at(9, 6)) == []  # Monday, before the hour
    [delivery] = services.send_digests(now=at(9, 7, 10))
    assert delivery.digest == "weekly" and delivery.subject == "Weekly digest: 1 notification"
    assert delivery.status == DeliveryStatusChoices.QUEUED
    sending.send_due()
    assert "Review the HACCP plan" in smtp_server.wait_for(1)[0].body


def test_off_means_no_email_at_all_but_the_notification_is_listed():
    quiet = make_user()
    services.set_preferences(quiet, {"approval.request": "off"})
    [notification] = services.notify("approval.request", [quiet], "Approve SOP-3")
    written(notification, at(1, 8))
    assert services.send_digests(now=at(9, 8)) == []
    assert not Delivery.objects.exists()
    assert list(services.notifications_for(quiet)) == [notification]
    assert services.unread_count(quiet) == 1
