"""The pages: the outbox through the generic page tests, its audited cancel and retry pages, and
each person's notifications, bell, menu and e-mail preferences."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from qualitas.core.audit import history
from qualitas.core.choices import ChangeActionChoices
from qualitas.notifications import sending, services
from qualitas.notifications.choices import DeliveryStatusChoices as Status
from qualitas.notifications.models import Delivery, Notification, Preference
from qualitas.testing.factories import make_user
from qualitas.testing.records import WriteCheck
from qualitas.testing.testapp.models import Widget
from qualitas.testing.views import DetailViewTests, ExportViewTests, ListViewTests, ReadOnlyPagesTests

pytestmark = pytest.mark.django_db


def make_delivery(**fields):
    [notification] = services.notify("approval.request", [make_user(**fields)], "Approve SOP-QA-0012")
    return notification.delivery


class TestDeliveryViews(ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """The outbox: read-only pages, no history of its own (deliveries are messages), no add, edit
    or archive; customers never see it."""

    model = Delivery

    def make_object(self, company=None):
        return make_delivery()


def failed_delivery(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    delivery = make_delivery(email="left@example.com")
    sending.send_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING
    return delivery


@pytest.fixture
def closed_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_outbox_shows_failing_emails_with_their_last_error(client, settings, closed_port):
    delivery = failed_delivery(settings, closed_port)
    client.force_login(make_user(role="Admin"))
    page = client.get("/notifications/e-mail-deliveries/", {"status": "retrying"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Approve SOP-QA-0012" in html and "left@example.com" in html and "ConnectionRefusedError" in html
    detail = client.get(delivery.get_absolute_url()).content.decode()
    assert "Failed, retrying" in detail and "Cancel e-mail" in detail and "Retry now" in detail


def test_an_administrator_cancels_from_the_page_with_a_reason(client, settings, closed_port):
    delivery = failed_delivery(settings, closed_port)
    admin = make_user(role="Admin")
    client.force_login(admin)
    url = f"{delivery.get_absolute_url()}actions/cancel/"
    assert client.get(url).status_code == 200
    check = WriteCheck(Delivery, delivery)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    check.assert_nothing_written()

    response = client.post(url, {"reason": "Address no longer valid"})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.cancel_reason) == (Status.CANCELLED, "Address no longer valid")
    entry = history(delivery).get()
    assert (entry.action, entry.user_id, entry.reason) == (
        ChangeActionChoices.TRANSITION,
        admin.pk,
        "Address no longer valid",
    )
    detail = client.get(delivery.get_absolute_url()).content.decode()
    assert "Address no longer valid" in detail and admin.full_name in detail


def test_only_administrators_may_cancel_or_retry(client, settings, closed_port):
    delivery = failed_delivery(settings, closed_port)
    client.force_login(make_user(role="QA Manager"))  # may read the outbox, not change it
    assert client.get(delivery.get_absolute_url()).status_code == 200
    check = WriteCheck(Delivery, delivery)
    for name, data in (("cancel", {"reason": "Mine now"}), ("retry", {})):
        response = client.post(f"{delivery.get_absolute_url()}actions/{name}/", data)
        assert response.status_code in (403, 409)
    check.assert_nothing_written()


def test_retry_now_from_the_page(client, settings, closed_port):
    delivery = failed_delivery(settings, closed_port)
    client.force_login(make_user(role="Admin"))
    response = client.post(f"{delivery.get_absolute_url()}actions/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.next_attempt_at <= timezone.now()


# --- Your notifications -------------------------------------------------------------------------


@pytest.fixture
def widget():
    return Widget.objects.create(name="Torque wrench", specification="10 Nm")


def test_the_list_shows_only_my_notifications_and_filters_unread(client, widget):
    me, someone = make_user(role="QA Inspector"), make_user(role="QA Inspector")
    services.notify("approval.request", [me], "Approve the wrench", "Please.", obj=widget)
    [old] = services.notify("task.reminder", [me], "Calibrate gauge")
    services.notify("approval.request", [someone], "Someone else's")
    services.mark_read(me, [old])
    client.force_login(me)
    html = client.get("/notifications/").content.decode()
    assert "Approve the wrench" in html and "Calibrate gauge" in html and "Someone else&#x27;s" not in html
    assert "1 unread" in html
    unread = client.get("/notifications/", {"unread": "true"}).content.decode()
    assert "Approve the wrench" in unread and "Calibrate gauge" not in unread
    assert client.get("/notifications/", {"kind": "nonsense"}).status_code == 200


def test_opening_marks_read_and_leads_to_the_record(client, widget):
    me, other = make_user(role="QA Inspector"), make_user(role="QA Inspector")
    [notification] = services.notify("approval.request", [me], "Approve", obj=widget)
    client.force_login(other)
    assert client.get(notification.get_absolute_url()).status_code == 404  # not theirs
    client.force_login(me)
    response = client.get(notification.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == widget.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_outside_url_is_never_followed(client):
    me = make_user()
    [notification] = services.notify("approval.request", [me], "Phish", url="https://evil.example/")
    client.force_login(me)
    response = client.get(notification.get_absolute_url())
    assert response["Location"] == "/notifications/"


def test_mark_read_unread_and_all(client):
    me, other = make_user(), make_user()
    first, second = (services.notify("approval.request", [me], f"N{i}")[0] for i in range(2))
    [theirs] = services.notify("approval.request", [other], "Theirs")
    client.force_login(me)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    response = client.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications:refresh"
    assert "Mark unread" in response.content.decode()
    assert services.unread_count(me) == 1
    client.post(f"/notifications/{first.pk}/read/", {"read": "0"})
    assert services.unread_count(me) == 2
    response = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    assert services.unread_count(me) == 0 and services.unread_count(other) == 1
    assert client.get("/notifications/read-all/").status_code == 405
    second.refresh_from_db()
    assert second.read_at is not None


def test_the_bell_counts_unread_and_does_not_keep_the_session_alive(client):
    me = make_user()
    client.force_login(me)
    assert client.get("/notifications/bell/").content.decode().strip() == ""
    services.notify("approval.request", [me], "One")
    services.notify("approval.request", [me], "Two")
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timezone.timedelta(minutes=5))
    response = client.get("/notifications/bell/")
    assert 'data-count="2"' in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies
    session.refresh_from_db()
    assert session.expire_date < timezone.now() + timezone.timedelta(minutes=6)  # not renewed

    client.get("/notifications/")  # a page the person opens is activity
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timezone.timedelta(minutes=25)


def test_the_bell_asks_an_anonymous_page_to_stop_polling():
    response = Client().get("/notifications/bell/")
    assert response.status_code == 286


def test_the_menu_lists_the_latest(client):
    me = make_user()
    for index in range(10):
        services.notify("approval.request", [me], f"Request {index}")
    client.force_login(me)
    html = client.get("/notifications/menu/").content.decode()
    assert "Request 9" in html and "Request 2" in html and "Request 1" not in html
    assert "Mark all read" in html and "E-mail preferences" in html
    assert Client().get("/notifications/menu/").status_code == 401


def test_every_page_carries_the_bell_and_the_stream_hook(client):
    client.force_login(make_user())
    html = client.get("/notifications/").content.decode()
    assert 'id="notification-bell"' in html and 'hx-get="/notifications/bell/"' in html
    assert 'data-stream-url="/notifications/stream/"' in html and "dist/islands/notifications.js" in html


def test_pages_need_a_sign_in():
    anonymous = Client()
    for url in ("/notifications/", "/notifications/preferences/", "/notifications/1/open/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_page_saves_changes_and_audits_them(client):
    me = make_user()
    client.force_login(me)
    page = client.get("/notifications/preferences/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Approval request" in html and "Quality alert" in html and "Daily digest" in html
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data.update({"approval.request": "daily", "task.reminder": "off"})
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 302 and response["Location"] == "/notifications/preferences/?saved=2"
    assert dict(Preference.objects.filter(user=me).values_list("kind", "mode")) == {
        "approval.request": "daily",
        "task.reminder": "off",
    }
    preference = Preference.objects.get(user=me, kind="approval.request")
    entry = history(preference).get()
    assert entry.action == ChangeActionChoices.CREATE and entry.user_id == me.pk
    assert "Preferences saved (2 changed)" in client.get(response["Location"]).content.decode()

    data["approval.request"] = "weekly"
    client.post("/notifications/preferences/", data)
    preference.refresh_from_db()
    assert preference.mode == "weekly"
    assert history(preference).order_by("-id").first().changes == {"mode": ["daily", "weekly"]}


def test_quality_alerts_cannot_be_turned_off_on_the_page(client):
    me = make_user()
    client.force_login(me)
    form = client.get("/notifications/preferences/").context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data.update({"quality.alert": "off", "approval.request": "weekly"})
    check = WriteCheck(Preference)
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 400
    assert "Urgent quality alerts cannot be turned off." in response.content.decode()
    check.assert_nothing_written()
    # Garbage is a form error too, never a 500.
    response = client.post("/notifications/preferences/", {**data, "quality.alert": "x" * 5000})
    assert response.status_code == 400
    check.assert_nothing_written()


def test_a_preference_applies_to_the_next_notification(client):
    me = make_user()
    client.force_login(me)
    form = client.get("/notifications/preferences/").context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["approval.request"] = "off"
    client.post("/notifications/preferences/", data)
    [notification] = services.notify("approval.request", [me], "Approve")
    assert notification.email_mode == "off" and not Delivery.objects.exists()
    assert Notification.objects.filter(recipient=me).count() == 1


def test_a_session_that_owes_a_security_step_gets_no_bell_and_no_stream(client):
    """Their background requests would be sent to the step's page, which would load them again."""
    person = make_user()
    person.must_change_password = True
    person.save()
    client.force_login(person)
    response = client.get("/notifications/")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Change password" in html
    assert 'id="notification-bell"' not in html and "data-stream-url" not in html
