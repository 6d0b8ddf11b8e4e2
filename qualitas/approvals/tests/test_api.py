"""The approvals API: the generic record tests for templates, requests and delegations, then
starting, answering (200 / 400 / 403), cancelling, the inbox and nested template steps."""

import datetime
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from qualitas.accounts.models import User
from qualitas.accounts.tests.helpers import current_code, enrol
from qualitas.approvals.models import ApprovalRequest, ApprovalResponse, ApprovalTemplate, Delegation
from qualitas.approvals.tests.helpers import (
    SeesWidgets,
    approver,
    delegation_data,
    make_delegation,
    make_request,
    make_template,
    workflow_people,
)
from qualitas.signatures.models import Signature
from qualitas.testing.api import APITests, ExportTests, GetObjectTests, ListObjectsTests, assert_error
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.records import WriteCheck, permission
from qualitas.testing.testapp.models import Widget

_codes = itertools.count(1)


class TestApprovalTemplateAPI(APITests):
    model = ApprovalTemplate
    create_data = {
        "code": "capa-closure",
        "name": "CAPA closure",
        "description": "The QA Manager confirms effectiveness.",
        "is_active": True,
    }
    update_data = {"description": "Effectiveness checked after 90 days.", "is_active": False}

    def make_object(self, company=None):
        return make_template(f"template-{next(_codes)}", steps=[{"roles": ["QA Manager"]}])


class TestApprovalRequestAPI(SeesWidgets, GetObjectTests, ListObjectsTests, ExportTests):
    """Requests are read here like any record; creating, answering and cancelling are tested
    below."""

    model = ApprovalRequest

    def make_object(self, company=None):
        return make_request(company)


class TestDelegationAPI(APITests):
    model = Delegation
    update_data = {"reason": "Conference in Lyon"}

    def get_create_data(self):
        return delegation_data()

    def make_object(self, company=None):
        return make_delegation()


# --- Starting, answering, cancelling ------------------------------------------------------------

pytestmark = pytest.mark.django_db
REQUESTS = "/api/v1/approval-requests/"
INBOX = "/api/v1/approvals/inbox/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup():
    return workflow_people()


def start(setup):
    return client_for(setup.author).post(
        REQUESTS,
        {"record_type": "testapp.widget", "object_id": str(setup.widget.pk), "template": setup.template.code},
        format="json",
    )


class TestStartAPI:
    def test_start(self, setup):
        response = start(setup)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["record_type"] == "testapp.widget" and body["object_id"] == str(setup.widget.pk)
        assert body["template"] == setup.template.code and body["status"] == "pending"
        assert body["requested_by"]["id"] == setup.author.pk
        assert [step["status"] for step in body["steps"]] == ["active", "waiting"]
        assert body["record_url"].endswith(setup.widget.get_absolute_url())
        assert ApprovalRequest.objects.get(pk=body["id"]).requested_by == setup.author

    def test_start_twice_is_refused(self, setup):
        assert start(setup).status_code == 201
        check = WriteCheck(ApprovalRequest)
        body = assert_error(start(setup), 400)
        assert "already open" in str(body["errors"])
        check.assert_nothing_written()

    def test_start_without_the_right_to_change_the_record(self, setup):
        reader = make_user(role="Auditor")
        check = WriteCheck(ApprovalRequest)
        response = client_for(reader).post(
            REQUESTS,
            {
                "record_type": "testapp.widget",
                "object_id": str(setup.widget.pk),
                "template": setup.template.code,
            },
            format="json",
        )
        assert_error(response, 403)
        check.assert_nothing_written()

    @pytest.mark.parametrize(
        "data, status, field",
        [
            ({}, 400, "record_type"),
            ({"record_type": "nothing.here", "object_id": "1", "template": "two-step"}, 400, "record_type"),
            ({"record_type": "testapp.widget", "object_id": "1", "template": "no-such"}, 400, "template"),
            ({"record_type": "testapp.widget", "object_id": "999999", "template": "two-step"}, 404, None),
            ({"record_type": "testapp.widget", "object_id": "abc", "template": "two-step"}, 404, None),
        ],
    )
    def test_bad_input(self, setup, data, status, field):
        check = WriteCheck(ApprovalRequest)
        body = assert_error(client_for(setup.author).post(REQUESTS, data, format="json"), status)
        if field:
            assert field in body["errors"]
        check.assert_nothing_written()


