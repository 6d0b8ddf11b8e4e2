"""Builders for the approval tests: widgets to approve, templates, people in roles."""

import datetime

from django.contrib.auth.models import Group

from qualitas.accounts.models import User
from qualitas.approvals.choices import QuorumChoices
from qualitas.approvals.models import ApprovalRequest, ApprovalStep, ApprovalTemplate
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
