"""The Audit > Integrity page: recent verification results and "Verify now"."""

import json

import pytest
from django.test import Client

from qualitas.core import audit, services
from qualitas.core.choices import JobStatusChoices
from qualitas.core.models import DomainEvent
from qualitas.core.service_models import Job
from qualitas.framework.ui.navigation import menu_for
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db

URL = "/audit/integrity/"


def signed_in(role="Auditor", **fields):
    client = Client()
    user = make_user(role=role, **fields)
    client.force_login(user)
    return client, user


def test_anonymous_users_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(URL).status_code == 302
    assert not DomainEvent.objects.filter(name="audit.verified").exists()


def test_users_without_the_audit_permission_are_refused():
    client, _user = signed_in("Production Operator")
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not DomainEvent.objects.filter(name="audit.verified").exists()


def test_the_audit_menu_links_to_the_page_for_auditors_only():
    auditor, operator = make_user(role="Auditor"), make_user(role="Production Operator")
    audit_menu = next(group for group in menu_for(auditor) if group.label == "Audit")
    assert ("Integrity", URL) in [(item.label, item.url) for item in audit_menu.items]
    assert all(group.label != "Audit" for group in menu_for(operator))


def test_the_page_lists_recent_verifications():
    make_company()
    services.verify_trail(source="command")
    client, _user = signed_in()

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Verify now" in html and 'name="csrfmiddlewaretoken"' in html
    assert "Intact" in html and "command" in html
    assert "has not been verified yet" not in html


def verify_now(client, capture):
    """Press "Verify now": the verification runs as a job (in-process here) and its page follows it."""
    with capture(execute=True):
        response = client.post(URL)
    job = Job.objects.get(kind="core.verify_audit")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED, job.log
    event = DomainEvent.objects.get(name="audit.verified")
    return job, event, client.get(f"{URL}?verification={event.pk}").content.decode()


def test_verify_now_runs_verification_as_a_job_and_shows_the_result(django_capture_on_commit_callbacks):
    for _ in range(3):
        make_company()
    client, user = signed_in(full_name="Ada Auditor")

    job, event, html = verify_now(client, django_capture_on_commit_callbacks)

    assert job.started_by == user and event.message in job.log
    assert event.user_id == user.pk and event.data["ok"] is True and event.data["source"] == "page"
    report = json.loads(job.result.read())
    assert report["ok"] is True and report["event"] == event.pk and report["checked"] == event.data["checked"]
    assert "The audit trail is intact" in html
    assert f"{event.data['checked']} entries verified" in html
    assert audit.verify(seal_first=False).head_hash in html
    assert event.message in client.get(job.get_absolute_url()).content.decode()


def test_verify_now_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role="Auditor"))
    assert client.post(URL).status_code == 403
    assert not DomainEvent.objects.filter(name="audit.verified").exists()


def test_verify_now_names_the_first_broken_entry(django_capture_on_commit_callbacks):
    companies = [make_company() for _ in range(3)]
    audit.seal()
    victim = audit.history(companies[1]).get()
    with append_only_suspended() as cursor:
        cursor.execute("UPDATE core_objectchange SET reason = %s WHERE id = %s", ["covered up", victim.pk])
    client, _user = signed_in()

    _job, event, html = verify_now(client, django_capture_on_commit_callbacks)

    assert "The audit trail is broken" in html
    assert f"change #{victim.pk}" in html
    assert f'href="/audit/changes/{victim.pk}/"' in html
    assert event.data["first_broken_entry"] == victim.pk
