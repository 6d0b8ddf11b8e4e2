"""The Company and User API, through the generic API tests (qualitas/testing/api.py)."""

from qualitas.accounts.models import Company, User
from qualitas.testing.api import APITests, ReadOnlyAPITests
from qualitas.testing.factories import make_company, make_user


class TestCompanyAPI(APITests):
    model = Company
    create_data = {
        "name": "Acme Dairy",
        "code": "ACME",
        "kind": "supplier",
        "country": "Netherlands",
        "email": "quality@acme.example",
        "website": "https://acme.example/",
    }
    update_data = {"country": "Belgium", "phone": "+32 2 555 01 01", "notes": "Audited in March"}

    def make_object(self, company=None):
        # The company a customer's records belong to is the customer itself.
        return company or make_company()


class TestUserAPI(ReadOnlyAPITests):
    model = User

    def make_object(self, company=None):
        return make_user(company=company)
