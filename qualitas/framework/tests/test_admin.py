"""The Django admin is open to the Admin role and closed to everyone else."""

import pytest

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
