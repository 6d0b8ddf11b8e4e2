"""Readable history: labels, choice labels and related names instead of raw values, resolved in
bulk, on the history tab and the change page (which keeps the raw values)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qualitas.accounts.models import Company, User
from qualitas.core import audit
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.history import describe, rows_for
from qualitas.core.models import ObjectChange
from qualitas.framework.context import change_context
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def rows_by_name(entry, user=None):
    return {row.name: row for row in rows_for(entry, user=user)}


def latest(obj):
    return audit.history(obj).order_by("-id").first()


def test_create_rows_use_verbose_names_and_choice_labels_and_leave_out_empty_fields():
    company = Company.objects.create(name="Acme Dairy", kind="supplier", country="NL")

    rows = rows_by_name(latest(company))

    assert set(rows) == {"created", "name", "kind", "country", "is_archived"}  # no empty address, notes
    assert rows["kind"].label == "Kind"
    assert rows["kind"].after.text == "Supplier" and rows["kind"].after.raw == "supplier"
    assert rows["name"].after.text == "Acme Dairy"
    assert rows["is_archived"].label == "Is archived" and rows["is_archived"].after.text == "No"
    assert rows["country"].before.raw is None


def test_update_rows_show_before_and_after_labels():
    company = Company.objects.create(name="Acme", kind="customer")
    company.kind = "supplier"
    company.email = "qa@acme.example"
    company.save()

    rows = rows_by_name(latest(company))

    assert list(rows) == ["kind", "email"]  # in the model's field order
    assert (rows["kind"].before.text, rows["kind"].after.text) == ("Customer", "Supplier")
    assert rows["kind"].raw == ["customer", "supplier"]
    assert rows["email"].label == "Email"
    assert rows["email"].before.is_empty and rows["email"].after.text == "qa@acme.example"


def test_foreign_keys_are_shown_by_name_with_a_link_and_by_id_once_the_record_is_gone():
    acme, globex = make_company(name="Acme"), make_company(name="Globex")
    user = make_user(company=acme, full_name="Pat")
    user.company = globex
    user.save()
    entry = latest(user)

    row = rows_by_name(entry)["company"]
    assert row.label == "Company"
    assert (row.before.text, row.after.text) == ("Acme", "Globex")
    assert row.after.url == globex.get_absolute_url()

    user.company = None
    user.save()
    with append_only_suspended():
        Company.objects.filter(pk=acme.pk).delete()
    row = rows_by_name(ObjectChange.objects.get(pk=entry.pk))["company"]
    assert row.before.text == str(acme.pk) and row.before.url == ""
    assert row.after.text == "Globex"


def test_related_records_the_reader_may_not_see_are_shown_by_id():
    theirs, mine = make_company(name="Their Co", kind="customer"), make_company(name="Mine", kind="customer")
    user = make_user(company=theirs)
    user.company = mine
    user.save()
    customer = make_user(role="Customer", company=mine)

    row = rows_by_name(latest(user), user=customer)["company"]

    assert row.before.text == str(theirs.pk) and row.before.url == ""
    assert row.after.text == "Mine"


def test_passwords_are_not_shown_and_many_to_many_changes_name_the_members():
    user = make_user(full_name="Pat")
    create = rows_by_name(audit.history(user).get(action="create"))
    assert create["password"].after.text == "(changed; the value is not stored)"

    inspectors = Group.objects.get(name="QA Inspector")
    with change_context(user=user):
        user.groups.add(inspectors)
    row = rows_by_name(latest(user))["groups"]
    assert not row.is_pair
    assert [(group.verb, [member.text for member in group.members]) for group in row.members] == [
        ("Added", ["QA Inspector"])
    ]


def test_unknown_fields_and_deleted_records_keep_their_stored_values():
    company = make_company(name="Gone Co", phone="123")
    pk = company.pk
    company.delete()
    entry = ObjectChange.objects.get(content_type__model="company", object_id=str(pk), action="delete")
    assert entry.action == ChangeActionChoices.DELETE
    rows = rows_by_name(entry)
    assert rows["name"].before.text == "Gone Co" and "notes" not in rows  # empty values left out
    entry.changes["legacy_field"] = ["old", "new"]  # a field the model no longer has
    row = {row.name: row for row in describe([entry])[0].rows}["legacy_field"]
    assert row.label == "legacy_field" and row.after.text == "new"


def test_describe_resolves_related_records_in_one_query_per_model():
    admin = make_user(role="Admin")
    companies = [make_company(name=f"Company {n}") for n in range(6)]
    with change_context(user=admin):
        for index in range(6):
            user = make_user(company=companies[index])
            user.company = companies[(index + 1) % 6]
            user.save()
    entries = list(ObjectChange.objects.filter(content_type__model="user").select_related("content_type"))
    reader = make_user(role="Auditor")
    reader.has_perm("core.view_objectchange")  # load the permission cache

    with CaptureQueriesContext(connection) as queries:
        describe(entries, user=reader)

    # One query per related model: companies (company), users (created_by), groups (the Admin's
    # role, a many-to-many change) - for all 13+ entries together.
    tables = sorted(q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries)
    assert tables == ["accounts_company", "accounts_user", "auth_group"], [q["sql"] for q in queries]
    changed = [e for e in entries if e.action == "update" and "company" in e.changes]
    assert {row.after.text for e in changed for row in e.rows if row.name == "company"} == {
        c.name for c in companies
    }


# --- Pages --------------------------------------------------------------------------------------


@pytest.fixture
def browser_client():
    client = Client()
    client.force_login(make_user(role="QA Manager", full_name="Quinn"))
    return client


def test_history_tab_shows_readable_values(browser_client):
    acme = make_company(name="Acme Dairy")
    user = make_user(company=acme, full_name="Pat")
    user.company = make_company(name="Globex")
    user.save()

    response = browser_client.get(f"/accounts/users/{user.pk}/history/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Dairy" in html and "Globex" in html
    assert f'href="{acme.get_absolute_url()}"' in html
    assert ">Company<" in html
    assert "Department" not in html  # empty at creation: left out


def history_queries(client, company):
    url = f"/accounts/companies/{company.pk}/history/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


#: Session, user, permissions (2), the record, "may change" check, the page of entries and its
#: count, created_by users (1 query for the page), session renewal (3).
HISTORY_PAGE_QUERIES = {"sqlite": 12, "postgresql": 12}


def test_history_page_runs_a_constant_number_of_queries(browser_client):
    authors = [make_user(full_name=f"Author {n}") for n in range(5)]
    company = make_company(name="Busy Co")
    with change_context(user=authors[0]):
        company.country = "NL"
        company.save()
    few = history_queries(browser_client, company)
    for number in range(30):
        with change_context(user=authors[number % 5]):
            company.phone = str(number)
            company.save()
    many = history_queries(browser_client, company)
    assert few == many == HISTORY_PAGE_QUERIES[connection.vendor], (few, many)


def test_change_page_shows_readable_and_raw_values(browser_client):
    company = Company.objects.create(name="Acme", kind="customer")
    company.kind = "supplier"
    company.save()
    entry = latest(company)
    audit.seal()

    response = browser_client.get(f"/audit/changes/{entry.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Customer" in html and "Supplier" in html  # labels
    assert "[&quot;customer&quot;, &quot;supplier&quot;]" in html  # the stored value
    assert entry.entry_hash in html and entry.link.chain_hash in html
    assert f'href="{company.get_absolute_url()}"' in html


def test_change_page_of_an_unsealed_entry(browser_client):
    entry = latest(make_company(name="Fresh"))
    html = browser_client.get(f"/audit/changes/{entry.pk}/").content.decode()
    assert "Not sealed yet" in html


def test_user_accounts_history_is_readable():
    user = make_user(full_name="Pat")
    rows = rows_by_name(audit.history(User.objects.get(pk=user.pk)).get(action="create"))
    assert rows["full_name"].label == "Full name"
    assert rows["is_active"].after.text == "Yes"


def test_record_types_are_named_for_every_reader():
    """A foreign key to a record type (generic relations) names the type, which is not secret."""
    permission_type = ContentType.objects.get_for_model(Permission)
    company_type = ContentType.objects.get_for_model(Company)
    entry = ObjectChange(
        content_type=permission_type,
        action=ChangeActionChoices.UPDATE,
        changes={"content_type": [None, company_type.pk]},
    )
    customer = make_user(role="Customer", company=make_company(kind="customer"))
    row = {row.name: row for row in describe([entry], user=customer)[0].rows}["content_type"]
    assert row.label == "Content type" and row.after.text == str(company_type)
