"""User administration: editing a person's details and roles, deactivating and reactivating them,
through the services, the pages and the API. Refused attempts write nothing."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from qualitas.accounts import services
from qualitas.accounts.models import ApiToken, User
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.testing.factories import PASSWORD, make_company, make_user
from qualitas.testing.records import WriteCheck, assert_audited, last_change, user_with

pytestmark = pytest.mark.django_db

REASON = "Left the company on 31 March"


def role(name):
    return Group.objects.get(name=name)


def roles_of(user):
    return sorted(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


@pytest.fixture
def admin():
    return make_user(role="Admin", full_name="Ada Admin")


@pytest.fixture
def manager():
    return make_user(role="QA Manager", full_name="Quinn Manager")


@pytest.fixture
def person():
    return make_user(role="QA Inspector", full_name="Ivy Inspector")


def details(user, **changes):
    data = {
        "full_name": user.full_name,
        "company": user.company,
        "department": user.department,
        "job_title": user.job_title,
        "roles": list(user.groups.all()),
    }
    data.update(changes)
    return data


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


# --- Editing: services --------------------------------------------------------------------------


def test_an_admin_edits_details_and_roles_audited_and_logged(admin, person):
    company = make_company(name="Edam Dairy")

    services.update_user(
        person,
        admin,
        **details(
            person,
            full_name="  Ivy Ingram ",
            company=company,
            department="Quality",
            job_title="Senior inspector",
            roles=[role("QA Manager")],
        ),
    )

    person.refresh_from_db()
    assert (person.full_name, person.company, person.department, person.job_title) == (
        "Ivy Ingram",
        company,
        "Quality",
        "Senior inspector",
    )
    assert roles_of(person) == ["QA Manager"]
    group_changes = [
        entry.changes["groups"]
        for entry in ObjectChange.objects.filter(object_id=str(person.pk), user=admin)
        if "groups" in entry.changes
    ]
    assert {"removed": [role("QA Inspector").pk]} in group_changes
    assert {"added": [role("QA Manager").pk]} in group_changes
    update = ObjectChange.objects.filter(
        object_id=str(person.pk), user=admin, action=ChangeActionChoices.UPDATE, changes__has_key="full_name"
    ).get()
    assert {"full_name", "company", "department", "job_title"} <= set(update.changes)
    event = DomainEvent.objects.get(name="accounts.user_roles_changed")
    assert event.data == {"added": ["QA Manager"], "removed": ["QA Inspector"]}
    assert event.user_id == admin.pk and event.object_id == str(person.pk)


def test_the_admin_role_brings_staff_status_and_takes_it_away(admin, person):
    services.update_user(person, admin, **details(person, roles=[role("Admin")]))
    assert User.objects.get(pk=person.pk).is_staff is True
    services.update_user(person, admin, **details(person, roles=[role("Auditor")]))
    assert User.objects.get(pk=person.pk).is_staff is False


def test_an_edit_without_role_changes_logs_no_role_event(admin, person):
    services.update_user(person, admin, **details(person, job_title="Inspector"))
    assert not DomainEvent.objects.filter(name="accounts.user_roles_changed").exists()
    assert roles_of(person) == ["QA Inspector"]


def test_groups_that_are_not_roles_are_kept(admin, person):
    custom = Group.objects.create(name="Night shift")
    person.groups.add(custom)
    services.update_user(person, admin, **details(person, roles=[role("Auditor")]))
    assert roles_of(person) == ["Auditor", "Night shift"]


def test_a_role_the_editor_does_not_hold_cannot_be_granted_and_nothing_is_written(person):
    # The editor may change users and holds the QA Inspector role, nothing more.
    editor = user_with(User, ("view", "change"), role="QA Inspector")
    check = WriteCheck(User, person)
    with pytest.raises(ValidationError) as refused:
        services.update_user(
            person, editor, **details(person, job_title="x", roles=[role("QA Inspector"), role("QA Manager")])
        )
    assert refused.value.message_dict == {
        "roles": ["You cannot grant QA Manager: you do not hold all of its permissions."]
    }
    check.assert_nothing_written()
    assert roles_of(person) == ["QA Inspector"]


def test_a_role_the_editor_does_not_hold_cannot_be_removed(admin):
    editor = user_with(User, ("view", "change"), role="QA Inspector")
    check = WriteCheck(User, admin)
    with pytest.raises(ValidationError) as refused:
        services.update_user(admin, editor, **details(admin, roles=[]))
    assert refused.value.message_dict == {
        "roles": ["You cannot remove Admin: you do not hold all of its permissions."]
    }
    check.assert_nothing_written()


def test_the_editor_may_grant_a_role_they_hold(person):
    editor = user_with(User, ("view", "change"), role="Auditor")
    services.update_user(person, editor, **details(person, roles=[role("QA Inspector"), role("Auditor")]))
    assert roles_of(person) == ["Auditor", "QA Inspector"]


def test_a_qa_manager_cannot_edit_users_and_nothing_is_written(manager, person):
    check = WriteCheck(User, person)
    with pytest.raises(PermissionDenied):
        services.update_user(person, manager, **details(person, job_title="Boss", roles=[]))
    check.assert_nothing_written()


def test_a_full_name_is_required(admin, person):
    check = WriteCheck(User, person)
    with pytest.raises(ValidationError) as refused:
        services.update_user(person, admin, **details(person, full_name="   "))
    assert list(refused.value.message_dict) == ["full_name"]
    check.assert_nothing_written()


# --- Deactivating and reactivating: services ----------------------------------------------------


def test_deactivating_refuses_sign_in_revokes_tokens_and_ends_sessions(admin, person):
    _token, key = services.create_api_token(person, "ERP import")
    old, _old_key = services.create_api_token(person, "Old script")
    services.revoke_api_token(old, person)
    browser = signed_in_client(person)
    other = signed_in_client(admin)
    assert browser.get("/accounts/profile/").status_code == 200
    sessions_before = Session.objects.count()

    services.deactivate_user(person, admin, REASON)

    person.refresh_from_db()
    assert person.is_active is False
    entry = assert_audited(person, ChangeActionChoices.TRANSITION, admin, reason=REASON, fields=["is_active"])
    assert entry.changes["is_active"] == [True, False]
    tokens = ApiToken.objects.filter(user=person)
    assert all(token.revoked_at is not None for token in tokens)
    assert tokens.get(name="ERP import").revoked_by == admin
    assert tokens.get(name="Old script").revoked_by == person  # already revoked: untouched
    event = DomainEvent.objects.get(name="accounts.user_deactivated")
    assert event.data["reason"] == REASON and event.object_id == str(person.pk)
    assert "1 API token(s) revoked, 1 session(s) ended" in event.message
    assert Session.objects.count() == sessions_before - 1
    assert browser.get("/accounts/profile/").status_code == 302  # signed out
    assert other.get("/accounts/profile/").status_code == 200  # the admin's own session stays
    api = APIClient(REMOTE_ADDR="127.0.0.1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/").status_code == 401
    assert services.sign_in(person.email, PASSWORD).outcome == "failed"


def test_reactivating_lets_the_person_sign_in_again_tokens_stay_revoked(admin, person):
    services.create_api_token(person, "ERP import")
    services.deactivate_user(person, admin, REASON)

    services.reactivate_user(person, admin, "Rehired")

    person.refresh_from_db()
    assert person.is_active is True
    assert_audited(person, ChangeActionChoices.TRANSITION, admin, reason="Rehired", fields=["is_active"])
    assert DomainEvent.objects.filter(name="accounts.user_reactivated").count() == 1
    assert ApiToken.objects.get(user=person).revoked_at is not None
    assert services.sign_in(person.email, PASSWORD).outcome == "signed_in"


def test_a_deactivation_without_the_permission_is_forbidden_and_writes_nothing(manager, person):
    tokens = WriteCheck(ApiToken)
    check = WriteCheck(User, person)
    with pytest.raises(PermissionDenied):
        services.deactivate_user(person, manager, REASON)
    check.assert_nothing_written()
    tokens.assert_nothing_written()
    assert User.objects.get(pk=person.pk).is_active


@pytest.mark.parametrize(
    ("who", "reason", "blocker"),
    [
        ("self", REASON, "you cannot deactivate yourself"),
        ("admin", "", "a reason is required"),
        ("admin", "   ", "a reason is required"),
    ],
)
def test_refused_deactivations_write_nothing(admin, manager, person, who, reason, blocker):
    _token, _key = services.create_api_token(person, "ERP import")
    by = {"self": admin, "manager": manager, "admin": admin}[who]
    target = admin if who == "self" else person
    tokens = WriteCheck(ApiToken)
    check = WriteCheck(User, target)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.deactivate_user(target, by, reason)
    assert blocker in refused.value.blockers
    check.assert_nothing_written()
    tokens.assert_nothing_written()
    assert ApiToken.objects.get(user=person).revoked_at is None
    assert User.objects.get(pk=target.pk).is_active


def test_an_active_user_cannot_be_reactivated(admin, person):
    check = WriteCheck(User, person)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.reactivate_user(person, admin, REASON)
    assert refused.value.blockers == ["the record is Active; this needs Inactive"]
    check.assert_nothing_written()


# --- Pages --------------------------------------------------------------------------------------


def test_the_persons_page_offers_edit_the_actions_and_the_changes_link(admin, person):
    client = signed_in_client(admin)
    html = client.get(f"/accounts/users/{person.pk}/").content.decode()
    assert f'href="/accounts/users/{person.pk}/edit/"' in html
    assert f'href="/accounts/users/{person.pk}/actions/deactivate/"' in html
    assert f'href="/audit/changes/?user={person.pk}"' in html
    assert "Changes by this person" in html and "QA Inspector" in html

    services.update_user(person, admin, **details(person, job_title="Inspector"))
    changes = client.get(f"/audit/changes/?user={admin.pk}")
    assert changes.status_code == 200
    shown = list(changes.context["page"].object_list)
    assert shown and all(entry.user_id == admin.pk for entry in shown)


def test_own_page_shows_deactivate_disabled_with_the_reason(admin):
    html = signed_in_client(admin).get(f"/accounts/users/{admin.pk}/").content.decode()
    assert 'title="you cannot deactivate yourself"' in html


def test_a_qa_manager_sees_the_page_without_edit_and_with_disabled_actions(manager, person):
    html = signed_in_client(manager).get(f"/accounts/users/{person.pk}/").content.decode()
    assert "/edit/" not in html
    assert f'href="/accounts/users/{person.pk}/actions/deactivate/"' not in html
    assert 'title="you do not have permission"' in html


def test_the_changes_link_needs_the_audit_permission(person):
    viewer = user_with(User, ("view",))
    html = signed_in_client(viewer).get(f"/accounts/users/{person.pk}/").content.decode()
    assert "Changes by this person" not in html


def test_the_edit_page_changes_roles_and_the_history_shows_them(admin, person):
    client = signed_in_client(admin)
    page = client.get(f"/accounts/users/{person.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox" name="roles"' in html and "Food Safety Team Leader" in html
    response = client.post(
        f"/accounts/users/{person.pk}/edit/",
        {"full_name": "Ivy Inspector", "job_title": "Auditor", "roles": [role("Auditor").pk]},
    )
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{person.pk}/"
    assert roles_of(person) == ["Auditor"]
    history = client.get(f"/accounts/users/{person.pk}/history/").content.decode()
    removed = history.split("QA Inspector", 1)
    assert len(removed) == 2 and "Auditor" in history, "the history does not name the roles changed"


def test_the_edit_page_refuses_a_role_the_editor_does_not_hold(person):
    editor = user_with(User, ("view", "change"), role="QA Inspector")
    client = signed_in_client(editor)
    check = WriteCheck(User, person)
    response = client.post(
        f"/accounts/users/{person.pk}/edit/",
        {"full_name": "Ivy Inspector", "roles": [role("QA Inspector").pk, role("Admin").pk]},
    )
    assert response.status_code == 400
    assert "You cannot grant Admin: you do not hold all of its permissions." in response.content.decode()
    check.assert_nothing_written()


def test_the_edit_page_refuses_a_group_that_is_not_a_role(admin, person):
    custom = Group.objects.create(name="Night shift")
    check = WriteCheck(User, person)
    response = signed_in_client(admin).post(
        f"/accounts/users/{person.pk}/edit/", {"full_name": "Ivy", "roles": [custom.pk]}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    check.assert_nothing_written()


def test_a_qa_manager_cannot_open_or_post_the_edit_page(manager, person):
    client = signed_in_client(manager)
    check = WriteCheck(User, person)
    assert client.get(f"/accounts/users/{person.pk}/edit/").status_code == 403
    response = client.post(f"/accounts/users/{person.pk}/edit/", {"full_name": "Hacked", "roles": []})
    assert response.status_code == 403
    check.assert_nothing_written()


def test_the_deactivate_page_asks_for_a_reason(admin, person):
    client = signed_in_client(admin)
    url = f"/accounts/users/{person.pk}/actions/deactivate/"
    assert client.get(url).status_code == 200
    check = WriteCheck(User, person)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    check.assert_nothing_written()

    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).is_active is False
    assert last_change(person).reason == REASON


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_a_qa_manager_cannot_deactivate_or_reactivate_on_the_page(admin, manager, person, action):
    if action == "reactivate":
        services.deactivate_user(person, admin, REASON)
    client = signed_in_client(manager)
    check = WriteCheck(User, person)
    response = client.post(f"/accounts/users/{person.pk}/actions/{action}/", {"reason": REASON})
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    check.assert_nothing_written()


def test_deactivating_oneself_on_the_page_is_refused(admin):
    client = signed_in_client(admin)
    check = WriteCheck(User, admin)
    response = client.post(f"/accounts/users/{admin.pk}/actions/deactivate/", {"reason": REASON})
    assert response.status_code == 409
    assert "you cannot deactivate yourself" in response.content.decode()
    check.assert_nothing_written()


# --- API ----------------------------------------------------------------------------------------


def api_as(user):
    api = APIClient(REMOTE_ADDR="127.0.0.1")
    api.force_authenticate(user)
    return api


def test_the_api_deactivates_and_reactivates_with_a_reason(admin, person):
    api = api_as(admin)
    response = api.post(f"/api/v1/users/{person.pk}/actions/deactivate/", {"reason": REASON}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    response = api.post(f"/api/v1/users/{person.pk}/actions/reactivate/", {"reason": "Back"}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is True


@pytest.mark.parametrize(
    ("who", "data", "blocker"),
    [
        ("admin", {}, "a reason is required"),
        ("person", {"reason": REASON}, "you cannot deactivate yourself"),
    ],
)
def test_the_api_refuses_deactivation_and_writes_nothing(admin, manager, person, who, data, blocker):
    person.user_permissions.add(*admin.groups.get().permissions.filter(codename="change_user"))
    by = {"admin": admin, "manager": manager, "person": User.objects.get(pk=person.pk)}[who]
    check = WriteCheck(User, person)
    response = api_as(by).post(f"/api/v1/users/{person.pk}/actions/deactivate/", data, format="json")
    assert response.status_code == 409
    assert blocker in response.json()["errors"]["blockers"]
    check.assert_nothing_written()


def test_the_api_refuses_a_deactivation_without_the_permission_with_403(manager, person):
    check = WriteCheck(User, person)
    response = api_as(manager).post(
        f"/api/v1/users/{person.pk}/actions/deactivate/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]
    check.assert_nothing_written()


def test_the_api_offers_no_other_writes_on_users(admin, person):
    api = api_as(admin)
    check = WriteCheck(User, person)
    assert api.post("/api/v1/users/", {"email": "new@example.com"}, format="json").status_code == 405
    assert api.patch(f"/api/v1/users/{person.pk}/", {"full_name": "x"}, format="json").status_code == 405
    assert (
        api.post(f"/api/v1/users/{person.pk}/archive/", {"reason": REASON}, format="json").status_code == 405
    )
    assert api.post(f"/api/v1/users/{person.pk}/actions/promote/", {}, format="json").status_code == 404
    check.assert_nothing_written()


def test_the_last_admin_cannot_lose_the_role_or_be_deactivated():
    only_admin = make_user(role="Admin")
    other = make_user(role="Admin")
    other.is_active = False
    other.save()
    with pytest.raises(ValidationError, match="last active Admin"):
        services.update_user(only_admin, only_admin, only_admin.full_name, roles=[])
    assert only_admin.groups.filter(name="Admin").exists()
    superuser = make_user(is_superuser=True)
    with pytest.raises(TransitionNotAllowed, match="last active Admin"):
        services.deactivate_user(only_admin, superuser, "leaving")
    only_admin.refresh_from_db()
    assert only_admin.is_active
    # With a second active Admin both become possible.
    other.groups.add(Group.objects.get(name="Admin"))
    services.reactivate_user(other, superuser, "back")
    services.deactivate_user(only_admin, superuser, "leaving")
