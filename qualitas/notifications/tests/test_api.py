"""The API: the outbox through the generic API tests plus its audited actions, your own
notifications (``/api/v1/notifications/``) and your e-mail preferences
(``/api/v1/notification-preferences/``)."""

import socket

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from qualitas.core.audit import history
from qualitas.core.choices import ChangeActionChoices
from qualitas.notifications import sending, services
from qualitas.notifications.choices import DeliveryStatusChoices as Status
from qualitas.notifications.models import Delivery, Preference
from qualitas.testing.api import ExportTests, GetObjectTests, ListObjectsTests, assert_error
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import WriteCheck
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


def make_delivery(**fields):
    [notification] = services.notify("approval.request", [make_user(**fields)], "Approve SOP-QA-0012")
    return notification.delivery


class TestDeliveryAPI(GetObjectTests, ListObjectsTests, ExportTests):
    """The outbox has only the view permission (and the administrators' cancel permission), so
    the generic read-only test, which grants add/change/delete first, is replaced below."""

    model = Delivery

    def make_object(self, company=None):
        return make_delivery()

    def test_writes_are_not_allowed(self):
        delivery = self.make_object()
        self.login("view")
        for method, url in (
            ("post", self.list_url()),
            ("put", self.detail_url(delivery)),
            ("patch", self.detail_url(delivery)),
            ("delete", self.detail_url(delivery)),
        ):
            check = WriteCheck(self.model, delivery)
            assert_error(getattr(self.client, method)(url, {}, format="json"), 405)
            check.assert_nothing_written()


