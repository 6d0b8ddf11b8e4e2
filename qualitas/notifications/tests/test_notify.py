"""``notify``: fan-out to people and roles, the in-app row, e-mail by preference, the kinds
registry, and that fan-out costs a fixed number of queries whatever the number of recipients."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualitas.notifications import kinds, services
from qualitas.notifications.choices import DeliveryStatusChoices, ModeChoices
from qualitas.notifications.kinds import UnknownKind, get_kind, register_kind
from qualitas.notifications.models import Delivery, Notification, Preference
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget():
    return Widget.objects.create(name="Torque wrench", specification="10 Nm")


def test_notify_writes_one_notification_and_one_queued_email_per_person(
    widget, django_capture_on_commit_callbacks
):
    ann, ben = (
        make_user(role="QA Inspector", full_name="Ann"),
        make_user(role="QA Inspector", full_name="Ben"),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        rows = services.notify(
            "approval.request", [ann, ben, ann], "Approve the torque wrench", "Please review it.", obj=widget
        )
    assert [row.recipient_id for row in rows] == [ann.pk, ben.pk]
    assert len(callbacks) == 1  # one dispatch after the commit, not one per person
    for person in (ann, ben):
        notification = Notification.objects.get(recipient=person)
        assert (notification.kind, notification.subject, notification.message) == (
            "approval.request",
            "Approve the torque wrench",
            "Please review it.",
        )
        assert notification.url == widget.get_absolute_url()
        assert (notification.content_type.model, notification.object_id, notification.object_repr) == (
            "widget",
            str(widget.pk),
            str(widget),
        )
        assert notification.read_at is None and notification.urgent is False
        assert notification.email_mode == ModeChoices.IMMEDIATE
        delivery = notification.delivery
        assert (delivery.status, delivery.to_address, delivery.attempts) == (
            DeliveryStatusChoices.QUEUED,
            person.email,
            0,
        )
        assert delivery.subject == "Approve the torque wrench"


def test_roles_and_role_names_reach_their_active_members_once():
    manager = make_user(role="QA Manager")
    both = make_user(role="QA Manager")
    both.groups.add(Group.objects.get(name="Auditor"))
    inactive = make_user(role="QA Manager", is_active=False)
    auditor = make_user(role="Auditor")
    rows = services.notify("task.overdue", ["QA Manager", Group.objects.get(name="Auditor")], "Overdue")
    assert sorted(row.recipient_id for row in rows) == sorted([manager.pk, both.pk, auditor.pk])
    assert not Notification.objects.filter(recipient=inactive).exists()


def test_unknown_role_and_unknown_kind_are_clear_errors_and_write_nothing():
    person = make_user()
    with pytest.raises(ValueError, match="Unknown role"):
        services.notify("task.overdue", ["Chief Wizard"], "Overdue")
    with pytest.raises(UnknownKind, match="'capa.exploded' is not registered.*register_kind"):
        services.notify("capa.exploded", [person], "Boom")
    with pytest.raises(ValueError, match="subject"):
        services.notify("task.overdue", [person], "   ")
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_modules_register_their_own_kinds(monkeypatch):
    monkeypatch.setattr(kinds, "_kinds", dict(kinds._kinds))  # the registration ends with the test
    kind = register_kind("testapp.widget_due", "Widget due", urgent=True)
    assert get_kind("testapp.widget_due") is kind
    person = make_user()
    [row] = services.notify("testapp.widget_due", [person], "Widget due tomorrow")
    assert row.urgent is True  # the kind's default
    [row] = services.notify("testapp.widget_due", [person], "Not so urgent", urgent=False)
    assert row.urgent is False
    with pytest.raises(ValueError, match="without spaces"):
        register_kind("bad kind", "Bad")
    with pytest.raises(ValueError, match="mandatory"):
        register_kind("testapp.must", "Must", mandatory=True, default_mode="off")


def test_preferences_decide_the_email_and_never_the_in_app_notification():
    immediate, daily, weekly, off = (make_user() for _ in range(4))
    services.set_preferences(daily, {"approval.request": "daily"})
    services.set_preferences(weekly, {"approval.request": "weekly"})
    services.set_preferences(off, {"approval.request": "off"})
    services.notify("approval.request", [immediate, daily, weekly, off], "Approve SOP-1")
    rows = {row.recipient_id: row for row in Notification.objects.all()}
    assert {pk: (row.email_mode, row.delivery_id is not None) for pk, row in rows.items()} == {
        immediate.pk: ("immediate", True),
        daily.pk: ("daily", False),
        weekly.pk: ("weekly", False),
        off.pk: ("off", False),
    }
    assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [immediate.pk]


def test_an_urgent_quality_alert_is_mailed_at_once_even_to_a_digest_reader():
    reader = make_user()
    services.set_preferences(reader, {"quality.alert": "daily"})
    [urgent] = services.notify("quality.alert", [reader], "Pasteuriser below 72 °C")
    [routine] = services.notify("quality.alert", [reader], "Weekly SPC summary", urgent=False)
    assert urgent.urgent and urgent.email_mode == "immediate" and urgent.delivery is not None
    assert routine.email_mode == "daily" and routine.delivery is None


def test_quality_alert_email_cannot_be_turned_off():
    person = make_user()
    with pytest.raises(Exception) as error:
        services.set_preferences(person, {"quality.alert": "off", "task.reminder": "weekly"})
    assert "cannot be turned off" in str(error.value)
    assert not Preference.objects.exists()  # all or nothing


def test_fan_out_to_many_people_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    people = [make_user() for _ in range(60)]
    few = people[:3]

    def queries(recipients):
        with CaptureQueriesContext(connection) as captured:
            services.notify("approval.request", recipients, "Approve")
        return len(captured.captured_queries)

    small, large = queries(few), queries(people)
    assert large == small, f"{small} queries for 3 people, {large} for 60"
    assert small <= 8


def test_nobody_is_told_about_a_record_they_may_not_see():
    """A notification names the record and links to it: it goes only to people who may open it
    (the view permission, and a customer's own company's records)."""
    customer_company, other_company = make_company(kind="customer"), make_company(kind="customer")
    widget = Widget.objects.create(name="Bracket", customer=customer_company)
    inspector = make_user(role="QA Inspector")
    no_role = make_user()
    own_customer = make_user(role="Customer", company=customer_company)
    other_customer = make_user(role="Customer", company=other_company)
    for person in (own_customer, other_customer):  # customers read widgets of their own company
        person.user_permissions.add(*Permission.objects.filter(codename="view_widget"))
    rows = services.notify(
        "approval.request", [inspector, no_role, own_customer, other_customer], "Approve it", obj=widget
    )
    assert {row.recipient_id for row in rows} == {inspector.pk, own_customer.pk}
    assert not Notification.objects.filter(recipient__in=[no_role, other_customer]).exists()
    assert not Delivery.objects.filter(recipient__in=[no_role, other_customer]).exists()
    # Without a record there is nothing to hide.
    assert len(services.notify("task.reminder", [no_role, other_customer], "Calibrate the gauge")) == 2
