"""Builders for the approval tests: widgets to approve, templates, people in roles, requests,
delegations and the people of the two-step workflow tests."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from qualitas.accounts.models import User
from qualitas.approvals import services
from qualitas.approvals.choices import QuorumChoices
from qualitas.approvals.models import ApprovalRequest, ApprovalStep, ApprovalTemplate, Delegation
from qualitas.testing.factories import make_user
from qualitas.testing.records import permission, user_with
from qualitas.testing.testapp.choices import WidgetStatusChoices
from qualitas.testing.testapp.models import Widget


def make_widget(status=WidgetStatusChoices.REVIEW, **fields):
    fields.setdefault("name", "Bracket")
    fields.setdefault("specification", "Drawing 1234 rev B")
    return Widget.objects.create(status=status, **fields)


def make_author(**fields):
    """Someone who may change widgets (and so request their approval) and, like every staff
    role, see approval requests."""
    user = user_with(Widget, ["view", "change"], **fields)
    user.user_permissions.add(permission(ApprovalRequest, "view"))
    return User.objects.get(pk=user.pk)


def make_template(code="release", steps=(), **fields):
    """A template with ``steps``: dicts of ApprovalStep fields plus ``roles`` (names) and
    ``users``."""
    fields.setdefault("name", code.replace("-", " ").capitalize())
    template = ApprovalTemplate.objects.create(code=code, **fields)
    for order, definition in enumerate(steps, start=1):
        definition = dict(definition)
        roles = [Group.objects.get(name=name) for name in definition.pop("roles", ())]
        users = definition.pop("users", ())
        definition.setdefault("name", f"Step {order}")
        step = ApprovalStep.objects.create(template=template, order=order, **definition)
        step.approver_roles.set(roles)
        step.approver_users.set(users)
    return template


def two_step_template(named, code="two-step"):
    """Step 1: any one QA Manager (2 days); step 2: every one of ``named`` (1 day)."""
    return make_template(
        code,
        steps=[
            {
                "name": "QA review",
                "roles": ["QA Manager"],
                "quorum": QuorumChoices.ANY,
                "due_within": datetime.timedelta(days=2),
                "escalate_to": Group.objects.get(name="QA Manager"),
            },
            {
                "name": "Engineering sign-off",
                "users": named,
                "quorum": QuorumChoices.ALL,
                "due_within": datetime.timedelta(days=1),
            },
        ],
    )


def approver(role="QA Manager", **fields):
    return make_user(role=role, **fields)


def standard_template():
    """The one-step "standard" template (any QA Manager), made once, with a QA Manager to ask."""
    template = ApprovalTemplate.objects.filter(code="standard").first()
    if template is None:
        template = make_template("standard", steps=[{"name": "QA approval", "roles": ["QA Manager"]}])
    if not User.objects.filter(groups__name="QA Manager").exists():
        approver(full_name="Quinn QA")
    return template


def make_request(company=None, author=None):
    widget = make_widget(customer=company)
    return services.start_approval(widget, standard_template(), requested_by=author or make_author())


def delegation_data():
    """What a user enters for a new delegation: to a Document Controller for the coming week."""
    today = timezone.localdate()
    return {
        "delegate": approver("Document Controller").pk,
        "starts": today.isoformat(),
        "ends": (today + datetime.timedelta(days=7)).isoformat(),
        "reason": "Annual leave",
    }


def make_delegation():
    """A QA Manager's approvals delegated to a Document Controller from today for three days."""
    today = timezone.localdate()
    return Delegation.objects.create(
        delegator=approver(),
        delegate=approver("Document Controller"),
        starts=today,
        ends=today + datetime.timedelta(days=3),
    )


class SeesWidgets:
    """For the generic record tests of approval requests: a user sees the requests on the records
    they may see, so the generic users (those given any permission) also get
    ``testapp.view_widget``."""

    def login(self, *actions, **fields):
        user = super().login(*actions, **fields)
        if actions:
            user.user_permissions.add(permission(Widget, "view"))
            user = User.objects.get(pk=user.pk)
            self.client.force_login(user)
        return user


def workflow_people():
    """The author, the approvers and the widget of the two-step workflow tests."""

    class Setup:
        author = make_author(full_name="Ada Author")
        qa = approver(full_name="Quinn QA")
        eng1 = approver("Production Manager", full_name="Erin Engineer")
        eng2 = approver("Document Controller", full_name="Evan Engineer")
        widget = make_widget()
        template = two_step_template([eng1, eng2])

    return Setup
