"""The audit API: verification, the three read-only logs with their filters and export, and the
history of any record."""

import datetime
import io
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from qualitas.accounts.models import Company, User
from qualitas.core import access, audit
from qualitas.core.choices import AccessKindChoices
from qualitas.core.events import emit
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.framework.context import change_context
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/audit/verify/"
CHANGES = "/api/v1/audit/changes/"
EVENTS = "/api/v1/audit/events/"
ACCESS = "/api/v1/audit/access/"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def auditor(client):
    user = make_user(role="Auditor", full_name="Ada Auditor")
    client.force_login(user)
    return user


def assert_refused(response, status):
    assert response.status_code == status, response.content
    assert response.json()["status"] == status


def assert_anonymous_refused(response):
    # 401 once token authentication (with a WWW-Authenticate challenge) is configured; with
    # session authentication only, DRF answers 403. Either way: "not authenticated".
    assert response.status_code in (401, 403), response.content
    assert response.json()["code"] == "not_authenticated"


def tamper(sql, params):
    with append_only_suspended() as cursor:
        cursor.execute(sql, params)


def verified_events():
    return DomainEvent.objects.filter(name="audit.verified").order_by("id")


# --- Verification -------------------------------------------------------------------------------


def test_verify_anonymous_is_refused_and_records_nothing(client):
    make_company()
    assert_anonymous_refused(client.get(VERIFY))
    assert not verified_events().exists()


@pytest.mark.parametrize("role", [None, "Production Operator", "Customer"])
def test_verify_without_the_audit_permission_is_forbidden(client, role):
    user = make_user(role=role, company=make_company(kind="customer") if role == "Customer" else None)
    assert not user.has_perm("core.view_objectchange")
    client.force_login(user)
    assert_refused(client.get(VERIFY), 403)
    assert not verified_events().exists()


@pytest.mark.parametrize("role", ["Admin", "QA Manager", "Auditor"])
def test_verify_returns_the_result_and_records_an_event(client, role):
    for _ in range(3):
        make_company()
    user = make_user(role=role)
    client.force_login(user)

    response = client.get(VERIFY)

    assert response.status_code == 200
    body = response.json()
    expected = audit.verify(seal_first=False).as_dict()
    assert body == expected
    assert body["ok"] is True and body["checked"] == ObjectChange.objects.count() and body["unsealed"] == 0
    event = verified_events().get()
    assert event.user_id == user.pk
    assert event.data == {**body, "source": "api"}
    assert event.message.startswith("Audit trail intact")


def test_verify_reports_the_first_broken_entry_with_http_200(client, auditor):
    companies = [make_company() for _ in range(4)]
    victim = audit.history(companies[1]).get()
    tamper("UPDATE core_objectchange SET object_repr = %s WHERE id = %s", ["Forged", victim.pk])

    response = client.get(VERIFY)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["first_broken_entry"] == victim.pk
    assert f"#{victim.pk}" in body["problem"]
    event = verified_events().get()
    assert event.data["ok"] is False and event.data["first_broken_entry"] == victim.pk
    assert f"#{victim.pk}" in event.message


def test_verify_changes_nothing(client, auditor):
    # GET verifies now, POST verifies as a job; nothing else is allowed.
    for method in (client.put, client.patch, client.delete):
        assert_refused(method(VERIFY, {}), 405)


# --- The three logs -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CHANGES, EVENTS, ACCESS])
def test_logs_refuse_anonymous_users(client, url):
    make_company()
    assert_anonymous_refused(client.get(url))


@pytest.mark.parametrize(
    ("url", "permission"),
    [(CHANGES, "view_objectchange"), (EVENTS, "view_domainevent"), (ACCESS, "view_accesslog")],
)
def test_logs_need_their_own_permission(client, url, permission):
    user = make_user()
    client.force_login(user)
    assert_refused(client.get(url), 403)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="core", codename=permission))
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(url).status_code == 200


def test_customers_see_no_log_rows(client):
    """Even with the model permission, the scoping of the logs gives customers nothing."""
    customer = make_user(role="Customer", company=make_company(kind="customer"))
    customer.user_permissions.add(Permission.objects.get(codename="view_objectchange"))
    client.force_login(User.objects.get(pk=customer.pk))
    make_company()
    response = client.get(CHANGES)
    assert response.status_code == 200 and response.json()["count"] == 0


