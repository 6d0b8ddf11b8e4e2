"""CompanyFilterSet and UserFilterSet, through the generic filterset tests."""

from django.contrib.auth.models import Group

from qualitas.accounts.filtersets import CompanyFilterSet, UserFilterSet
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.filtersets import FilterSetTests


class TestCompanyFilterSet(FilterSetTests):
    filterset = CompanyFilterSet

    def make_records(self):
        return {
            "acme": make_company(
                name="Acme Dairy",
                code="ACM-01",
                kind="supplier",
                country="Netherlands",
                email="quality@acme.example",
                phone="+31 20 555 0101",
                website="https://acme.example/",
            ),
            "bolt": make_company(
                name="Bolt Machining",
                code="BOL-02",
                kind="customer",
                country="Germany",
                email="qa@bolt.example",
            ),
            "home": make_company(name="Qualitas Works", kind="internal", country="Netherlands"),
        }

    def cases(self, records):
        return [
            ({"q": "acme"}, ["acme"]),
            ({"q": "bol-02"}, ["bolt"]),
            ({"q": "germany"}, ["bolt"]),
            ({"q": "qa@bolt"}, ["bolt"]),
            ({"q": "nothing like it"}, []),
            ({"name": "Bolt Machining"}, ["bolt"]),
            ({"code": "ACM-01"}, ["acme"]),
            ({"kind": ["supplier"]}, ["acme"]),
            ({"kind": ["customer", "internal"]}, ["bolt", "home"]),
            ({"country": "Netherlands"}, ["acme", "home"]),
            ({"email": "quality@acme.example"}, ["acme"]),
            ({"phone": "+31 20 555 0101"}, ["acme"]),
            ({"website": "https://acme.example/"}, ["acme"]),
            ({"kind": ["supplier"], "country": "Germany"}, []),
        ]


class TestUserFilterSet(FilterSetTests):
    filterset = UserFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Dairy", kind="customer")
        self.bolt = make_company(name="Bolt Machining", kind="supplier")
        return {
            "ada": make_user(
                role="Auditor",
                full_name="Ada Lovelace",
                email="ada@example.com",
                department="Quality",
                job_title="Lead auditor",
            ),
            "bob": make_user(
                role="QA Inspector",
                full_name="Bob Inspector",
                email="bob@acme.example",
                company=self.acme,
                department="Incoming inspection",
                job_title="Inspector",
            ),
            "cy": make_user(
                full_name="Cy Contact", email="cy@bolt.example", company=self.bolt, is_active=False
            ),
        }

    def cases(self, records):
        assert Group.objects.filter(name="QA Inspector").exists()
        return [
            ({"q": "lovelace"}, ["ada"]),
            ({"q": "@acme.example"}, ["bob"]),
            ({"q": "inspection"}, ["bob"]),
            ({"q": "lead auditor"}, ["ada"]),
            ({"email": "cy@bolt.example"}, ["cy"]),
            ({"full_name": "Bob Inspector"}, ["bob"]),
            ({"company": [self.acme.pk]}, ["bob"]),
            ({"company": [self.acme.pk, self.bolt.pk]}, ["bob", "cy"]),
            ({"department": "Quality"}, ["ada"]),
            ({"job_title": "Inspector"}, ["bob"]),
            ({"is_active": "false"}, ["cy"]),
            ({"is_active": "true"}, ["ada", "bob"]),
            ({"role": "QA Inspector"}, ["bob"]),
            ({"role": "Auditor"}, ["ada"]),
            ({"role": "Admin"}, []),
        ]