class TestRespondAPI:
    def respond(self, user, approval, **data):
        data.setdefault("decision", "approve")
        data.setdefault("password", PASSWORD)
        data.setdefault("email", user.email)
        return client_for(user).post(f"{REQUESTS}{approval.pk}/respond/", data, format="json")

    def test_approve_then_reject(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        response = self.respond(setup.qa, approval, comment="Fine")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["current_step"] == 2
        first = body["steps"][0]
        assert first["status"] == "approved"
        (answer,) = first["responses"]
        assert answer["approver"]["id"] == setup.qa.pk and answer["decision"] == "approve"
        assert (
            answer["signature"]["meaning"] == "approved" and answer["signature"]["printed_name"] == "Quinn QA"
        )
        body = self.respond(setup.eng1, approval, decision="reject", comment="Bore tolerance missing").json()
        assert body["status"] == "rejected"
        assert body["steps"][1]["responses"][0]["comment"] == "Bore tolerance missing"

    def test_wrong_password_is_400_and_records_nothing(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        check = WriteCheck(ApprovalResponse)
        body = assert_error(self.respond(setup.qa, approval, password="wrong"), 400)
        assert "password" in body["errors"]
        check.assert_nothing_written()
        assert not Signature.objects.exists()

    def test_two_factor_signers_need_their_code(self, setup):
        secret, _codes = enrol(setup.qa)
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        check = WriteCheck(ApprovalResponse)
        body = assert_error(self.respond(setup.qa, approval), 400)
        assert "otp" in body["errors"]
        body = assert_error(self.respond(setup.qa, approval, otp="000000"), 400)
        assert "otp" in body["errors"]
        check.assert_nothing_written()
        response = self.respond(setup.qa, approval, otp=current_code(secret))
        assert response.status_code == 200, response.json()
        assert response.json()["steps"][0]["status"] == "approved"

    def test_not_on_the_step_is_403_and_records_nothing(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        check = WriteCheck(ApprovalResponse)
        body = assert_error(self.respond(setup.eng1, approval), 403)
        assert "not an approver on step 1" in body["detail"]
        check.assert_nothing_written()
        assert not Signature.objects.exists()

    def test_the_author_is_403(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        setup.author.groups.add(*setup.qa.groups.all())
        author = User.objects.get(pk=setup.author.pk)
        body = assert_error(self.respond(author, approval), 403)
        assert "segregation of duties" in body["detail"]

    @pytest.mark.parametrize(
        "data, field",
        [({"decision": "maybe"}, "decision"), ({"decision": "reject", "comment": ""}, "comment")],
    )
    def test_bad_answers_are_400(self, setup, data, field):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        check = WriteCheck(ApprovalResponse)
        body = assert_error(self.respond(setup.qa, approval, **data), 400)
        assert field in body["errors"]
        check.assert_nothing_written()

    def test_someone_who_cannot_see_the_request_gets_404(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        stranger = make_user()
        stranger.user_permissions.add(permission(ApprovalRequest, "view"))
        assert_error(self.respond(User.objects.get(pk=stranger.pk), approval), 404)

    def test_anonymous_is_401(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        assert_error(APIClient().post(f"{REQUESTS}{approval.pk}/respond/", {}, format="json"), 401)

    def test_requests_are_not_edited(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        client = client_for(approver())
        for method in ("put", "patch", "delete"):
            assert_error(getattr(client, method)(f"{REQUESTS}{approval.pk}/", {}, format="json"), 405)


class TestCancelAPI:
    def test_cancel(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        url = f"{REQUESTS}{approval.pk}/cancel/"
        assert_error(client_for(setup.eng1).post(url, {"reason": "Not mine"}, format="json"), 403)
        assert "reason" in assert_error(client_for(setup.author).post(url, {}, format="json"), 400)["errors"]
        response = client_for(setup.author).post(url, {"reason": "Wrong revision"}, format="json")
        assert response.status_code == 200
        assert (
            response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "Wrong revision"
        )
        assert_error(client_for(setup.author).post(url, {"reason": "Again"}, format="json"), 400)


class TestInboxAPI:
    def test_inbox(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        body = client_for(setup.qa).get(INBOX).json()
        assert body["count"] == 1
        (row,) = body["results"]
        assert row["order"] == 1 and row["request"]["number"] == approval.number
        assert row["request"]["record_type"] == "testapp.widget"
        assert row["respond_url"].endswith(f"{REQUESTS}{approval.pk}/respond/")
        assert client_for(setup.eng1).get(INBOX).json()["count"] == 0
        assert_error(APIClient().get(INBOX), 401)

    def test_overdue_is_flagged(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        step = approval.active_step()
        step.due_at = timezone.now() - datetime.timedelta(minutes=1)
        step.save()
        (row,) = client_for(setup.qa).get(INBOX).json()["results"]
        assert row["is_overdue"] is True


class TestScopeAPI:
    def test_requests_on_records_one_cannot_see_are_hidden(self, setup):
        approval = ApprovalRequest.objects.get(pk=start(setup).json()["id"])
        user = make_user()
        user.user_permissions.add(permission(ApprovalRequest, "view"))
        client = client_for(User.objects.get(pk=user.pk))
        assert client.get(REQUESTS).json()["count"] == 0
        assert_error(client.get(f"{REQUESTS}{approval.pk}/"), 404)
        user.user_permissions.add(permission(Widget, "view"))
        client = client_for(User.objects.get(pk=user.pk))
        assert [row["id"] for row in client.get(REQUESTS).json()["results"]] == [approval.pk]

    def test_filters(self, setup):
        start(setup)
        client = client_for(setup.qa)
        assert client.get(REQUESTS, {"status": "pending"}).json()["count"] == 1
        assert client.get(REQUESTS, {"status": "approved"}).json()["count"] == 0
        assert client.get(REQUESTS, {"overdue": "true"}).json()["count"] == 0


class TestTemplateStepsAPI:
    URL = "/api/v1/approval-templates/"

    def test_create_with_steps_and_replace_them(self):
        manager = approver()
        eng = approver("Production Manager")
        client = client_for(manager)
        response = client.post(
            self.URL,
            {
                "code": "ppap",
                "name": "PPAP submission",
                "record_types": ["testapp.widget"],
                "steps": [
                    {
                        "order": 1,
                        "name": "Quality",
                        "approver_roles": ["QA Manager"],
                        "due_within": "2 00:00:00",
                    },
                    {
                        "order": 2,
                        "name": "Engineering",
                        "approver_users": [eng.pk],
                        "quorum": "all",
                        "escalate_to": "Production Manager",
                    },
                ],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["record_types"] == ["testapp.widget"]
        assert [(s["order"], s["name"]) for s in body["steps"]] == [(1, "Quality"), (2, "Engineering")]
        assert body["steps"][0]["due_within"] == "2 00:00:00"
        template = ApprovalTemplate.objects.get(code="ppap")
        first_id = template.steps.get(order=1).pk
        response = client.patch(
            f"{self.URL}{template.pk}/",
            {"steps": [{"order": 1, "name": "Quality (renamed)", "approver_roles": ["QA Manager"]}]},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert [s["name"] for s in response.json()["steps"]] == ["Quality (renamed)"]
        assert template.steps.get().pk == first_id  # matched by order, not replaced

    @pytest.mark.parametrize(
        "step, message",
        [
            ({"order": 1, "name": "Nobody"}, "at least one approver"),
            ({"order": 1, "name": "Count", "approver_roles": ["QA Manager"], "quorum": "n_of_m"}, "how many"),
        ],
    )
    def test_bad_steps_write_nothing(self, step, message):
        client = client_for(approver())
        check = WriteCheck(ApprovalTemplate)
        body = assert_error(
            client.post(self.URL, {"code": "bad", "name": "Bad", "steps": [step]}, format="json"), 400
        )
        assert message in str(body["errors"])
        check.assert_nothing_written()

    def test_a_named_approver_must_be_able_to_respond(self):
        auditor = make_user(role="Auditor")
        body = assert_error(
            client_for(approver()).post(
                self.URL,
                {
                    "code": "x",
                    "name": "X",
                    "steps": [{"order": 1, "name": "A", "approver_users": [auditor.pk]}],
                },
                format="json",
            ),
            400,
        )
        assert "cannot respond to approvals" in str(body["errors"])


class TestDelegationRulesAPI:
    URL = "/api/v1/delegations/"

    def test_own_delegation_and_withdraw(self):
        away, stand_in = approver("Production Manager"), approver("Document Controller")
        today = timezone.localdate()
        client = client_for(away)
        data = {"delegate": stand_in.pk, "starts": today.isoformat(), "ends": today.isoformat()}
        response = client.post(self.URL, data, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["delegator"] == away.pk and response.json()["is_in_force"] is True
        pk = response.json()["id"]
        # Someone else's: only with approvals.change_delegation.
        other = approver("Production Manager")
        check = WriteCheck(Delegation)
        assert_error(client.post(self.URL, {**data, "delegator": other.pk}, format="json"), 403)
        assert_error(
            client_for(other).post(f"{self.URL}{pk}/withdraw/", {"reason": "Not mine"}, format="json"), 403
        )
        check.assert_nothing_written()
        response = client.post(f"{self.URL}{pk}/withdraw/", {"reason": "Back early"}, format="json")
        assert response.status_code == 200 and response.json()["is_archived"] is True
        assert response.json()["archive_reason"] == "Back early"
        assert_error(client.post(f"{self.URL}{pk}/withdraw/", {"reason": "Again"}, format="json"), 400)