def test_changes_list_and_detail(client, auditor):
    with change_context(user=auditor, reason="new supplier"):
        company = Company.objects.create(name="Acme Dairy", kind="supplier")
    audit.seal()
    entry = audit.history(company).get()

    response = client.get(CHANGES, {"content_type": "accounts.company"})
    assert response.status_code == 200
    row = next(row for row in response.json()["results"] if row["id"] == entry.pk)
    assert row["action"] == "create" and row["action_display"] == "Created"
    assert row["model"] == "accounts.company"
    assert row["object_id"] == str(company.pk) and row["object_repr"] == "Acme Dairy"
    assert row["user"] == auditor.pk and row["user_name"] == "Ada Auditor"
    assert row["reason"] == "new supplier"
    assert row["changes"]["name"] == [None, "Acme Dairy"]
    assert row["entry_hash"] == entry.entry_hash
    assert row["sequence"] == entry.link.seq
    assert row["url"].endswith(f"/audit/changes/{entry.pk}/")

    detail = client.get(f"{CHANGES}{entry.pk}/")
    assert detail.status_code == 200 and detail.json() == row


def test_logs_cannot_be_written_through_the_api(client):
    admin = make_user(role="Admin")
    client.force_login(admin)
    entry = audit.history(make_company()).get()
    assert_refused(client.post(CHANGES, {"object_repr": "x"}), 405)
    assert_refused(client.patch(f"{CHANGES}{entry.pk}/", {"reason": "x"}), 405)
    assert_refused(client.delete(f"{CHANGES}{entry.pk}/"), 405)
    assert_refused(client.put(f"{EVENTS}1/", {}), 405)
    assert ObjectChange.objects.get(pk=entry.pk).reason == ""


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_changes_filter_by_user_model_action_and_record(client, auditor):
    alice, bob = make_user(full_name="Alice"), make_user(full_name="Bob")
    with change_context(user=alice):
        by_alice = make_company(name="Alice Foods")
    with change_context(user=bob):
        by_bob = make_company(name="Bob Metals")
        by_bob.country = "NL"
        by_bob.save()
        by_bob.archive("duplicate")
    alice_entries = {e.pk for e in ObjectChange.objects.filter(user=alice)}
    bob_entries = {e.pk for e in ObjectChange.objects.filter(user=bob)}
    assert alice_entries and bob_entries

    assert ids(client.get(CHANGES, {"user": alice.pk, "page_size": 1000})) == alice_entries
    assert ids(client.get(CHANGES, {"user": bob.pk, "page_size": 1000})) == bob_entries

    company_type = ContentType.objects.get_for_model(Company)
    company_entries = set(ObjectChange.objects.filter(content_type=company_type).values_list("pk", flat=True))
    assert ids(client.get(CHANGES, {"content_type": company_type.pk, "page_size": 1000})) == company_entries
    assert (
        ids(client.get(CHANGES, {"content_type": "accounts.company", "page_size": 1000})) == company_entries
    )
    assert_refused(client.get(CHANGES, {"content_type": "nothing.here"}), 400)

    bob_history = audit.history(by_bob)
    assert ids(client.get(CHANGES, {"user": bob.pk, "action": "update"})) == {
        bob_history.get(action="update").pk
    }
    assert ids(client.get(CHANGES, {"action": ["archive", "update"], "user": bob.pk})) == set(
        bob_history.filter(action__in=["archive", "update"]).values_list("pk", flat=True)
    )
    assert ids(client.get(CHANGES, {"content_type": "accounts.company", "object_id": by_alice.pk})) == set(
        audit.history(by_alice).values_list("pk", flat=True)
    )
    assert_refused(client.get(CHANGES, {"action": "launch"}), 400)


def at(day):
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC)


@pytest.fixture
def three_days():
    """A company created on each of three days."""
    today = timezone.now().date()
    days = [today - datetime.timedelta(days=offset) for offset in (10, 5, 0)]
    companies = []
    for day in days:
        with mock.patch("django.utils.timezone.now", return_value=at(day)):
            companies.append(make_company(name=f"Made {day}"))
    return days, companies


