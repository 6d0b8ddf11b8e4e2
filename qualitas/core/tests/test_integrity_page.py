"""The Audit > Integrity page: recent verification results and "Verify now"."""

import pytest
from django.test import Client

from qualitas.core import audit, services
from qualitas.core.models import DomainEvent
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


def test_verify_now_runs_verification_and_shows_the_result():
    for _ in range(3):
        make_company()
    client, user = signed_in(full_name="Ada Auditor")

    response = client.post(URL, follow=True)

    event = DomainEvent.objects.get(name="audit.verified")
    assert response.redirect_chain == [(f"{URL}?verification={event.pk}", 302)]
    assert event.user_id == user.pk and event.data["ok"] is True and event.data["source"] == "page"
    html = response.content.decode()
    assert "The audit trail is intact" in html
    assert f"{event.data['checked']} entries verified" in html
    assert audit.verify(seal_first=False).head_hash in html


def test_verify_now_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role="Auditor"))
    assert client.post(URL).status_code == 403
    assert not DomainEvent.objects.filter(name="audit.verified").exists()


def test_verify_now_names_the_first_broken_entry():
    companies = [make_company() for _ in range(3)]
    audit.seal()
    victim = audit.history(companies[1]).get()
    with append_only_suspended() as cursor:
        cursor.execute("UPDATE core_objectchange SET reason = %s WHERE id = %s", ["covered up", victim.pk])
    client, _user = signed_in()

    html = client.post(URL, follow=True).content.decode()

    assert "The audit trail is broken" in html
    assert f"change #{victim.pk}" in html
    assert f'href="/audit/changes/{victim.pk}/"' in html
    event = DomainEvent.objects.get(name="audit.verified")
    assert event.data["first_broken_entry"] == victim.pk
