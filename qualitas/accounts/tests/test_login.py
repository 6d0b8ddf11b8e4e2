"""Sign-in on the web: the attempt log, lockout per account and per network address, unlocking,
and the IP rate limit."""

import datetime

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from qualitas.accounts import services
from qualitas.accounts.admin import AccountLockAdmin
from qualitas.accounts.models import AccountLock, LoginAttempt
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def post_login(client, email, password, ip="127.0.0.1", **data):
    return client.post(LOGIN, {"email": email, "password": password, **data}, REMOTE_ADDR=ip)


def attempts():
    return list(LoginAttempt.objects.order_by("id").values_list("email", "reason", "success", "ip"))


def test_the_login_page_has_the_labels_people_and_tests_use(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert ">E-mail</label>" in html and ">Password</label>" in html and ">Sign in</button>" in html
    assert 'href="/accounts/password/reset/"' in html


def test_a_good_password_signs_in_logs_the_attempt_and_follows_a_safe_next(client):
    user = make_user()
    response = post_login(client, user.email.upper(), PASSWORD, next="/audit/changes/")
    assert response.status_code == 302 and response["Location"] == "/audit/changes/"
    assert client.get("/").status_code == 200
    assert attempts() == [(user.email, "signed_in", True, "127.0.0.1")]
    assert LoginAttempt.objects.get().user_id == user.pk


def test_an_offsite_next_is_ignored(client):
    user = make_user()
    response = post_login(client, user.email, PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("data", "field"),
    [({"email": "", "password": "x"}, "email"), ({"email": "a@example.com", "password": ""}, "password")],
)
def test_missing_fields_are_form_errors_not_attempts(client, data, field):
    response = client.post(LOGIN, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert LoginAttempt.objects.count() == 0


def test_wrong_password_and_unknown_email_get_the_same_message(client):
    user = make_user()
    wrong = post_login(client, user.email, "Not-The-Password-1")
    unknown = post_login(client, "nobody@example.com", "Not-The-Password-1")
    message = "The e-mail address, password or code is not correct."
    assert wrong.status_code == unknown.status_code == 400
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert attempts() == [
        (user.email, "bad_password", False, "127.0.0.1"),
        ("nobody@example.com", "unknown_email", False, "127.0.0.1"),
    ]


def test_an_inactive_user_cannot_sign_in(client):
    user = make_user(is_active=False)
    assert post_login(client, user.email, PASSWORD).status_code == 400
    assert attempts() == [(user.email, "inactive", False, "127.0.0.1")]


def test_five_failures_lock_the_account_even_for_the_right_password(client):
    user = make_user()
    for attempt in range(4):
        assert (
            post_login(client, user.email, f"Wrong-Password-{attempt}", ip=f"10.0.0.{attempt}").status_code
            == 400
        )
    assert not AccountLock.objects.exists()

    fifth = post_login(client, user.email, "Wrong-Password-5", ip="10.0.0.9")
    assert fifth.status_code == 403
    assert "This account is locked after too many failed sign-in attempts" in fifth.content.decode()
    lock = AccountLock.objects.get()
    assert (lock.kind, lock.email, lock.user, lock.failures) == ("account", user.email, user, 5)
    assert lock.locked_until == pytest.approx(
        timezone.now() + datetime.timedelta(minutes=15), abs=datetime.timedelta(seconds=5)
    )

    right = post_login(client, user.email, PASSWORD, ip="10.0.0.10")
    assert right.status_code == 403 and "locked" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.order_by("-id").first().reason == "locked"

    event = DomainEvent.objects.get(name="accounts.locked")
    assert event.object_id == str(lock.pk)
    assert event.message == f"Sign-in for {user.email} locked for 15 minutes after 5 failed attempts"
    assert [entry.action for entry in history(lock)] == ["create"]


def test_refused_attempts_do_not_extend_the_lock(client):
    user = make_user()
    for attempt in range(5):
        post_login(client, user.email, f"Wrong-{attempt}", ip=f"10.0.1.{attempt}")
    for _ in range(3):
        post_login(client, user.email, "Wrong-again", ip="10.0.1.99")
    assert AccountLock.objects.count() == 1


def test_the_lock_ends_by_itself_and_counting_starts_afresh(client):
    user = make_user()
    for attempt in range(5):
        post_login(client, user.email, f"Wrong-{attempt}", ip=f"10.0.2.{attempt}")
    lock = AccountLock.objects.get()
    lock.locked_until = timezone.now() - datetime.timedelta(seconds=1)
    lock.save()
    assert post_login(client, user.email, "Wrong-after", ip="10.0.2.50").status_code == 400
    assert AccountLock.objects.count() == 1
    assert post_login(client, user.email, PASSWORD, ip="10.0.2.51").status_code == 302


def test_failures_outside_the_window_do_not_count(client, settings):
    user = make_user()
    for attempt in range(4):
        post_login(client, user.email, f"Wrong-{attempt}", ip=f"10.0.3.{attempt}")
    settings.QUALITAS_LOCKOUT_WINDOW = datetime.timedelta(seconds=0)
    post_login(client, user.email, "Wrong-late", ip="10.0.3.9")
    assert not AccountLock.objects.exists()


def test_a_successful_sign_in_resets_the_account_count(client):
    user = make_user()
    for attempt in range(4):
        post_login(client, user.email, f"Wrong-{attempt}", ip=f"10.0.4.{attempt}")
    assert post_login(client, user.email, PASSWORD, ip="10.0.4.10").status_code == 302
    client.logout()
    assert post_login(client, user.email, "Wrong-again", ip="10.0.4.11").status_code == 400
    assert not AccountLock.objects.exists()


def test_five_failures_from_one_address_lock_the_address_for_every_account(client):
    victims = [make_user() for _ in range(5)]
    for victim in victims:
        post_login(client, victim.email, "Guess-Password-1", ip="203.0.113.7")
    lock = AccountLock.objects.get(kind="address")
    assert (str(lock.ip), lock.failures) == ("203.0.113.7", 5)
    bystander = make_user()
    refused = post_login(client, bystander.email, PASSWORD, ip="203.0.113.7")
    assert refused.status_code == 403
    assert "Sign-in from your network address is locked" in refused.content.decode()
    assert post_login(client, bystander.email, PASSWORD, ip="198.51.100.1").status_code == 302
    assert DomainEvent.objects.filter(name="accounts.locked", object_id=str(lock.pk)).exists()


def lock_account(client, user):
    for attempt in range(5):
        post_login(client, user.email, f"Wrong-{attempt}", ip=f"10.9.0.{attempt}")
    return AccountLock.objects.get(kind="account", email=user.email)


def test_an_admin_unlocks_from_the_locked_accounts_page(client):
    user = make_user()
    lock = lock_account(client, user)
    admin_user = make_user(role="Admin")
    client.force_login(admin_user)
    page = client.get("/accounts/locked/")
    assert page.status_code == 200
    assert user.email in page.content.decode() and "Unlock" in page.content.decode()

    response = client.post(f"/accounts/locked/{lock.pk}/unlock/")
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.unlocked_by == admin_user and lock.unlocked_at is not None
    change = history(lock).order_by("-id").first()
    assert change.action == "update" and change.user_id == admin_user.pk
    assert set(change.changes) >= {"unlocked_at", "unlocked_by"}
    assert DomainEvent.objects.get(name="accounts.unlocked").user_id == admin_user.pk

    client.logout()
    assert post_login(client, user.email, PASSWORD, ip="10.9.0.100").status_code == 302
    # Unlocking starts the count afresh: one more failure does not lock again.
    client.logout()
    post_login(client, user.email, "Wrong-again", ip="10.9.0.101")
    assert AccountLock.objects.filter(unlocked_at__isnull=True).count() == 0


def test_unlocking_twice_says_so(client):
    lock = lock_account(client, make_user())
    client.force_login(make_user(role="Admin"))
    client.post(f"/accounts/locked/{lock.pk}/unlock/")
    response = client.post(f"/accounts/locked/{lock.pk}/unlock/", follow=True)
    assert "is no longer active" in response.content.decode()


@pytest.mark.parametrize("role", ["QA Manager", "Auditor", "Production Operator"])
def test_only_holders_of_unlock_user_see_the_page_or_unlock(client, role):
    lock = lock_account(client, make_user())
    client.force_login(make_user(role=role))
    changes_before = history(lock).count()
    assert client.get("/accounts/locked/").status_code == 403
    assert client.post(f"/accounts/locked/{lock.pk}/unlock/").status_code == 403
    lock.refresh_from_db()
    assert lock.unlocked_at is None
    assert history(lock).count() == changes_before
    assert not DomainEvent.objects.filter(name="accounts.unlocked").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/accounts/locked/")["Location"].startswith("/accounts/login/")


def test_the_django_admin_action_unlocks_through_the_service(rf):
    for attempt in range(5):
        services.sign_in("x@example.com", "Wrong-password", ip=f"10.8.0.{attempt}")
    lock = AccountLock.objects.get(kind="account")
    admin_user = make_user(role="Admin")
    request = rf.post("/admin/accounts/accountlock/")
    request.user = admin_user
    request._messages = _Messages()
    model_admin = AccountLockAdmin(AccountLock, admin.site)
    assert "unlock_selected" in model_admin.get_actions(request)
    model_admin.unlock_selected(request, AccountLock.objects.filter(pk=lock.pk))
    lock.refresh_from_db()
    assert lock.unlocked_by == admin_user
    assert request._messages.texts == ["1 unlocked."]

    inspector = make_user(role="QA Inspector")
    request.user = inspector
    assert "unlock_selected" not in model_admin.get_actions(request)


class _Messages:
    def __init__(self):
        self.texts = []

    def add(self, level, message, extra_tags=""):
        self.texts.append(str(message))


def test_the_admin_login_page_hands_over_to_ours(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_the_web_login_is_rate_limited_per_address(client, settings):
    settings.QUALITAS_LOGIN_IP_RATE = "3/min"
    user = make_user()
    for _ in range(3):
        assert post_login(client, "someone@example.com", "x", ip="192.0.2.1").status_code == 400
    limited = post_login(client, user.email, PASSWORD, ip="192.0.2.1")
    assert limited.status_code == 429
    assert "Too many attempts from your network address" in limited.content.decode()
    assert LoginAttempt.objects.order_by("-id").first().reason == "rate_limited"
    # Another address is not affected.
    assert post_login(client, user.email, PASSWORD, ip="192.0.2.2").status_code == 302
    cache.clear()
    client.logout()
    assert post_login(client, user.email, PASSWORD, ip="192.0.2.1").status_code == 302


def test_logout_needs_post_and_ends_the_session(client):
    client.force_login(make_user())
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_missing_or_malformed_client_address_is_logged_as_unknown():
    user = make_user()
    assert services.sign_in(user.email, PASSWORD, ip="not-an-address").outcome == "signed_in"
    assert services.sign_in(user.email, "Wrong-1", ip=None).outcome == "failed"
    assert list(LoginAttempt.objects.values_list("ip", flat=True)) == [None, None]