def test_changes_filter_by_date_range(client, auditor, three_days):
    days, companies = three_days
    entry = {company.pk: audit.history(company).get().pk for company in companies}
    old, middle, new = companies

    def between(**params):
        return ids(client.get(CHANGES, {"content_type": "accounts.company", **params})) & set(entry.values())

    assert between(time_after=days[1].isoformat()) == {entry[middle.pk], entry[new.pk]}
    assert between(time_before=days[1].isoformat()) == {entry[old.pk], entry[middle.pk]}
    assert between(time_after=days[1].isoformat(), time_before=days[1].isoformat()) == {entry[middle.pk]}
    assert_refused(client.get(CHANGES, {"time_after": "yesterday"}), 400)


def test_events_and_access_log_filters(client, auditor):
    alice = make_user(full_name="Alice")
    company = make_company(name="Acme")
    with change_context(user=alice):
        first = emit("audit.verified", obj=company, message="checked")
        access.record_view(company)
        access.record_export(Company, detail="format=csv")
    emit("roles.applied", message="roles")

    assert ids(client.get(EVENTS, {"user": alice.pk})) == {first.pk}
    assert ids(client.get(EVENTS, {"name": "roles.applied"})) == set(
        DomainEvent.objects.filter(name="roles.applied").values_list("pk", flat=True)
    )
    body = client.get(EVENTS, {"user": alice.pk}).json()["results"][0]
    assert body["model"] == "accounts.company" and body["object_id"] == str(company.pk)

    alice_access = set(AccessLog.objects.filter(user=alice).values_list("pk", flat=True))
    assert len(alice_access) == 2
    assert ids(client.get(ACCESS, {"user": alice.pk})) == alice_access
    exported = AccessLog.objects.get(user=alice, kind=AccessKindChoices.EXPORT)
    assert ids(client.get(ACCESS, {"user": alice.pk, "kind": "export"})) == {exported.pk}
    assert client.get(ACCESS, {"user": alice.pk, "kind": "export"}).json()["results"][0]["detail"] == (
        "format=csv"
    )


def test_changes_ordering(client, auditor):
    for name in ("Beta", "Alpha", "Gamma"):
        make_company(name=name)
    response = client.get(CHANGES, {"content_type": "accounts.company", "ordering": "object_repr"})
    names = [row["object_repr"] for row in response.json()["results"]]
    assert names == sorted(names)
    response = client.get(CHANGES, {"ordering": "-id"})
    got = [row["id"] for row in response.json()["results"]]
    assert got == sorted(got, reverse=True)


#: Session and user (2), the user's permissions (2), count (1), the page with content types and
#: chain links (1), the session's renewal (3: savepoint, update, release).
CHANGES_LIST_QUERIES = {"sqlite": 9, "postgresql": 9}


def test_changes_list_runs_a_constant_number_of_queries(client, auditor):
    counts = []
    for total in (3, 30):
        while ObjectChange.objects.count() < total:
            make_company()
        audit.seal(limit=2)  # some sealed, some not
        client.get(CHANGES)  # warm the content-type cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGES, {"page_size": 100}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == CHANGES_LIST_QUERIES[connection.vendor], counts


# --- Export -------------------------------------------------------------------------------------


def test_export_xlsx_contains_exactly_the_filtered_rows(client, auditor):
    alice, bob = make_user(full_name="Alice"), make_user(full_name="Bob")
    with change_context(user=alice, reason="audit prep"):
        make_company(name="Alice One")
        make_company(name="Alice Two").archive("not needed")
    with change_context(user=bob):
        make_company(name="Bob One")
    before = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).count()

    params = {"format": "xlsx", "user": alice.pk, "content_type": "accounts.company"}
    response = client.get(f"{CHANGES}export/", params)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == ("Time", "User", "Action", "Record type", "Record", "Reason", "Request")
    expected = list(
        ObjectChange.objects.filter(user=alice, content_type__model="company").order_by("-time", "-id")
    )
    assert len(rows) == len(expected) == 3
    assert [(row[1], row[2], row[4], row[5]) for row in rows] == [
        (entry.user_name, entry.get_action_display(), entry.object_repr, entry.reason or None)
        for entry in expected
    ]
    assert all(row[1] == "Alice" for row in rows)
    assert {row[4] for row in rows} == {"Alice One", "Alice Two"}
    assert [row[2] for row in rows].count("Archived") == 1

    log = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).order_by("-id")
    assert log.count() == before + 1
    assert log[0].user_id == auditor.pk and log[0].content_type.model == "objectchange"
    assert f"user={alice.pk}" in log[0].detail


