"""The Django admin is open to the Admin role and closed to everyone else."""

import pytest
from django.core.management import call_command

from qualitas.accounts.models import Company
from qualitas.core.models import ObjectChange
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "status"), [("Admin", 200), ("QA Manager", 302), (None, 302)])
def test_admin_access_follows_the_admin_role(client, role, status):
    client.force_login(make_user(role=role))
    assert client.get("/admin/").status_code == status


def test_user_menu_links_to_the_admin_only_for_admins(client):
    client.force_login(make_user(role="Admin"))
    assert "Administration" in client.get("/").content.decode()
    client.force_login(make_user(role="QA Manager"))
    assert "Administration" not in client.get("/").content.decode()


def test_an_admin_edit_and_delete_are_audited_with_the_admin_as_author(client):
    admin_user = make_user(role="Admin")
    client.force_login(admin_user)
    company = Company.objects.create(name="Created in error", kind="supplier")
    response = client.post(
        f"/admin/accounts/company/{company.pk}/change/",
        {
            "name": "Created in error",
            "code": "X-1",
            "kind": "supplier",
            "address": "",
            "country": "NL",
            "email": "",
            "phone": "",
            "website": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    change = ObjectChange.objects.filter(object_id=str(company.pk), content_type__model="company").latest(
        "id"
    )
    assert change.action == "update" and change.user_id == admin_user.pk and change.request_id is not None
    assert change.changes == {"code": ["", "X-1"], "country": ["", "NL"]}

    response = client.post(f"/admin/accounts/company/{company.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Company.objects.filter(pk=company.pk).exists()
    deleted = ObjectChange.objects.filter(object_id=str(company.pk), content_type__model="company").latest(
        "id"
    )
    assert deleted.action == "delete" and deleted.user_id == admin_user.pk
    assert deleted.changes["name"] == ["Created in error", None]


def test_a_management_command_is_audited_with_its_reason():
    call_command("seed_demo", stdout=None)
    company = Company.objects.get(name="Northwind Automotive")
    created = ObjectChange.objects.get(
        object_id=str(company.pk), content_type__model="company", action="create"
    )
    assert created.reason == "demo data" and created.user_id is None
