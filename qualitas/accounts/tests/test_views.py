"""The Company and User pages, through the generic view tests (qualitas/testing/views.py)."""

from qualitas.accounts.models import Company, User
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.views import ModelViewTests, ReadOnlyModelViewTests


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


class TestUserViews(ReadOnlyModelViewTests):
    model = User

    def make_object(self, company=None):
        return make_user(company=company)
