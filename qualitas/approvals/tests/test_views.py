"""Approval pages: the generic record pages for templates, requests and delegations, then the
Approval tab, the respond page (403 / 400 / success), the inbox, template steps and
"My delegations"."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qualitas.accounts.models import User
from qualitas.approvals import services
from qualitas.approvals.choices import RequestStatusChoices, StepStatusChoices
from qualitas.approvals.models import (
    ApprovalRequest,
    ApprovalResponse,
    ApprovalStep,
    ApprovalTemplate,
    Delegation,
)
from qualitas.approvals.tests.helpers import (
    SeesWidgets,
    approver,
    delegation_data,
    make_delegation,
    make_request,
    make_template,
    make_widget,
    workflow_people,
)
from qualitas.signatures.models import Signature
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.records import WriteCheck, last_change
from qualitas.testing.testapp.models import Widget
from qualitas.testing.views import ModelViewTests, ReadOnlyModelViewTests, posted

_codes = itertools.count(1)


class TestApprovalTemplateViews(ModelViewTests):
    model = ApprovalTemplate
    update_form_data = {"description": "Two approvers from March"}

    def get_form_data(self):
        return {
            "name": "Supplier approval",
            "code": "supplier-approval",
            "description": "Purchasing and QA approve a new supplier.",
            "is_active": "on",
        }

    def test_add_with_record_types(self):
        """The record types are saved too (audited as a change of the many-to-many field)."""
        self.login("view", "add")
        widget_type = ContentType.objects.get_for_model(Widget)
        data = {**self.get_form_data(), "record_types": [str(widget_type.pk)]}
        assert self.client.post(self.url("add"), data).status_code == 302
        template = ApprovalTemplate.objects.get(code="supplier-approval")
        assert list(template.record_types.all()) == [widget_type]
        assert template.applies_to(Widget) and not template.applies_to(User)
        assert "record_types" in last_change(template).changes

    def make_object(self, company=None):
        return make_template(f"page-template-{next(_codes)}", steps=[{"roles": ["QA Manager"]}])


class TestApprovalRequestViews(SeesWidgets, ReadOnlyModelViewTests):
    model = ApprovalRequest

    def make_object(self, company=None):
        return make_request(company)


class TestDelegationViews(ModelViewTests):
    model = Delegation
    update_form_data = {"reason": "Conference in Lyon"}

    def get_form_data(self):
        return {name: posted(value) for name, value in delegation_data().items()}

    def make_object(self, company=None):
        return make_delegation()


# --- The workflow pages -------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup():
    return workflow_people()


def tab_url(widget):
    return f"{widget.get_absolute_url()}approval/"


def respond_url(approval):
    return f"/approvals/approval-requests/{approval.pk}/respond/"


class TestApprovalTab:
    def test_request_approval_from_the_tab(self, setup):
        client = client_for(setup.author)
        page = client.get(tab_url(setup.widget))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Approval has never been requested" in html and "Request approval" in html
        response = client.post(tab_url(setup.widget), {"template": setup.template.pk, "note": "Rev B"})
        assert response.status_code == 302 and response["Location"] == tab_url(setup.widget)
        approval = services.current_request(setup.widget)
        assert approval.requested_by == setup.author and approval.note == "Rev B"
        html = client.get(tab_url(setup.widget)).content.decode()
        assert approval.number in html and "Awaiting approval" in html and "Quinn QA" in html
        assert "Cancel request" in html  # the requester may withdraw it
        assert 'name="template"' not in html  # no second request while one is open

    def test_the_whole_history_with_signatures(self, setup):
        approval = services.start_approval(setup.widget, setup.template, requested_by=setup.author)
        services.respond(
            approval, setup.qa, "approve", comment="QA fine", password=PASSWORD, email=setup.qa.email
        )
        services.respond(
            approval,
            setup.eng1,
            "reject",
            comment="Bore tolerance missing",
            password=PASSWORD,
            email=setup.eng1.email,
        )
        html = client_for(make_user(role="Auditor")).get(tab_url(setup.widget)).content.decode()
        assert "Rejected" in html and "Bore tolerance missing" in html and "QA fine" in html
        assert "Signed: Quinn QA · Approved" in html and "Signed: Erin Engineer · Rejected" in html
        assert "matches the record's current content" in html
        assert "Quorum: Any one of 1" in html and "Quorum: All 2" in html
        setup.widget.refresh_from_db()
        setup.widget.specification = "Drawing 1234 rev C"
        setup.widget.save()
        html = client_for(setup.qa).get(tab_url(setup.widget)).content.decode()
        assert "the record has changed since this signature" in html
        # An auditor reads the history but may not request approval.
        assert (
            'name="template"'
            not in client_for(make_user(role="Auditor")).get(tab_url(setup.widget)).content.decode()
        )

    def test_requesting_a_template_that_cannot_start_shows_the_reason(self, setup):
        template = make_template("auditors", steps=[{"name": "Auditors", "roles": ["Auditor"]}])
        check = WriteCheck(ApprovalRequest)
        response = client_for(setup.author).post(tab_url(setup.widget), {"template": template.pk})
        assert response.status_code == 400
        assert "nobody who can approve it" in response.content.decode()
        check.assert_nothing_written()

    def test_no_template_chosen_is_a_form_error(self, setup):
        response = client_for(setup.author).post(tab_url(setup.widget), {"template": ""})
        assert response.status_code == 400 and "This field is required." in response.content.decode()

    def test_someone_who_may_not_change_the_record_cannot_request(self, setup):
        check = WriteCheck(ApprovalRequest)
        response = client_for(setup.qa).post(tab_url(setup.widget), {"template": setup.template.pk})
        assert response.status_code == 403
        check.assert_nothing_written()

    def test_the_tab_is_scoped_like_the_record(self, setup):
        assert client_for(make_user()).get(tab_url(setup.widget)).status_code == 403
        assert Client().get(tab_url(setup.widget)).status_code == 302


class TestRespondPage:
    @pytest.fixture
    def approval(self, setup):
        return services.start_approval(setup.widget, setup.template, requested_by=setup.author)

    def test_approve_on_the_page(self, setup, approval):
        client = client_for(setup.qa)
        page = client.get(respond_url(approval))
        assert page.status_code == 200
        form = page.context["form"]
        # The first signing of a session asks for the e-mail address as well as the password.
        assert {"decision", "comment", "email", "password"} <= set(form.fields)
        response = client.post(
            f"{respond_url(approval)}?next={tab_url(setup.widget)}",
            {"decision": "approve", "comment": "ok", "email": setup.qa.email, "password": PASSWORD},
        )
        assert response.status_code == 302 and response["Location"] == tab_url(setup.widget)
        assert approval.steps.get(order=1).status == StepStatusChoices.APPROVED

    def test_not_on_the_step_is_403(self, setup, approval):
        check = WriteCheck(ApprovalResponse)
        client = client_for(setup.eng1)
        assert client.get(respond_url(approval)).status_code == 403
        response = client.post(respond_url(approval), {"decision": "approve", "password": PASSWORD})
        assert response.status_code == 403
        assert "not an approver on step 1" in response.content.decode()
        check.assert_nothing_written()

    def test_wrong_password_is_a_form_error_and_records_nothing(self, setup, approval):
        check = WriteCheck(ApprovalResponse)
        response = client_for(setup.qa).post(
            respond_url(approval), {"decision": "approve", "email": setup.qa.email, "password": "wrong"}
        )
        assert response.status_code == 400
        assert "The password is not correct" in response.content.decode()
        check.assert_nothing_written()
        assert not Signature.objects.exists()

    def test_reject_without_comment_is_a_form_error(self, setup, approval):
        response = client_for(setup.qa).post(
            respond_url(approval), {"decision": "reject", "email": setup.qa.email, "password": PASSWORD}
        )
        assert response.status_code == 400 and "Say why you reject it" in response.content.decode()
        assert not ApprovalResponse.objects.exists()

    def test_an_external_next_is_ignored(self, setup, approval):
        response = client_for(setup.qa).post(
            f"{respond_url(approval)}?next=https://evil.example/",
            {"decision": "approve", "email": setup.qa.email, "password": PASSWORD},
        )
        assert response.status_code == 302 and response["Location"] == "/approvals/inbox/"

    def test_someone_who_already_answered_is_sent_back_to_the_request(self, setup, approval):
        services.respond(approval, setup.qa, "approve", password=PASSWORD, email=setup.qa.email)
        services.respond(approval, setup.eng1, "approve", password=PASSWORD, email=setup.eng1.email)
        client = client_for(setup.eng1)
        response = client.get(respond_url(approval))
        assert response.status_code == 302 and response["Location"] == approval.get_absolute_url()
        page = client.get(response["Location"])
        assert "You already responded to this step" in page.content.decode()
        assert "Approve or reject" not in page.content.decode()
        # Evan has not answered yet: the request page offers him the button.
        assert "Approve or reject" in client_for(setup.eng2).get(approval.get_absolute_url()).content.decode()

    def test_a_closed_request_has_no_respond_page(self, setup, approval):
        services.cancel_approval(approval, setup.author, "Withdrawn")
        assert client_for(setup.qa).get(respond_url(approval)).status_code == 404

    def test_cancel_page(self, setup, approval):
        url = f"/approvals/approval-requests/{approval.pk}/cancel/"
        assert client_for(setup.eng1).get(url).status_code == 403
        client = client_for(setup.author)
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": ""}).status_code == 400
        response = client.post(url, {"reason": "Wrong revision"})
        assert response.status_code == 302
        approval.refresh_from_db()
        assert approval.status == RequestStatusChoices.CANCELLED

    def test_request_detail_page_shows_the_steps(self, setup, approval):
        html = client_for(setup.qa).get(approval.get_absolute_url()).content.decode()
        assert "Step 1 · QA review" in html and "Step 2 · Engineering sign-off" in html
        assert "Record since the request" in html and "unchanged" in html


class TestInboxPage:
    def test_inbox_lists_what_needs_me(self, setup):
        approval = services.start_approval(setup.widget, setup.template, requested_by=setup.author)
        step = approval.active_step()
        step.due_at = timezone.now() - datetime.timedelta(hours=1)
        step.save()
        html = client_for(setup.qa).get("/approvals/inbox/").content.decode()
        assert str(setup.widget) in html and "1. QA review" in html and "Ada Author" in html
        assert "Overdue" in html and respond_url(approval) in html
        html = client_for(setup.eng1).get("/approvals/inbox/").content.decode()
        assert "Nothing needs your approval." in html

    def test_inbox_shows_delegated_steps(self, setup):
        approval = services.start_approval(setup.widget, setup.template, requested_by=setup.author)
        stand_in = approver("Food Safety Team Leader", full_name="Sam Stand-in")
        today = timezone.localdate()
        services.create_delegation(setup.qa, stand_in, today, today)
        html = client_for(stand_in).get("/approvals/inbox/").content.decode()
        assert approval.number in html and "for Quinn QA" in html and "delegated" in html

    def test_inbox_needs_sign_in(self):
        assert Client().get("/approvals/inbox/").status_code == 302

    def test_inbox_query_count_does_not_grow(self, setup):
        client = client_for(setup.qa)

        def count():
            with CaptureQueriesContext(connection) as context:
                assert client.get("/approvals/inbox/").status_code == 200
            return len(context.captured_queries)

        services.start_approval(setup.widget, setup.template, requested_by=setup.author)
        client.get("/approvals/inbox/")
        few = count()
        for number in range(5):
            widget = make_widget(name=f"Widget {number}")
            services.start_approval(widget, setup.template, requested_by=setup.author)
        assert count() == few


class TestTemplateStepPages:
    def test_add_edit_and_remove_a_step(self, setup):
        manager = approver()
        client = client_for(manager)
        template = setup.template
        add = f"{template.get_absolute_url()}steps/add/"
        page = client.get(add)
        assert page.status_code == 200 and page.context["form"].initial["order"] == 3
        response = client.post(
            add,
            {
                "order": "3",
                "name": "Plant manager",
                "approver_roles": [str(manager.groups.get().pk)],
                "quorum": "n_of_m",
                "required_approvals": "1",
                "due_amount": "8",
                "due_unit": "hours",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        step = template.steps.get(order=3)
        assert step.due_within == datetime.timedelta(hours=8) and step.required_approvals == 1
        edit = f"{template.get_absolute_url()}steps/{step.pk}/edit/"
        assert client.get(edit).context["form"].initial["due_amount"] == 8
        response = client.post(
            edit,
            {"order": "3", "name": "Plant manager", "quorum": "any", "due_unit": "days"},
        )
        assert response.status_code == 400
        assert "Choose at least one approver role or named approver." in response.content.decode()
        response = client.post(
            edit,
            {
                "order": "1",
                "name": "Plant manager",
                "approver_users": [str(setup.eng1.pk)],
                "quorum": "any",
                "due_unit": "days",
            },
        )
        assert response.status_code == 400 and "already has a step 1" in response.content.decode()
        remove = f"{template.get_absolute_url()}steps/{step.pk}/remove/"
        assert client.get(remove).status_code == 200
        assert client.post(remove).status_code == 302
        assert not ApprovalStep.objects.filter(pk=step.pk).exists()

    def test_removing_a_step_keeps_running_requests(self, setup):
        approval = services.start_approval(setup.widget, setup.template, requested_by=setup.author)
        step = setup.template.steps.get(order=2)
        client_for(approver()).post(f"{setup.template.get_absolute_url()}steps/{step.pk}/remove/")
        copy = approval.steps.get(order=2)
        assert copy.step_id is None and copy.name == "Engineering sign-off"

    def test_steps_need_the_change_permission(self, setup):
        client = client_for(make_user(role="Auditor"))
        check = WriteCheck(ApprovalStep)
        assert client.get(f"{setup.template.get_absolute_url()}steps/add/").status_code == 403
        assert (
            client.post(f"{setup.template.get_absolute_url()}steps/add/", {"order": "3"}).status_code == 403
        )
        check.assert_nothing_written()


class TestMyDelegations:
    def test_delegate_and_withdraw(self, setup):
        client = client_for(setup.eng1)
        assert client.get("/approvals/my-delegations/").status_code == 200
        today = timezone.localdate()
        form = client.get("/approvals/my-delegations/").context["form"]
        assert "delegator" not in form.fields  # one's own approvals only
        response = client.post(
            "/approvals/my-delegations/",
            {
                "delegate": str(setup.eng2.pk),
                "starts": today.isoformat(),
                "ends": today.isoformat(),
                "reason": "Leave",
            },
        )
        assert response.status_code == 302
        delegation = Delegation.objects.get()
        assert delegation.delegator == setup.eng1
        html = client.get("/approvals/my-delegations/").content.decode()
        assert "In force" in html and "Evan Engineer" in html
        html = client_for(setup.eng2).get("/approvals/my-delegations/").content.decode()
        assert "Erin Engineer" in html  # delegated to me
        # Someone else cannot withdraw it.
        client_for(setup.eng2).post(f"/approvals/my-delegations/{delegation.pk}/withdraw/", {"reason": "x"})
        delegation.refresh_from_db()
        assert not delegation.is_archived
        client.post(f"/approvals/my-delegations/{delegation.pk}/withdraw/", {"reason": "Back"})
        delegation.refresh_from_db()
        assert delegation.is_archived

    def test_bad_dates_are_form_errors(self, setup):
        today = timezone.localdate()
        response = client_for(setup.eng1).post(
            "/approvals/my-delegations/",
            {
                "delegate": str(setup.eng2.pk),
                "starts": today.isoformat(),
                "ends": (today - datetime.timedelta(days=2)).isoformat(),
            },
        )
        assert (
            response.status_code == 400
            and "The end date is before the start date." in response.content.decode()
        )
        assert not Delegation.objects.exists()

    def test_people_who_do_not_approve_have_no_delegations_page(self):
        assert client_for(make_user(role="Auditor")).get("/approvals/my-delegations/").status_code == 403


def test_menu_entries(setup):
    html = client_for(setup.qa).get("/approvals/inbox/").content.decode()
    for label in ("Needs my approval", "Approval requests", "My delegations", "Approval templates"):
        assert label in html
    assert services.is_approvable(Widget) and not services.is_approvable(ApprovalRequest)
    assert not services.is_approvable(User)
