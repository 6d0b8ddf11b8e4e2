"""The access log: viewing a record's page and exporting a list are recorded."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def test_viewing_a_record_page_is_logged():
    company = make_company(name="Acme Dairy")
    viewer = make_user(role="QA Manager", full_name="Quinn")
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(viewer)
    before = AccessLog.objects.count()

    assert client.get(f"/accounts/companies/{company.pk}/").status_code == 200

    assert AccessLog.objects.count() == before + 1
    entry = AccessLog.objects.latest("id")
    assert entry.kind == AccessKindChoices.VIEW
    assert (entry.user_id, entry.user_name, entry.ip) == (viewer.pk, "Quinn", "192.0.2.7")
    assert (entry.content_type.model, entry.object_id, entry.object_repr) == (
        "company",
        str(company.pk),
        "Acme Dairy",
    )


def test_a_refused_record_page_is_not_logged_as_viewed():
    company = make_company(name="Other", kind="customer")
    client = Client()
    client.force_login(make_user(role="Customer", company=make_company(kind="customer")))
    before = AccessLog.objects.count()
    assert client.get(f"/accounts/companies/{company.pk}/").status_code == 404
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_a_list_page_is_logged(fmt):
    make_company(name="Acme")
    exporter = make_user(role="Auditor")
    client = Client()
    client.force_login(exporter)

    response = client.get("/accounts/companies/", {"kind": "supplier", "export": fmt})

    assert response.status_code == 200
    entry = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).get()
    assert entry.user_id == exporter.pk and entry.content_type.model == "company"
    assert "kind=supplier" in entry.detail and f"export={fmt}" in entry.detail


def test_exporting_through_the_api_is_logged():
    make_company(name="Acme")
    exporter = make_user(role="Auditor")
    client = APIClient()
    client.force_login(exporter)

    response = client.get("/api/v1/companies/export/", {"format": "csv"})

    assert response.status_code == 200
    entry = AccessLog.objects.filter(kind=AccessKindChoices.EXPORT).get()
    assert entry.user_id == exporter.pk and entry.content_type.model == "company"
    assert "format=csv" in entry.detail


def test_viewing_an_audit_entry_is_logged_too():
    company = make_company()
    client = Client()
    auditor = make_user(role="Auditor")
    client.force_login(auditor)
    entry = company.history.get()
    assert client.get(f"/audit/changes/{entry.pk}/").status_code == 200
    logged = AccessLog.objects.latest("id")
    assert (logged.kind, logged.content_type.model, logged.object_id) == (
        "view",
        "objectchange",
        str(entry.pk),
    )
