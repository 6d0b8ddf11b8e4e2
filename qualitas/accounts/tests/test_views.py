"""The Company and User pages, through the generic view tests (qualitas/testing/views.py)."""

import pytest
from django.urls import NoReverseMatch

from qualitas.accounts.models import Company, User
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.views import (
    DetailViewTests,
    EditViewTests,
    ExportViewTests,
    HistoryViewTests,
    ListViewTests,
    ModelViewTests,
)


class TestCompanyViews(ModelViewTests):
    model = Company
    form_data = {
        "name": "Acme Dairy",
        "code": "ACME",
        "kind": "supplier",
        "country": "Netherlands",
        "email": "quality@acme.example",
        "website": "https://acme.example/",
        "address": "1 Dairy Lane\nEdam",
    }
    update_form_data = {"country": "Belgium", "phone": "+32 2 555 01 01", "notes": "Audited in March"}

    def make_object(self, company=None):
        return company or make_company()


class TestUserViews(ListViewTests, DetailViewTests, EditViewTests, HistoryViewTests, ExportViewTests):
    """People are edited here (details and roles) but created only by invitation; the role rules
    and the deactivate/reactivate actions are tested in test_user_admin.py."""

    model = User
    update_form_data = {"department": "Quality", "job_title": "Line inspector"}

    def make_object(self, company=None):
        return make_user(company=company)

    def test_no_add_page(self):
        with pytest.raises(NoReverseMatch):
            self.views.url("add")
