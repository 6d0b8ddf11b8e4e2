"""The profile page and the read-only sign-in log."""

import pytest

from qualitas.accounts.models import LoginAttempt
from qualitas.accounts.tests.helpers import sign_in
from qualitas.core.audit import history
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def test_the_profile_page_edits_name_department_and_job_title_only(client):
    company = make_company(name="Qualitas Demo Works", kind="internal")
    user = make_user(role="QA Inspector", company=company, full_name="Ines Inspector")
    sign_in(client, user)
    page = client.get("/accounts/profile/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Qualitas Demo Works" in html and "QA Inspector" in html and 'value="Ines Inspector"' in html

    response = client.post(
        "/accounts/profile/",
        {
            "full_name": "  Ines van Inspector ",
            "department": "Quality",
            "job_title": "Lead inspector",
            "email": "hijack@example.com",
            "is_staff": "on",
        },
    )
    assert response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert (user.full_name, user.department, user.job_title) == (
        "Ines van Inspector",
        "Quality",
        "Lead inspector",
    )
    assert user.email != "hijack@example.com" and not user.is_staff
    change = history(user).order_by("-id").first()
    assert change.user_id == user.pk
    assert change.changes["full_name"] == ["Ines Inspector", "Ines van Inspector"]


def test_the_full_name_is_required(client):
    user = make_user()
    sign_in(client, user)
    response = client.post("/accounts/profile/", {"full_name": "   ", "department": "", "job_title": ""})
    assert response.status_code == 400 and "full_name" in response.context["form"].errors
    user.refresh_from_db()
    assert user.full_name.startswith("Test User")


def test_the_profile_needs_a_signed_in_user(client):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_the_user_menu_links_to_the_security_pages(client):
    sign_in(client, make_user())
    html = client.get("/").content.decode()
    for link in (
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/two-factor/",
        "/accounts/api-tokens/",
    ):
        assert f'href="{link}"' in html
    assert 'href="/accounts/locked/"' not in html


def test_admins_see_locked_accounts_in_the_menu(client):
    sign_in(client, make_user(role="Admin"))
    assert 'href="/accounts/locked/"' in client.get("/").content.decode()


def test_the_sign_in_log_is_readable_by_auditors_not_by_operators(client):
    target = make_user()
    client.post("/accounts/login/", {"email": target.email, "password": "Wrong-password-1"})
    assert LoginAttempt.objects.count() == 1
    sign_in(client, make_user(role="Auditor"))
    listing = client.get("/accounts/sign-in-attempts/")
    assert listing.status_code == 200 and target.email in listing.content.decode()
    assert "Wrong password" in listing.content.decode()
    export = client.get("/accounts/sign-in-attempts/?export=csv")
    assert export.status_code == 200 and target.email in b"".join(export.streaming_content).decode()
    client.logout()
    sign_in(client, make_user(role="Production Operator"))
    assert client.get("/accounts/sign-in-attempts/").status_code == 403
