"""Tabs that other apps add to every record, and generic references to records of any type."""

import pytest
from django.http import Http404, HttpResponse

from qualitas.accounts.models import Company
from qualitas.framework.records import get_record, record_label, record_model, visible
from qualitas.framework.ui import tabs as tab_registry
from qualitas.framework.views.generic import RecordTabView
from qualitas.testing.factories import PASSWORD, make_company, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


class NotesTab(RecordTabView):
    tab_name = "notes"

    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        return HttpResponse(f"notes of {obj.number}")


@pytest.fixture
def notes_tab():
    tab = tab_registry.Tab("notes", "Notes", "notes/", view=NotesTab, weight=50)
    tab_registry.register_tab(tab)
    yield tab
    tab_registry._tabs.remove(tab)


def test_a_registered_tab_is_served_for_every_record_type_and_shown(client, notes_tab):
    widget = Widget.objects.create(name="Bracket")
    client.login(email=make_user(role="QA Manager").email, password=PASSWORD)
    response = client.get(f"{widget.get_absolute_url()}notes/")
    assert response.status_code == 200 and response.content.decode() == f"notes of {widget.number}"
    page = client.get(widget.get_absolute_url()).content.decode()
    assert f'href="{widget.get_absolute_url()}notes/"' in page and ">Notes</a>" in page


def test_an_unknown_tab_is_404(client, notes_tab):
    widget = Widget.objects.create(name="Bracket")
    client.login(email=make_user(role="QA Manager").email, password=PASSWORD)
    assert client.get(f"{widget.get_absolute_url()}nothing-here/").status_code == 404


def test_a_tab_applies_the_record_scoping(client, notes_tab):
    own, other = make_company(kind="customer"), make_company(kind="customer")
    widget = Widget.objects.create(name="Bracket", customer=other)
    customer = make_user(role="Customer", company=own)
    customer.user_permissions.add(*_widget_view_permission())
    client.login(email=customer.email, password=PASSWORD)
    assert client.get(f"{widget.get_absolute_url()}notes/").status_code == 404
    client.logout()
    assert client.get(f"{widget.get_absolute_url()}notes/").status_code == 302  # to the sign-in page


def _widget_view_permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="view_widget")


def test_get_record_resolves_only_registered_visible_records():
    company = make_company(kind="customer")
    widget = Widget.objects.create(name="Bracket", customer=company)
    manager = make_user(role="QA Manager")
    assert record_label(widget) == "testapp.widget" and record_model("TestApp.Widget") is Widget
    assert get_record(manager, "testapp.widget", widget.pk) == widget
    assert visible(manager, widget) and not visible(make_user(), widget)
    for label, pk in [
        ("testapp.widget", widget.pk + 1000),  # no such row
        ("testapp.widget", "abc"),  # not a key
        ("contenttypes.contenttype", 1),  # a model the framework does not register
        ("nothing.here", 1),
        ("no-dot", 1),
    ]:
        with pytest.raises(Http404):
            get_record(manager, label, pk)
    with pytest.raises(Http404):
        get_record(
            make_user(role="Customer", company=make_company(kind="customer")), "testapp.widget", widget.pk
        )
    assert get_record(manager, "accounts.company", company.pk) == Company.objects.get(pk=company.pk)
