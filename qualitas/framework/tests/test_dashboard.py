"""The dashboard shows real figures, each scoped to the user."""

import datetime

import pytest
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.approvals import services as approvals
from qualitas.approvals.tests.helpers import make_author, make_template, make_widget
from qualitas.core import services as audit_services
from qualitas.dashboard import tiles
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def tile(user, title):
    return next((t for t in tiles(user) if t.title == title), None)


def test_company_counts_by_kind_leave_out_archived_records():
    make_company(kind=CompanyKindChoices.CUSTOMER)
    make_company(kind=CompanyKindChoices.SUPPLIER)
    make_company(kind=CompanyKindChoices.SUPPLIER).archive("closed down")
    companies = tile(make_user(role="QA Manager"), "Companies")
    assert companies.value == "2"
    assert companies.detail == "0 internal, 1 customer, 1 supplier"


def test_customers_count_only_their_own_company_and_see_no_audit_tile():
    own = make_company(kind=CompanyKindChoices.CUSTOMER)
    make_company(kind=CompanyKindChoices.CUSTOMER)
    customer = make_user(role="Customer", company=own)
    assert tile(customer, "Companies").value == "1"
    assert tile(customer, "Audit trail") is None


def test_the_audit_tile_reports_the_last_verification():
    auditor = make_user(role="Auditor")
    assert tile(auditor, "Audit trail").value == "Not verified yet"
    make_company()
    audit_services.verify_trail(source="test")
    audit_tile = tile(auditor, "Audit trail")
    assert audit_tile.value == "Intact" and audit_tile.tone == "success"


def test_users_without_permissions_see_no_tiles(client):
    user = make_user()
    assert tiles(user) == []
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_the_approval_tile_counts_the_steps_waiting_for_me_and_the_overdue_ones():
    manager = make_user(role="QA Manager")
    assert tile(manager, "Needs my approval").value == "0"
    template = make_template(steps=[{"roles": ["QA Manager"], "due_within": datetime.timedelta(days=1)}])
    for _ in range(2):
        approvals.start_approval(make_widget(), template, requested_by=make_author())
    waiting = tile(manager, "Needs my approval")
    assert (waiting.value, waiting.detail, waiting.tone) == ("2", "none overdue", "primary")
    step = approvals.inbox(manager).first()
    step.due_at = timezone.now() - datetime.timedelta(hours=1)
    step.save()
    waiting = tile(manager, "Needs my approval")
    assert (waiting.value, waiting.detail, waiting.tone) == ("2", "1 overdue", "danger")
    assert tile(make_user(role="Auditor"), "Needs my approval") is None