def test_export_csv_of_the_access_log(client, auditor):
    company = make_company(name="Viewed Co")
    with change_context(user=auditor):
        access.record_view(company)
    response = client.get(f"{ACCESS}export/", {"format": "csv", "kind": "view"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("Time,User,Kind")
    assert len(lines) == 2 and "Viewed Co" in lines[1]


def test_export_needs_the_permission(client):
    client.force_login(make_user(role="Production Operator"))
    before = AccessLog.objects.count()
    assert_refused(client.get(f"{CHANGES}export/", {"format": "xlsx"}), 403)
    assert AccessLog.objects.count() == before


# --- History of any record ----------------------------------------------------------------------


def test_history_of_a_record(client):
    manager = make_user(role="QA Manager", full_name="Quinn")
    with change_context(user=manager):
        company = make_company(name="Acme")
        company.country = "NL"
        company.save()
        company.archive("duplicate")
    other = make_company(name="Other")
    client.force_login(manager)

    response = client.get(f"/api/v1/companies/{company.pk}/history/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["action"] for row in body["results"]] == ["archive", "update", "create"]
    assert body["results"][1]["changes"] == {"country": ["", "NL"]}
    assert body["results"][0]["reason"] == "duplicate"
    assert all(row["object_id"] == str(company.pk) for row in body["results"])
    assert "ip" in body["results"][0]
    assert audit.history(other).exists()


def test_history_is_paginated(client):
    company = make_company()
    for number in range(4):
        company.phone = str(number)
        company.save()
    client.force_login(make_user(role="Auditor"))
    response = client.get(f"/api/v1/companies/{company.pk}/history/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]


def test_history_follows_the_visibility_of_the_record(client):
    mine, theirs = make_company(kind="customer"), make_company(kind="customer")
    customer = make_user(role="Customer", company=mine)
    client.force_login(customer)
    assert not customer.has_perm("core.view_objectchange")

    response = client.get(f"/api/v1/companies/{mine.pk}/history/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert "ip" not in response.json()["results"][0]  # staff addresses are for auditors only
    assert_refused(client.get(f"/api/v1/companies/{theirs.pk}/history/"), 404)

    client.force_login(make_user(role="Production Operator"))  # may view companies
    assert client.get(f"/api/v1/companies/{theirs.pk}/history/").status_code == 200
    client.force_login(make_user())
    assert_refused(client.get(f"/api/v1/companies/{theirs.pk}/history/"), 403)
    client.logout()
    assert_anonymous_refused(client.get(f"/api/v1/companies/{theirs.pk}/history/"))
    assert_anonymous_refused(APIClient().get("/api/v1/companies/999999/history/"))


def test_a_non_numeric_id_is_404_not_500(client, auditor):
    assert_refused(client.get(f"{CHANGES}not-a-number/"), 404)
    assert_refused(client.get("/api/v1/companies/not-a-number/history/"), 404)


def test_verify_as_a_job_answers_202_and_the_job_records_the_result(
    client, auditor, django_capture_on_commit_callbacks
):
    make_company()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(VERIFY)
    assert response.status_code == 202
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/jobs/{body['id']}/")
    job = client.get(response["Location"]).json()
    assert job["status"] == "succeeded" and job["progress"] == 100
    event = verified_events().get()
    assert event.user_id == auditor.pk and event.data["ok"] is True and event.data["source"] == "api"
    assert event.message in job["log"]


def test_verify_as_a_job_needs_the_audit_permission(client):
    client.force_login(make_user(role="Production Operator"))
    assert_refused(client.post(VERIFY), 403)
    assert_anonymous_refused(APIClient().post(VERIFY))
