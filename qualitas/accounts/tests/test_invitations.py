"""Invitations: who may invite, the e-mail through a real SMTP server, the single-use hashed
token, and sign-up with the invitation's company and roles (or open sign-up when configured)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from qualitas.accounts import keys, services
from qualitas.accounts.models import Invitation, User
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Welcome-Aboard-2026"


def invite(client, **data):
    return client.post("/accounts/invitations/add/", data)


def link_from(mail):
    match = re.search(r"http://[^/\s]+(/accounts/signup/[\w-]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_a_qa_manager_invites_and_the_invitee_signs_up_with_company_and_roles(client, smtp_server):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    company = make_company(name="Northwind Automotive", kind="customer")
    inspector = Group.objects.get(name="QA Inspector")
    client.force_login(manager)
    form = client.get("/accounts/invitations/add/")
    assert form.status_code == 200 and "QA Inspector" in form.content.decode()

    response = invite(
        client, email="New.Person@Example.com", company=company.pk, roles=[inspector.pk], message="Welcome!"
    )
    invitation = Invitation.objects.get()
    assert response["Location"] == f"/accounts/invitations/{invitation.pk}/"
    assert (invitation.email, invitation.company, invitation.invited_by) == (
        "new.person@example.com",
        company,
        manager,
    )
    assert list(invitation.roles.all()) == [inspector]
    assert invitation.expires == pytest.approx(
        timezone.now() + datetime.timedelta(days=7), abs=datetime.timedelta(seconds=10)
    )

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["new.person@example.com"]
    assert mail["Subject"] == "Quinn Manager invites you to Qualitas"
    assert "Your role: QA Inspector." in mail.body and "Welcome!" in mail.body and "7 days" in mail.body
    link = link_from(mail)
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only the digest is stored, and the audit trail does not hold even that.
    assert invitation.token_hash == keys.digest(token) and token not in invitation.token_hash
    assert history(invitation).filter(action="create").get().changes["token_hash"][1].startswith("redacted:")
    assert DomainEvent.objects.filter(name="accounts.invitation_sent", object_id=str(invitation.pk)).exists()

    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "new.person@example.com" in page.content.decode()
    mismatch = client.post(
        link, {"full_name": "New Person", "password": NEW_PASSWORD, "password_confirm": "x"}
    )
    assert mismatch.status_code == 400
    weak = client.post(link, {"full_name": "New Person", "password": "weak", "password_confirm": "weak"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    done = client.post(
        link, {"full_name": "New Person", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert done["Location"] == "/"
    user = User.objects.get(email="new.person@example.com")
    assert user.company == company and user.role_names == ["QA Inspector"] and not user.is_staff
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # signed in
    invitation.refresh_from_db()
    assert invitation.accepted_user == user and invitation.accepted_at is not None
    assert DomainEvent.objects.filter(name="accounts.invitation_accepted").exists()

    # Single use.
    client.logout()
    reused = client.get(link)
    assert reused.status_code == 404 and "This invitation cannot be used" in reused.content.decode()
    assert (
        client.post(
            link, {"full_name": "X", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
        ).status_code
        == 404
    )


def test_the_invitation_page_validates_input(client, smtp_server):
    manager = make_user(role="QA Manager")
    existing = make_user()
    client.force_login(manager)
    assert (
        "Enter a valid email address."
        in invite(client, email="not-an-address").context["form"].errors["email"]
    )
    taken = invite(client, email=existing.email.upper())
    assert taken.status_code == 400
    assert taken.context["form"].errors["email"] == ["A user with this e-mail address already exists."]
    assert invite(client, email="x@example.com", roles=["999999"]).status_code == 400
    assert not Invitation.objects.exists() and smtp_server.messages == []


def test_nobody_can_grant_a_role_more_powerful_than_their_own(client, smtp_server):
    manager = make_user(role="QA Manager")
    admin_role = Group.objects.get(name="Admin")
    assert admin_role not in services.grantable_roles(manager)
    client.force_login(manager)
    assert "Admin" not in client.get("/accounts/invitations/add/").context["form"].fields[
        "roles"
    ].queryset.values_list("name", flat=True)
    assert invite(client, email="x@example.com", roles=[admin_role.pk]).status_code == 400
    with pytest.raises(ValidationError) as error:
        services.invite(manager, "y@example.com", roles=[admin_role])
    assert error.value.message_dict["roles"] == [
        "You cannot grant Admin: you do not hold all of its permissions."
    ]
    assert not Invitation.objects.exists()


def test_an_admin_invites_an_admin_who_becomes_staff(client, smtp_server):
    admin_user = make_user(role="Admin")
    admin_user.is_superuser = True
    admin_user.save()
    _invitation, token = services.invite(
        admin_user, "boss@example.com", roles=[Group.objects.get(name="Admin")]
    )
    user = services.accept_invitation(token, "Big Boss", NEW_PASSWORD)
    assert user.is_staff and user.role_names == ["Admin"]


@pytest.mark.parametrize("role", ["QA Inspector", "Auditor", "Customer"])
def test_without_add_invitation_the_page_is_forbidden_and_nothing_is_written(client, smtp_server, role):
    client.force_login(make_user(role=role))
    changes = ObjectChange.objects.count()
    assert client.get("/accounts/invitations/add/").status_code == 403
    assert invite(client, email="x@example.com").status_code == 403
    assert not Invitation.objects.exists()
    assert ObjectChange.objects.count() == changes
    assert smtp_server.messages == []


def test_expired_and_revoked_invitations_cannot_be_used(client, smtp_server):
    manager = make_user(role="QA Manager")
    expired, expired_token = services.invite(manager, "late@example.com")
    expired.expires = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    revoked, revoked_token = services.invite(manager, "revoked@example.com")
    revoked.archive("sent to the wrong person")
    for token in (expired_token, revoked_token, "made-up-token", "x" * 500):
        response = client.get(f"/accounts/signup/{token}/")
        assert response.status_code == 404
    assert not User.objects.filter(email__in=["late@example.com", "revoked@example.com"]).exists()
    assert [i.status for i in (expired, revoked)] == ["expired", "revoked"]


def test_invitation_list_and_detail(client, smtp_server):
    manager = make_user(role="QA Manager")
    invitation, _token = services.invite(
        manager, "list@example.com", roles=[Group.objects.get(name="Auditor")]
    )
    client.force_login(manager)
    listing = client.get("/accounts/invitations/")
    assert listing.status_code == 200 and "list@example.com" in listing.content.decode()
    assert "Add invitation" in listing.content.decode()
    detail = client.get(f"/accounts/invitations/{invitation.pk}/").content.decode()
    assert "Auditor" in detail and "Pending" in detail


def test_a_failing_mail_server_revokes_the_invitation_and_says_so(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    client.force_login(make_user(role="QA Manager"))
    response = invite(client, email="x@example.com")
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.status == "revoked"
    assert invitation.archive_reason == "The invitation e-mail could not be sent."
    assert not DomainEvent.objects.filter(name="accounts.invitation_sent").exists()


def test_sign_up_without_an_invitation_is_closed_by_default(client):
    for response in (
        client.get("/accounts/signup/"),
        client.post("/accounts/signup/", {"email": "a@example.com"}),
    ):
        assert response.status_code == 404 and "Sign-up needs an invitation" in response.content.decode()
    assert "Create an account" not in client.get("/accounts/login/").content.decode()


def test_open_sign_up_creates_a_user_without_roles(client, settings):
    settings.QUALITAS_OPEN_SIGNUP = True
    assert "Create an account" in client.get("/accounts/login/").content.decode()
    existing = make_user()
    taken = client.post(
        "/accounts/signup/",
        {
            "email": existing.email,
            "full_name": "X",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Self@Example.com",
            "full_name": "Self Starter",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response["Location"] == "/"
    user = User.objects.get(email="self@example.com")
    assert user.role_names == [] and user.company is None
    assert DomainEvent.objects.filter(name="accounts.signed_up").exists()
