"""Invitations and the sign-in log through the generic API, page and filterset tests
(qualitas/testing/): access, permission, customer scope, export, audit and pinned query counts.

Sending an invitation (the add page) goes through a service that e-mails the link, so it is tested
in test_invitations.py rather than by the generic add-page test.
"""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.utils import timezone

from qualitas.accounts import keys
from qualitas.accounts.filtersets import InvitationFilterSet, LoginAttemptFilterSet
from qualitas.accounts.models import Invitation, LoginAttempt
from qualitas.testing.api import (
    ExportTests,
    GetObjectTests,
    ListObjectsTests,
    ReadOnlyAPITests,
    assert_error,
)
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.records import WriteCheck
from qualitas.testing.views import (
    ArchiveViewTests,
    DetailViewTests,
    ExportViewTests,
    HistoryViewTests,
    ListViewTests,
    ReadOnlyPagesTests,
)

_numbers = itertools.count(1)


def make_invitation(company=None, **fields):
    number = next(_numbers)
    fields.setdefault("email", f"invitee{number}@example.com")
    _token, token_hash = keys.new_invitation_token()
    return Invitation.objects.create(token_hash=token_hash, company=company, **fields)


def make_attempt(**fields):
    number = next(_numbers)
    fields.setdefault("email", f"someone{number}@example.com")
    fields.setdefault("ip", "192.0.2.10")
    fields.setdefault("reason", "bad_password")
    return LoginAttempt.objects.create(**fields)


class TestInvitationAPI(ReadOnlyAPITests):
    model = Invitation

    def make_object(self, company=None):
        return make_invitation(company=company)


class TestInvitationViews(
    ListViewTests, DetailViewTests, ArchiveViewTests, HistoryViewTests, ExportViewTests
):
    """Archiving an invitation revokes it."""

    model = Invitation

    def make_object(self, company=None):
        return make_invitation(company=company)


class TestLoginAttemptAPI(GetObjectTests, ListObjectsTests, ExportTests):
    """The log has only the view permission (nothing may write it), so the generic read-only
    test, which grants add/change/delete first, is replaced by the one below."""

    model = LoginAttempt

    def make_object(self, company=None):
        return make_attempt()

    def test_writes_are_not_allowed(self):
        attempt = self.make_object()
        self.login("view")
        for method, url in (
            ("post", self.list_url()),
            ("put", self.detail_url(attempt)),
            ("patch", self.detail_url(attempt)),
            ("delete", self.detail_url(attempt)),
        ):
            check = WriteCheck(self.model, attempt)
            assert_error(getattr(self.client, method)(url, {}, format="json"), 405)
            check.assert_nothing_written()


class TestLoginAttemptViews(ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """The log has no history of its own and no add, edit or archive."""

    model = LoginAttempt

    def make_object(self, company=None):
        return make_attempt()


class TestInvitationFilterSet(FilterSetTests):
    filterset = InvitationFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Dairy", kind="customer")
        self.manager = make_user(full_name="Quinn Manager")
        self.joined = make_user(full_name="Jo Joined")
        auditor = Group.objects.get(name="Auditor")
        token, token_hash = keys.new_invitation_token()
        self.token = token
        records = {
            "ann": Invitation.objects.create(
                email="ann@acme.example",
                token_hash=token_hash,
                company=self.acme,
                invited_by=self.manager,
                message="Welcome to the portal",
            ),
            "ben": make_invitation(
                email="ben@example.com",
                invited_by=self.manager,
                accepted_at=timezone.now(),
                accepted_user=self.joined,
            ),
            "cat": make_invitation(email="cat@example.com"),
        }
        records["ann"].roles.set([auditor])
        self.auditor = auditor
        self.expiry = records["cat"].expires
        return records

    def cases(self, records):
        expires = timezone.localtime(self.expiry)
        return [
            ({"q": "acme"}, ["ann"]),
            ({"q": "portal"}, ["ann"]),
            ({"email": "ben@example.com"}, ["ben"]),
            ({"company": [self.acme.pk]}, ["ann"]),
            ({"roles": [self.auditor.pk]}, ["ann"]),
            ({"message": "Welcome to the portal"}, ["ann"]),
            ({"invited_by": self.manager.pk}, ["ann", "ben"]),
            ({"accepted": "true"}, ["ben"]),
            ({"accepted": "false"}, ["ann", "cat"]),
            ({"accepted_user": self.joined.pk}, ["ben"]),
            ({"accepted_at": records["ben"].accepted_at.isoformat()}, ["ben"]),
            ({"expires": expires.isoformat()}, ["cat"]),
            ({"token": self.token}, ["ann"]),
            ({"token": f"http://qualitas.example/accounts/signup/{self.token}/"}, ["ann"]),
            ({"token": "not-a-token"}, []),
        ]


class TestLoginAttemptFilterSet(FilterSetTests):
    filterset = LoginAttemptFilterSet

    def make_records(self):
        self.user = make_user(email="known@example.com")
        yesterday = timezone.now() - datetime.timedelta(days=1)
        self.yesterday = timezone.localdate(yesterday)
        return {
            "ok": make_attempt(
                email="known@example.com",
                user=self.user,
                ip="198.51.100.1",
                success=True,
                reason="signed_in",
                user_agent="Mozilla/5.0 Firefox",
            ),
            "bad": make_attempt(email="known@example.com", user=self.user, ip="198.51.100.2"),
            "api": make_attempt(
                email="robot@example.com",
                channel="api",
                reason="unknown_email",
                user_agent="curl/8",
                time=yesterday,
            ),
        }

    def cases(self, records):
        return [
            ({"q": "robot"}, ["api"]),
            ({"user": self.user.pk}, ["ok", "bad"]),
            ({"ip": "198.51.100.2"}, ["bad"]),
            ({"channel": "api"}, ["api"]),
            ({"success": "true"}, ["ok"]),
            ({"success": "false"}, ["bad", "api"]),
            ({"reason": ["bad_password", "unknown_email"]}, ["bad", "api"]),
            ({"time_after": timezone.localdate().isoformat()}, ["ok", "bad"]),
            ({"time_before": self.yesterday.isoformat()}, ["api"]),
            ({"user_agent": "firefox"}, ["ok"]),
        ]