@pytest.fixture
def failed(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    delivery = make_delivery(email="left@example.com")
    sending.send_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING
    return delivery


def action_url(delivery, name):
    return f"/api/v1/notification-deliveries/{delivery.pk}/actions/{name}/"


def test_an_administrator_cancels_through_the_api_with_a_reason(failed):
    client = APIClient()
    admin = make_user(role="Admin")
    client.force_authenticate(admin)
    check = WriteCheck(Delivery, failed)
    body = assert_error(client.post(action_url(failed, "cancel"), {}, format="json"), 409)
    assert "a reason is required" in body["errors"]["blockers"]
    body = assert_error(client.post(action_url(failed, "cancel"), {"reason": ["x"]}, format="json"), 400)
    assert "reason" in body["errors"]
    assert_error(client.post(action_url(failed, "explode"), {"reason": "x"}, format="json"), 404)
    check.assert_nothing_written()

    response = client.post(action_url(failed, "cancel"), {"reason": "Bounced twice"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "Bounced twice"
    entry = history(failed).get()
    assert (entry.action, entry.user_id, entry.reason) == (
        ChangeActionChoices.TRANSITION,
        admin.pk,
        "Bounced twice",
    )


def test_retry_through_the_api_and_who_may(failed):
    client = APIClient()
    client.force_authenticate(make_user(role="Auditor"))  # reads the outbox, changes nothing
    assert client.get(f"/api/v1/notification-deliveries/{failed.pk}/").status_code == 200
    check = WriteCheck(Delivery, failed)
    assert_error(client.post(action_url(failed, "retry"), {}, format="json"), 403)
    check.assert_nothing_written()
    client.force_authenticate(make_user(role="Admin"))
    response = client.post(action_url(failed, "retry"), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "queued"
    customer = make_user(role="Customer")
    client.force_authenticate(customer)
    assert_error(client.get(f"/api/v1/notification-deliveries/{failed.pk}/"), 403)


# --- Your notifications -------------------------------------------------------------------------


def test_my_notifications_only_with_the_unread_filter():
    me, other = make_user(role="Customer", company=make_company(kind="customer")), make_user(role="Admin")
    widget = Widget.objects.create(name="Torque wrench", customer=me.company)
    me.user_permissions.add(*Permission.objects.filter(codename="view_widget"))  # their own widgets
    [first] = services.notify("approval.request", [me], "Approve", "Please.", obj=widget)
    [second] = services.notify("quality.alert", [me], "Pasteuriser below limit")
    [theirs] = services.notify("approval.request", [other], "Theirs")
    services.mark_read(me, [first])
    client = APIClient()
    assert_error(client.get("/api/v1/notifications/"), 401)
    client.force_authenticate(me)
    body = client.get("/api/v1/notifications/").json()
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    row = body["results"][1]
    assert row["record"] == {"type": "testapp.widget", "id": str(widget.pk), "display": str(widget)}
    assert row["url"] == widget.get_absolute_url() and row["is_read"] is True
    assert row["open_url"].endswith(f"/notifications/{first.pk}/open/")
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [second.pk] and unread[0]["urgent"] is True
    urgent = client.get("/api/v1/notifications/", {"urgent": "true"}).json()["results"]
    assert [row["id"] for row in urgent] == [second.pk]
    # Somebody else's notification does not exist for me, whatever my role.
    assert_error(client.get(f"/api/v1/notifications/{theirs.pk}/"), 404)
    assert_error(client.post(f"/api/v1/notifications/{theirs.pk}/read/"), 404)
    assert_error(client.get("/api/v1/notifications/", {"kind": "nonsense"}), 400)


def test_mark_read_unread_all_and_count():
    me, other = make_user(), make_user()
    first, second = (services.notify("approval.request", [me], f"N{i}")[0] for i in range(2))
    services.notify("approval.request", [other], "Theirs")
    client = APIClient()
    client.force_authenticate(me)
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    response = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    response = client.post(f"/api/v1/notifications/{first.pk}/unread/")
    assert response.json()["read_at"] is None
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert services.unread_count(other) == 1
    assert_error(client.delete(f"/api/v1/notifications/{second.pk}/"), 405)
    assert_error(client.patch(f"/api/v1/notifications/{second.pk}/", {"subject": "x"}, format="json"), 405)


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_list_and_change():
    me = make_user()
    client = APIClient()
    assert_error(client.get("/api/v1/notification-preferences/"), 401)
    client.force_authenticate(me)
    rows = {row["kind"]: row for row in client.get("/api/v1/notification-preferences/").json()}
    assert rows["quality.alert"]["mandatory"] is True and "off" not in rows["quality.alert"]["modes"]
    assert rows["approval.request"] == {
        "kind": "approval.request",
        "label": "Approval request",
        "description": rows["approval.request"]["description"],
        "urgent": False,
        "mandatory": False,
        "modes": ["immediate", "daily", "weekly", "off"],
        "mode": "immediate",
        "is_default": True,
    }
    response = client.patch(
        "/api/v1/notification-preferences/approval.request/", {"mode": "weekly"}, format="json"
    )
    assert response.status_code == 200 and response.json()["mode"] == "weekly"
    assert response.json()["is_default"] is False
    preference = Preference.objects.get(user=me, kind="approval.request")
    assert history(preference).get().user_id == me.pk
    assert client.get("/api/v1/notification-preferences/approval.request/").json()["mode"] == "weekly"


def test_bad_preferences_are_4xx_with_field_messages_and_write_nothing():
    me = make_user()
    client = APIClient()
    client.force_authenticate(me)
    check = WriteCheck(Preference)
    body = assert_error(
        client.patch("/api/v1/notification-preferences/quality.alert/", {"mode": "off"}, format="json"), 400
    )
    assert "cannot be turned off" in body["errors"]["mode"][0]
    body = assert_error(
        client.put("/api/v1/notification-preferences/task.reminder/", {"mode": "hourly"}, format="json"), 400
    )
    assert "mode" in body["errors"]
    assert_error(client.patch("/api/v1/notification-preferences/task.reminder/", {}, format="json"), 400)
    assert_error(
        client.patch("/api/v1/notification-preferences/capa.nope/", {"mode": "daily"}, format="json"), 404
    )
    assert_error(client.post("/api/v1/notification-preferences/", {"mode": "daily"}, format="json"), 405)
    check.assert_nothing_written()
