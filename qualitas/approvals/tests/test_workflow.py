"""The approval engine on a testapp Widget: quorum, rejection back to the author, delegation,
segregation of duties, signing, escalation. Given / when / then, with what must not happen."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qualitas.accounts.choices import LoginChannelChoices
from qualitas.accounts.models import LoginAttempt
from qualitas.approvals import services, signals
from qualitas.approvals.actions import RequestApproval
from qualitas.approvals.choices import QuorumChoices, RequestStatusChoices, StepStatusChoices
from qualitas.approvals.jobs import escalate_overdue_approvals
from qualitas.approvals.models import ApprovalResponse, ApprovalStep, Delegation, StepInstance
from qualitas.approvals.tests.helpers import (
    approver,
    make_author,
    make_template,
    make_widget,
    two_step_template,
)
from qualitas.core.models import AppendOnlyError, DomainEvent
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.framework.jobs import periodic_jobs
from qualitas.notifications.models import Notification, Reminder
from qualitas.signatures.models import Signature
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.testapp.choices import WidgetStatusChoices

pytestmark = pytest.mark.django_db


def answer(step_or_request, user, decision="approve", comment="", **kwargs):
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("email", user.email)
    return services.respond(step_or_request, user, decision, comment=comment, **kwargs)


def notified(kind, user=None):
    queryset = Notification.objects.filter(kind=kind)
    if user is not None:
        queryset = queryset.filter(recipient=user)
    return queryset


@pytest.fixture
def people():
    class People:
        author = make_author(full_name="Ada Author")
        qa1 = approver(full_name="Quinn QA")
        qa2 = approver(full_name="Quentin QA")
        eng1 = approver("Production Manager", full_name="Erin Engineer")
        eng2 = approver("Document Controller", full_name="Evan Engineer")
        stand_in = approver("Food Safety Team Leader", full_name="Sam Stand-in")

    return People


@pytest.fixture
def started(people):
    widget = make_widget()
    template = two_step_template([people.eng1, people.eng2])
    request = services.start_approval(widget, template, requested_by=people.author, note="Ready for release")
    return widget, request


def steps(request):
    return list(request.steps.order_by("order"))


class TestStart:
    def test_start_copies_the_template_and_activates_the_first_step(self, people, started):
        widget, request = started
        first, second = steps(request)
        assert request.status == RequestStatusChoices.PENDING and request.current_step == 1
        assert request.number.startswith("APR-")
        assert request.content_hash == services.content_hash(widget)
        assert request.object_repr == str(widget)
        assert first.status == StepStatusChoices.ACTIVE and second.status == StepStatusChoices.WAITING
        assert set(first.approvers.all()) == {people.qa1, people.qa2}
        assert first.required_approvals == 1
        assert set(second.approvers.all()) == {people.eng1, people.eng2}
        assert second.required_approvals == 2
        assert first.due_at == first.activated_at + datetime.timedelta(days=2)
        assert second.due_at is None
        assert services.current_request(widget) == request
        assert DomainEvent.objects.filter(name="approval.requested", object_id=str(widget.pk)).count() == 1

    def test_the_first_steps_approvers_are_notified_and_reminded(self, people, started):
        _widget, request = started
        first = steps(request)[0]
        assert set(notified("approval.request").values_list("recipient", flat=True)) == {
            people.qa1.pk,
            people.qa2.pk,
        }
        assert "Ready for release" in notified("approval.request", people.qa1).get().message
        reminder = Reminder.objects.get(object_id=str(first.pk), is_active=True)
        assert reminder.due == first.due_at
        assert {user.pk for user in reminder.recipients.all()} == {people.qa1.pk, people.qa2.pk}

    def test_inbox_holds_the_open_step_for_its_approvers_only(self, people, started):
        _widget, request = started
        first = steps(request)[0]
        assert list(services.inbox(people.qa1)) == [first]
        assert list(services.inbox(people.qa2)) == [first]
        assert list(services.inbox(people.eng1)) == []
        assert list(services.inbox(people.author)) == []

    def test_records_awaiting_someone(self, people, started):
        widget, _request = started
        make_widget(name="Not submitted")
        widgets = type(widget).objects.all()
        assert list(services.awaiting(widgets, people.qa1)) == [widget]
        assert list(services.awaiting(widgets, people.eng1)) == []

    def test_the_author_is_never_an_approver(self, people):
        author = approver(full_name="Quality Author")
        author.user_permissions.add(*make_author().user_permissions.all())
        widget = make_widget()
        request = services.start_approval(
            widget, two_step_template([people.eng1, people.eng2]), requested_by=author
        )
        first = steps(request)[0]
        assert author not in first.approvers.all()
        with pytest.raises(PermissionDenied, match="segregation of duties"):
            answer(first, author)
        assert not ApprovalResponse.objects.exists() and not Signature.objects.exists()

    def test_one_open_request_per_record(self, people, started):
        widget, request = started
        with pytest.raises(ValidationError, match=request.number):
            services.start_approval(widget, request.template, requested_by=people.author)
        assert widget_requests(widget) == 1

    def test_someone_who_may_not_change_the_record_cannot_start(self, people):
        widget = make_widget()
        template = two_step_template([people.eng1, people.eng2])
        with pytest.raises(PermissionDenied):
            services.start_approval(widget, template, requested_by=make_user(role="Auditor"))
        assert widget_requests(widget) == 0

    def test_a_step_nobody_can_approve_refuses_to_start(self, people):
        widget = make_widget()
        template = make_template("nobody", steps=[{"name": "Auditors", "roles": ["Auditor"]}])
        make_user(role="Auditor")  # an auditor reads everything and approves nothing
        with pytest.raises(ValidationError, match="nobody who can approve"):
            services.start_approval(widget, template, requested_by=people.author)
        assert widget_requests(widget) == 0 and not StepInstance.objects.exists()

    def test_n_of_m_needs_enough_approvers(self, people):
        widget = make_widget()
        template = make_template(
            "three",
            steps=[
                {"users": [people.eng1, people.eng2], "quorum": QuorumChoices.N_OF_M, "required_approvals": 3}
            ],
        )
        with pytest.raises(ValidationError, match="needs 3 approvals but only 2"):
            services.start_approval(widget, template, requested_by=people.author)

    @pytest.mark.parametrize("problem", ["inactive", "other type", "unknown", "no steps"])
    def test_templates_that_do_not_fit(self, people, problem):
        widget = make_widget()
        template = two_step_template([people.eng1, people.eng2])
        if problem == "inactive":
            template.is_active = False
            template.save()
        elif problem == "other type":
            from django.contrib.contenttypes.models import ContentType

            from qualitas.accounts.models import Company

            template.record_types.set([ContentType.objects.get_for_model(Company)])
        elif problem == "unknown":
            template = "no-such-template"
        else:
            template = make_template("empty")
        with pytest.raises(ValidationError) as error:
            services.start_approval(widget, template, requested_by=people.author)
        assert "template" in error.value.message_dict
        assert widget_requests(widget) == 0

    def test_later_template_edits_do_not_change_a_running_request(self, people, started):
        _widget, request = started
        template_step = ApprovalStep.objects.get(template=request.template, order=2)
        template_step.approver_users.set([people.stand_in])
        template_step.name = "Renamed"
        template_step.save()
        second = steps(request)[1]
        assert second.name == "Engineering sign-off"
        assert set(second.approvers.all()) == {people.eng1, people.eng2}


def widget_requests(widget):
    return services.requests_for(widget).count()


class TestQuorumAndApproval:
    def test_any_one_approval_completes_the_step_and_activates_the_next(self, people, started):
        widget, request = started
        first, second = steps(request)
        response = answer(first, people.qa1, comment="Looks right")
        first.refresh_from_db()
        second.refresh_from_db()
        request.refresh_from_db()
        assert response.signature.meaning == "approved"
        assert response.signature.signer_id == people.qa1.pk
        assert response.signature.object_id == str(widget.pk)
        assert first.status == StepStatusChoices.APPROVED and first.resolved_at is not None
        assert second.status == StepStatusChoices.ACTIVE and request.current_step == 2
        assert set(
            notified("approval.request")
            .filter(recipient__in=[people.eng1, people.eng2])
            .values_list("recipient", flat=True)
        ) == {people.eng1.pk, people.eng2.pk}
        # The first step's "approval needed" notices no longer count as unread (the other QA
        # Manager's too); the second step's are new and unread.
        assert not notified("approval.request", people.qa2).filter(read_at__isnull=True).exists()
        assert notified("approval.request", people.qa2).exists()
        assert not notified("approval.request", people.eng1).filter(read_at__isnull=False).exists()
        # The first step's reminders stop; the second's start.
        assert not Reminder.objects.filter(object_id=str(first.pk), is_active=True).exists()
        assert Reminder.objects.filter(object_id=str(second.pk), is_active=True).exists()
        # The other QA Manager is no longer on an open step.
        with pytest.raises(PermissionDenied, match="not an approver on step 2"):
            answer(request, people.qa2)

    def test_all_needs_every_approver_then_the_record_is_approved(self, people, started):
        widget, request = started
        answer(request, people.qa1)
        received = []

        def listener(sender, request, obj, **kwargs):
            received.append((sender, request.pk, obj.pk))

        signals.approval_approved.connect(listener)
        try:
            answer(request, people.eng1)
            request.refresh_from_db()
            assert request.status == RequestStatusChoices.PENDING
            assert steps(request)[1].status == StepStatusChoices.ACTIVE
            assert received == []
            answer(request, people.eng2, comment="Signed off")
        finally:
            signals.approval_approved.disconnect(listener)
        request.refresh_from_db()
        widget.refresh_from_db()
        assert request.status == RequestStatusChoices.APPROVED and request.completed_at is not None
        assert request.current_step is None
        assert widget.status == WidgetStatusChoices.APPROVED  # the model hook ran
        assert received == [(type(widget), request.pk, widget.pk)]
        assert services.is_approved(widget) and services.current_request(widget) is None
        decision = notified("approval.decision", people.author).get()
        assert decision.subject.startswith("Approved")
        assert DomainEvent.objects.filter(name="approval.approved", object_id=str(widget.pk)).count() == 1
        assert ApprovalResponse.objects.filter(step__request=request).count() == 3

    def test_n_of_m(self, people):
        third = approver("Production Manager")
        widget = make_widget()
        template = make_template(
            "two-of-three",
            steps=[
                {
                    "users": [people.eng1, people.eng2, third],
                    "quorum": QuorumChoices.N_OF_M,
                    "required_approvals": 2,
                }
            ],
        )
        request = services.start_approval(widget, template, requested_by=people.author)
        assert steps(request)[0].quorum_display == "2 of 3"
        answer(request, people.eng1)
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.PENDING
        answer(request, third)
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.APPROVED
        with pytest.raises(ValidationError, match="approved: it is closed"):
            answer(request, people.eng2)

    def test_an_approver_answers_a_step_once(self, people, started):
        _widget, request = started
        answer(request, people.qa1)
        answer(request, people.eng1)
        with pytest.raises(ValidationError, match="already responded"):
            answer(request, people.eng1)
        assert ApprovalResponse.objects.filter(approver=people.eng1).count() == 1


class TestRejection:
    def test_rejection_returns_the_record_to_its_author_with_every_comment(self, people, started):
        widget, request = started
        answer(request, people.qa1, comment="QA fine")
        received = []

        def listener(sender, request, obj, comments, **kwargs):
            received.append(comments)

        signals.approval_rejected.connect(listener)
        try:
            answer(request, people.eng1, "reject", comment="Tolerance on the bore is missing")
        finally:
            signals.approval_rejected.disconnect(listener)
        request.refresh_from_db()
        widget.refresh_from_db()
        first, second = steps(request)
        assert request.status == RequestStatusChoices.REJECTED and request.current_step is None
        assert second.status == StepStatusChoices.REJECTED
        assert widget.status == WidgetStatusChoices.DRAFT  # back to the author
        assert not Reminder.objects.filter(object_id=str(second.pk), is_active=True).exists()
        message = notified("approval.decision", people.author).get().message
        assert "Tolerance on the bore is missing" in message and "QA fine" in message
        assert "Erin Engineer (step 2: Engineering sign-off), rejected" in message
        (comments,) = received
        assert [comment.comment for comment in comments] == ["QA fine", "Tolerance on the bore is missing"]
        assert comments[1].decision == "reject" and comments[1].approver == "Erin Engineer"
        # The other approver of the step can no longer answer; the signature says "rejected".
        with pytest.raises(ValidationError, match="rejected: it is closed"):
            answer(request, people.eng2)
        assert ApprovalResponse.objects.get(approver=people.eng1).signature.meaning == "rejected"

    def test_a_new_request_after_rejection_keeps_the_history(self, people, started):
        widget, request = started
        answer(request, people.qa1, "reject", comment="Wrong drawing")
        widget.status = WidgetStatusChoices.REVIEW
        widget.save()
        again = services.start_approval(widget, request.template, requested_by=people.author)
        assert list(services.requests_for(widget)) == [again, request]
        assert services.outcome(widget) == RequestStatusChoices.PENDING

    def test_rejecting_needs_a_comment_and_records_nothing_without_one(self, people, started):
        _widget, request = started
        with pytest.raises(ValidationError) as error:
            answer(request, people.qa1, "reject", comment="  ")
        assert "comment" in error.value.message_dict
        assert not ApprovalResponse.objects.exists() and not Signature.objects.exists()
        assert steps(request)[0].status == StepStatusChoices.ACTIVE


class TestRefusals:
    def test_someone_not_on_the_step_is_refused_and_nothing_is_recorded(self, people, started):
        _widget, request = started
        outsider = approver("Production Manager")
        attempts = LoginAttempt.objects.count()
        with pytest.raises(PermissionDenied, match="not an approver on step 1"):
            answer(request, outsider)
        assert not ApprovalResponse.objects.exists() and not Signature.objects.exists()
        # Refused before the password was looked at: no signing attempt is counted.
        assert LoginAttempt.objects.count() == attempts

    def test_someone_without_the_permission_to_respond_is_refused(self, people, started):
        _widget, request = started
        first = steps(request)[0]
        auditor = make_user(role="Auditor")
        first.approvers.add(auditor)  # even if they were put on the step somehow
        with pytest.raises(PermissionDenied, match="permission to respond"):
            answer(request, auditor)

    def test_a_wrong_password_records_nothing_but_the_failed_attempt(self, people, started):
        _widget, request = started
        with pytest.raises(ValidationError) as error:
            answer(request, people.qa1, password="not-my-password")
        assert "password" in error.value.errors
        assert not ApprovalResponse.objects.exists() and not Signature.objects.exists()
        assert steps(request)[0].status == StepStatusChoices.ACTIVE
        attempt = LoginAttempt.objects.order_by("-id").first()
        assert attempt.user_id == people.qa1.pk and not attempt.success
        assert attempt.channel == LoginChannelChoices.SIGNATURE

    def test_a_bad_decision_is_refused(self, people, started):
        _widget, request = started
        with pytest.raises(ValidationError) as error:
            answer(request, people.qa1, "maybe")
        assert "decision" in error.value.message_dict

    def test_responses_are_never_changed(self, people, started):
        _widget, request = started
        response = answer(request, people.qa1, comment="ok")
        response.comment = "changed"
        with pytest.raises(AppendOnlyError):
            response.save()
        with pytest.raises(AppendOnlyError):
            ApprovalResponse.objects.filter(pk=response.pk).update(comment="changed")
        with pytest.raises(AppendOnlyError):
            ApprovalResponse.objects.filter(pk=response.pk).delete()
        assert ApprovalResponse.objects.get(pk=response.pk).comment == "ok"


class TestDelegation:
    def away(self, delegator, delegate, days=(0, 5), by=None):
        today = timezone.localdate()
        return services.create_delegation(
            by or delegator,
            delegate,
            today + datetime.timedelta(days=days[0]),
            today + datetime.timedelta(days=days[1]),
            reason="Annual leave",
            delegator=delegator,
        )

    def test_a_delegate_answers_for_the_approver_and_the_response_records_both(self, people, started):
        _widget, request = started
        answer(request, people.qa1)
        delegation = self.away(people.eng1, people.stand_in)
        second = steps(request)[1]
        assert list(services.inbox(people.stand_in)) == [second]
        (row,) = services.inbox_rows(people.stand_in)
        assert row.for_whom == (people.eng1,) and not row.as_self
        response = answer(request, people.stand_in, comment="Checked the drawing")
        assert response.approver == people.stand_in and response.on_behalf_of == people.eng1
        assert response.delegation == delegation
        assert response.signature.signer_id == people.stand_in.pk
        assert response.signature.comment.startswith(f"On behalf of {people.eng1} (delegation).")
        # Erin is counted: neither she nor her delegate can answer again.
        with pytest.raises(ValidationError, match="already responded"):
            answer(request, people.eng1)
        assert list(services.inbox(people.stand_in)) == []
        answer(request, people.eng2)
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.APPROVED

    def test_the_delegate_is_told_about_new_steps(self, people):
        self.away(people.qa1, people.stand_in)
        widget = make_widget()
        services.start_approval(
            widget, two_step_template([people.eng1, people.eng2]), requested_by=people.author
        )
        assert notified("approval.request", people.stand_in).count() == 1

    def test_a_delegation_not_in_force_gives_nothing(self, people, started):
        _widget, request = started
        self.away(people.qa1, people.stand_in, days=(3, 6))
        assert list(services.inbox(people.stand_in)) == []
        with pytest.raises(PermissionDenied):
            answer(request, people.stand_in)

    def test_a_withdrawn_delegation_gives_nothing(self, people, started):
        _widget, request = started
        delegation = self.away(people.qa1, people.stand_in)
        services.withdraw_delegation(delegation, people.qa1, "Back early")
        delegation.refresh_from_db()
        assert delegation.is_archived and delegation.archive_reason == "Back early"
        with pytest.raises(PermissionDenied):
            answer(request, people.stand_in)

    def test_one_persons_signature_never_counts_twice(self, people, started):
        _widget, request = started
        answer(request, people.qa1)
        self.away(people.eng2, people.eng1)  # Evan delegates to Erin, who is an approver too
        answer(request, people.eng1)
        with pytest.raises(ValidationError, match="already responded"):
            answer(request, people.eng1, on_behalf_of=people.eng2)
        assert steps(request)[1].status == StepStatusChoices.ACTIVE

    def test_the_requester_cannot_approve_as_a_delegate(self, people, started):
        _widget, request = started
        author_approver = approver("Document Controller")
        author_approver.user_permissions.add(*people.author.user_permissions.all())
        widget = make_widget(name="Second")
        request = services.start_approval(
            widget, two_step_template([people.eng1, people.eng2], code="second"), requested_by=author_approver
        )
        self.away(people.qa1, author_approver)
        with pytest.raises(PermissionDenied, match="segregation of duties"):
            answer(request, author_approver)

    def test_delegation_rules(self, people):
        today = timezone.localdate()
        with pytest.raises(ValidationError) as error:
            services.create_delegation(people.qa1, people.qa1, today, today)
        assert "delegate" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.create_delegation(people.qa1, people.qa2, today, today - datetime.timedelta(days=1))
        assert "ends" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.create_delegation(people.qa1, make_user(role="Auditor"), today, today)
        assert "cannot respond to approvals" in str(error.value)
        self.away(people.qa1, people.qa2)
        with pytest.raises(ValidationError) as error:
            self.away(people.qa1, people.stand_in, days=(2, 3))
        assert "overlap" in str(error.value.message_dict["starts"])
        # Only one's own approvals, unless one manages delegations.
        with pytest.raises(PermissionDenied):
            self.away(people.eng1, people.eng2, by=people.stand_in, days=(10, 12))
        made = self.away(people.eng1, people.eng2, by=people.qa1, days=(10, 12))  # QA Manager manages them
        assert made.delegator == people.eng1 and Delegation.objects.count() == 2


class TestEscalation:
    def test_an_overdue_step_is_escalated_once_to_its_role(self, people, started):
        widget, request = started
        first = steps(request)[0]
        first.due_at = timezone.now() - datetime.timedelta(hours=3)
        first.save()
        assert escalate_overdue_approvals() == 1
        first.refresh_from_db()
        assert first.escalated_at is not None
        escalations = notified("approval.escalation")
        assert set(escalations.values_list("recipient", flat=True)) == {people.qa1.pk, people.qa2.pk}
        message = escalations.first().message
        assert "3 h" in message and "Quinn QA" in message and request.number in message
        assert DomainEvent.objects.filter(name="approval.escalated", object_id=str(widget.pk)).count() == 1
        # Once only.
        assert escalate_overdue_approvals() == 0
        assert notified("approval.escalation").count() == 2

    def test_a_step_without_its_own_role_escalates_to_the_default_role(self, people, settings):
        settings.QUALITAS_APPROVAL_ESCALATION_ROLE = "Food Safety Team Leader"
        widget = make_widget()
        template = make_template(
            "late", steps=[{"users": [people.eng1], "due_within": datetime.timedelta(hours=4)}]
        )
        request = services.start_approval(widget, template, requested_by=people.author)
        step = steps(request)[0]
        step.due_at = timezone.now() - datetime.timedelta(minutes=5)
        step.save()
        (escalated,) = services.escalate_overdue()
        assert escalated.pk == step.pk
        assert list(notified("approval.escalation").values_list("recipient", flat=True)) == [
            people.stand_in.pk
        ]

    def test_steps_not_yet_due_or_closed_are_left_alone(self, people, started):
        _widget, request = started
        answer(request, people.qa1)
        first, second = steps(request)
        first.due_at = timezone.now() - datetime.timedelta(days=1)  # approved: not escalated
        first.save()
        assert services.escalate_overdue() == []
        assert second.due_at > timezone.now()

    def test_the_job_is_registered(self):
        job = periodic_jobs()["Escalate overdue approvals"]
        assert job.task == escalate_overdue_approvals.name
        assert job.every == datetime.timedelta(minutes=5)


class TestCancel:
    def test_the_requester_cancels(self, people, started):
        widget, request = started
        services.cancel_approval(request, people.author, "Wrong revision submitted")
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.CANCELLED
        assert request.cancel_reason == "Wrong revision submitted"
        assert {step.status for step in steps(request)} == {StepStatusChoices.CANCELLED}
        assert not Reminder.objects.filter(is_active=True).exists()
        assert list(services.inbox(people.qa1)) == []
        assert services.outcome(widget) is None

    def test_others_cannot_cancel_and_a_reason_is_needed(self, people, started):
        _widget, request = started
        with pytest.raises(PermissionDenied):
            services.cancel_approval(request, people.eng1, "Not mine")
        with pytest.raises(ValidationError):
            services.cancel_approval(request, people.author, " ")
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.PENDING
        services.cancel_approval(request, people.qa1, "QA Manager withdraws it")  # manages requests


class TestSeed:
    def test_demo_templates_are_created_once(self):
        first = services.seed_demo_templates()
        again = services.seed_demo_templates()
        assert [t.code for t in first] == ["standard-release", "document-release"] == [t.code for t in again]
        release = first[0]
        (step,) = release.steps.all()
        assert [role.name for role in step.approver_roles.all()] == ["QA Manager"]
        assert step.due_within == datetime.timedelta(days=3) and step.escalate_to.name == "QA Manager"
        assert [s.name for s in first[1].steps.order_by("order")] == [
            "Document control review",
            "QA Manager approval",
        ]

    def test_a_demo_template_works_on_any_record(self, people):
        from qualitas.accounts.models import Company

        (release, _document) = services.seed_demo_templates()
        supplier = Company.objects.create(name="Acme Castings", kind="supplier")
        admin = make_user(role="Admin")
        request = services.start_approval(supplier, release, requested_by=admin)
        answer(request, people.qa1, comment="Audit passed")
        request.refresh_from_db()
        assert request.status == RequestStatusChoices.APPROVED and services.is_approved(supplier)


class SubmitWidget(RequestApproval):
    name = "submit"
    label = "Submit for approval"
    source = (WidgetStatusChoices.DRAFT,)
    target = WidgetStatusChoices.REVIEW
    approval_template = "two-step"


class TestRequestApprovalAction:
    def test_submitting_moves_the_record_and_starts_the_approval(self, people):
        widget = make_widget(status=WidgetStatusChoices.DRAFT)
        two_step_template([people.eng1, people.eng2])
        action = SubmitWidget(widget, people.author)
        action.execute(note="Please approve")
        widget.refresh_from_db()
        assert widget.status == WidgetStatusChoices.REVIEW
        request = services.current_request(widget)
        assert request == action.approval_request and request.note == "Please approve"
        # Approved to the end: the widget's hook releases it.
        answer(request, people.qa1)
        answer(request, people.eng1)
        answer(request, people.eng2)
        widget.refresh_from_db()
        assert widget.status == WidgetStatusChoices.APPROVED

    def test_a_template_nobody_can_approve_leaves_the_record_where_it_was(self, people):
        widget = make_widget(status=WidgetStatusChoices.DRAFT)
        make_template("two-step", steps=[{"roles": ["Auditor"]}])
        with pytest.raises(TransitionNotAllowed):
            SubmitWidget(widget, people.author).execute()
        widget.refresh_from_db()
        assert widget.status == WidgetStatusChoices.DRAFT
        assert services.current_request(widget) is None

    def test_blockers_name_the_missing_template(self, people):
        widget = make_widget(status=WidgetStatusChoices.DRAFT)
        blockers = SubmitWidget(widget, people.author).get_blockers()
        assert blockers == ["There is no approval template “two-step”."]
