"""State machines: check() names what blocks a transition, execute() performs it, audits it and
writes a domain event; the API answers 409 with the blockers and the detail page shows them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import DomainEvent
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.framework.context import change_context
from qualitas.signatures.models import Signature
from qualitas.testing.api import assert_error
from qualitas.testing.factories import PASSWORD
from qualitas.testing.records import REASON, WriteCheck, customer_company, customer_of, last_change, user_with
from qualitas.testing.testapp.actions import Approve, MakeObsolete, Reject, Submit, WidgetStateMachine
from qualitas.testing.testapp.choices import WidgetStatusChoices as Status
from qualitas.testing.testapp.forms import WidgetForm
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

EDITOR = ("view", "change")
APPROVER = ("view", "change", "testapp.approve_widget")


def widget(status=Status.DRAFT, **fields):
    fields.setdefault("specification", "Steel, 3 mm")
    return Widget.objects.create(name="Bracket", status=status, **fields)


def blockers(action_class, obj, user, reason=""):
    with pytest.raises(TransitionNotAllowed) as error:
        action_class(obj, user).check(reason)
    return error.value.blockers


# --- The machine --------------------------------------------------------------------------------


def test_the_transition_table():
    assert WidgetStateMachine.transitions() == {
        Status.DRAFT: [("submit", Status.REVIEW)],
        Status.REVIEW: [("approve", Status.APPROVED), ("reject", Status.DRAFT)],
        Status.APPROVED: [("obsolete", Status.OBSOLETE)],
    }


def test_available_actions_carry_their_blockers():
    user = user_with(Widget, EDITOR)
    obj = widget(Status.REVIEW, specification="")
    available = {action.name: found for action, found in WidgetStateMachine.available(obj, user)}
    assert available == {"approve": ["you do not have permission"], "reject": []}


# --- check() ------------------------------------------------------------------------------------


def test_a_transition_from_the_wrong_state_says_which_state_it_needs():
    user = user_with(Widget, APPROVER)
    assert blockers(Approve, widget(Status.DRAFT), user) == ["the record is Draft; this needs In review"]


def forbidden(action_class, obj, user):
    """Checking is refused outright (403, not 409), and the page still lists why."""
    action = action_class(obj, user)
    with pytest.raises(PermissionDenied, match=f"permission for “{action_class.label}”"):
        action.check()
    return action.get_blockers()


def test_a_user_without_the_permission_is_refused():
    obj = widget(Status.REVIEW)
    assert forbidden(Approve, obj, user_with(Widget, EDITOR)) == ["you do not have permission"]
    assert forbidden(Submit, widget(), user_with(Widget, ("view",))) == ["you do not have permission"]
    assert forbidden(Submit, widget(), None) == ["you do not have permission"]


def test_a_customer_outside_the_scope_is_refused():
    company_a, company_b = customer_company(), customer_company()
    customer = customer_of(company_a, Widget, EDITOR)
    assert forbidden(Submit, widget(customer=company_b), customer) == ["you do not have permission"]
    Submit(widget(customer=company_a), customer).check()


def test_a_precondition_blocks_with_its_own_words():
    obj = widget(Status.REVIEW, specification="  ")
    assert blockers(Approve, obj, user_with(Widget, APPROVER)) == ["the widget has no specification"]


def test_a_reason_is_required_where_the_action_says_so():
    obj = widget(Status.REVIEW)
    user = user_with(Widget, EDITOR)
    assert blockers(Reject, obj, user) == ["a reason is required"]
    assert blockers(Reject, obj, user, reason="   ") == ["a reason is required"]
    Reject(obj, user).check(reason="Drawing is out of date")


def test_an_archived_record_is_blocked():
    obj = widget()
    obj.archive(REASON)
    assert blockers(Submit, obj, user_with(Widget, EDITOR)) == ["the record is archived"]


# --- execute() ----------------------------------------------------------------------------------


def test_execute_moves_the_state_audits_it_and_records_a_domain_event():
    user = user_with(Widget, EDITOR, full_name="Sam Submitter")
    obj = widget()
    with change_context(user=user):
        Submit(obj, user).execute()
    obj.refresh_from_db()
    assert obj.status == Status.REVIEW
    entry = last_change(obj)
    assert entry.action == ChangeActionChoices.TRANSITION
    assert entry.changes == {"status": [Status.DRAFT, Status.REVIEW]}
    assert entry.user == user
    event = DomainEvent.objects.get(name="widget.submit")
    assert event.object_id == str(obj.pk) and event.user == user
    assert event.data == {"from": Status.DRAFT, "to": Status.REVIEW, "reason": ""}
    assert event.message == f"{obj} moved from Draft to In review (Submit for review)"


def test_the_reason_is_recorded_in_the_audit_entry_and_the_event():
    user = user_with(Widget, EDITOR)
    obj = widget(Status.REVIEW)
    with change_context(user=user):
        Reject(obj, user).execute(reason="  Drawing is out of date ")
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT
    assert last_change(obj).reason == "Drawing is out of date"
    assert DomainEvent.objects.get(name="widget.reject").data["reason"] == "  Drawing is out of date "


def test_the_whole_life_of_a_widget():
    user = user_with(Widget, APPROVER)
    obj = widget()
    # Approving is signed (21 CFR Part 11): outside a web session it takes the e-mail and password.
    signature = {"email": user.email, "password": PASSWORD}
    with change_context(user=user):
        Submit(obj, user).execute()
        Approve(obj, user).execute(signature=signature)
        MakeObsolete(obj, user).execute()
    obj.refresh_from_db()
    assert obj.status == Status.OBSOLETE
    assert [e.action for e in obj.history.order_by("id")] == ["create"] + ["transition"] * 3
    assert Signature.objects.get().meaning == "approved"
    assert list(
        DomainEvent.objects.filter(name__startswith="widget.").order_by("id").values_list("name", flat=True)
    ) == [
        "widget.submit",
        "widget.approve",
        "widget.obsolete",
    ]


def test_a_blocked_execute_writes_nothing():
    user = user_with(Widget, EDITOR)
    obj = widget(Status.REVIEW)
    check = WriteCheck(Widget, obj)
    with pytest.raises(PermissionDenied):
        Approve(obj, user).execute()
    with pytest.raises(TransitionNotAllowed):
        Reject(obj, user).execute(reason="")
    check.assert_nothing_written()


def test_execute_checks_the_stored_state_not_a_stale_copy():
    user = user_with(Widget, EDITOR)
    obj = widget()
    stale = Widget.objects.get(pk=obj.pk)
    Submit(obj, user).execute()
    with pytest.raises(TransitionNotAllowed, match="In review"):
        Submit(stale, user).execute()
    assert DomainEvent.objects.filter(name="widget.submit").count() == 1


def test_the_status_is_never_edited_by_a_form_or_the_api():
    assert "status" not in WidgetForm.base_fields

    class StatusForm(WidgetForm):
        class Meta(WidgetForm.Meta):
            fields = ("name", "status")

    with pytest.raises(TypeError, match="use the state machine"):
        StatusForm()
    client = APIClient()
    client.force_login(user_with(Widget, EDITOR))
    obj = widget()
    response = client.patch(f"/api/v1/widgets/{obj.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.DRAFT
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT


# --- Through the API ----------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def action_url(obj, name):
    return f"/api/v1/widgets/{obj.pk}/actions/{name}/"


def test_api_runs_an_action(api):
    user = user_with(Widget, EDITOR)
    api.force_login(user)
    obj = widget()
    response = api.post(action_url(obj, "submit"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.REVIEW
    assert last_change(obj).user == user and last_change(obj).action == ChangeActionChoices.TRANSITION


def test_api_answers_409_with_the_blockers_and_writes_nothing(api):
    api.force_login(user_with(Widget, APPROVER))
    obj = widget(Status.REVIEW, specification="")
    check = WriteCheck(Widget, obj)
    body = assert_error(api.post(action_url(obj, "approve"), {}, format="json"), 409)
    assert body["code"] == "transition_not_allowed"
    assert body["errors"] == {"blockers": ["the widget has no specification"]}
    assert "the widget has no specification" in body["detail"]
    body = assert_error(api.post(action_url(obj, "reject"), {"reason": ""}, format="json"), 409)
    assert body["errors"] == {"blockers": ["a reason is required"]}
    check.assert_nothing_written()


def test_api_takes_the_reason_from_the_body(api):
    api.force_login(user_with(Widget, EDITOR))
    obj = widget(Status.REVIEW)
    response = api.post(action_url(obj, "reject"), {"reason": "Wrong material"}, format="json")
    assert response.status_code == 200
    assert last_change(obj).reason == "Wrong material"


def test_api_refuses_anonymous_unpermitted_and_out_of_scope_users(api):
    company_a, company_b = customer_company(), customer_company()
    obj = widget(customer=company_b)
    nobody, viewer = user_with(Widget, ()), user_with(Widget, ("view",))
    customer = customer_of(company_a, Widget, EDITOR)
    check = WriteCheck(Widget, obj)
    assert_error(api.post(action_url(obj, "submit"), {}, format="json"), 401)
    api.force_login(nobody)
    assert_error(api.post(action_url(obj, "submit"), {}, format="json"), 403)
    api.force_login(viewer)
    body = assert_error(api.post(action_url(obj, "submit"), {}, format="json"), 403)
    assert "permission" in body["detail"]
    api.force_login(customer)
    assert_error(api.post(action_url(obj, "submit"), {}, format="json"), 404)
    check.assert_nothing_written()


def test_api_unknown_action_is_404(api):
    api.force_login(user_with(Widget, EDITOR))
    obj = widget()
    body = assert_error(api.post(action_url(obj, "explode"), {}, format="json"), 404)
    assert "explode" in body["detail"]


# --- On the pages -------------------------------------------------------------------------------


@pytest.fixture
def web():
    return Client()


def test_the_detail_page_shows_allowed_actions_and_disabled_blocked_ones(web):
    web.force_login(user_with(Widget, EDITOR))
    obj = widget(Status.REVIEW, specification="")
    html = web.get(f"/testapp/widgets/{obj.pk}/").content.decode()
    assert (
        '<button class="btn btn-outline-secondary btn-sm" type="button" disabled '
        'title="you do not have permission">Approve</button>'
    ) in html
    assert f'href="/testapp/widgets/{obj.pk}/actions/reject/">Reject</a>' in html


def test_the_detail_page_shows_a_precondition_as_the_button_title(web):
    web.force_login(user_with(Widget, APPROVER))
    obj = widget(Status.REVIEW, specification="")
    html = web.get(f"/testapp/widgets/{obj.pk}/").content.decode()
    assert 'disabled title="the widget has no specification">Approve</button>' in html


def test_posting_an_action_on_the_page(web):
    user = user_with(Widget, EDITOR)
    web.force_login(user)
    obj = widget()
    response = web.post(f"/testapp/widgets/{obj.pk}/actions/submit/")
    assert response.status_code == 302 and response["Location"] == obj.get_absolute_url()
    obj.refresh_from_db()
    assert obj.status == Status.REVIEW


def test_a_blocked_action_on_the_page_is_409_with_the_blockers(web):
    web.force_login(user_with(Widget, APPROVER))
    obj = widget(Status.REVIEW, specification="")
    check = WriteCheck(Widget, obj)
    response = web.post(f"/testapp/widgets/{obj.pk}/actions/approve/")
    assert response.status_code == 409
    assert "the widget has no specification" in response.content.decode()
    response = web.post(f"/testapp/widgets/{obj.pk}/actions/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    check.assert_nothing_written()


def test_the_action_page_opens_with_its_reason_field(web):
    web.force_login(user_with(Widget, EDITOR))
    obj = widget(Status.REVIEW)
    response = web.get(f"/testapp/widgets/{obj.pk}/actions/reject/")
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()


def test_an_unknown_action_page_is_404(web):
    web.force_login(user_with(Widget, EDITOR))
    obj = widget()
    assert web.post(f"/testapp/widgets/{obj.pk}/actions/explode/").status_code == 404
