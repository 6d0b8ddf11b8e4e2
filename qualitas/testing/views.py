"""Generic tests of the pages ``ModelViews`` produces. A concrete test class declares data only:

    class TestCompanyViews(ModelViewTests):
        model = Company
        form_data = {"name": "Acme Dairy", "kind": "supplier"}
        update_form_data = {"country": "Netherlands"}

        def make_object(self, company=None):
            return company or make_company()

Each page is checked four ways: anonymous (redirect to the login page), without the model
permission (403), with it (200, and for writes the change saved and audited; an invalid form
gives 400 with the error shown and writes nothing), and as a Customer-role user of company A,
for whom records outside A's scope do not exist (404).

``make_object(company=None)`` returns a new record that belongs to customer ``company``; see
qualitas/testing/api.py.
"""

import pytest
from django import forms
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch
from django.utils.html import escape

from qualitas.core.choices import AccessKindChoices, ChangeActionChoices
from qualitas.core.models import AccessLog
from qualitas.framework.registry import get_entry
from qualitas.testing.queries import assert_constant_and_pinned
from qualitas.testing.records import (
    REASON,
    RecordTestCase,
    WriteCheck,
    access_log_count,
    active_rows,
    assert_audited,
    assert_csv_rows,
    assert_xlsx_rows,
    expected_export_rows,
    load_urls,
)


def form_data_for(form_class, instance):
    """What the browser would post for an unchanged edit form of ``instance``."""
    form = form_class(instance=instance)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    return data


def posted(value):
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return "" if value is None else str(value)


class ViewTestCase(RecordTestCase):
    """The base of every generic view test."""

    #: What a permitted user posts on the add page.
    form_data = None
    #: Fields a permitted user changes on the edit page (the rest are posted unchanged).
    update_form_data = None
    #: Posted on the add and edit pages, it must fail validation with ``invalid_form_error``.
    invalid_form_data = None
    invalid_form_error = "This field is required."

    @pytest.fixture(autouse=True)
    def _web_client(self, db):
        self.client = Client()

    # --- Hooks -------------------------------------------------------------------------------

    def get_form_data(self):
        return {name: posted(value) for name, value in self.form_data.items()}

    def get_invalid_form_data(self, obj=None):
        """The add form (or ``obj``'s edit form) with ``invalid_form_data`` posted over it; by
        default with every required field left empty."""
        form_class = get_entry(self.model).form
        data = form_data_for(form_class, obj) if obj is not None else {}
        if self.invalid_form_data is not None:
            data.update({name: posted(value) for name, value in self.invalid_form_data.items()})
        else:
            data.update({name: "" for name, field in form_class.base_fields.items() if field.required})
        return data

    # --- URLs and users ----------------------------------------------------------------------

    @property
    def views(self):
        load_urls()
        return get_entry(self.model).views

    def url(self, view, obj=None):
        return self.views.url(view, obj.pk) if obj is not None else self.views.url(view)

    def assert_login_redirect(self, response):
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")

    def assert_shows_error(self, response, text):
        assert response.status_code == 400, response.status_code
        assert text in response.content.decode(), f"the page does not show {text!r}"

    def created_since(self, before_pks):
        new = self.model._base_manager.exclude(pk__in=before_pks)
        assert new.count() == 1, f"{new.count()} records were created"
        return new.get()


class ListViewTests(ViewTestCase):
    def list(self, **params):
        return self.client.get(self.url("list"), {"per_page": 250, **params})

    def shown(self, response):
        return [record.pk for record in response.context["page"].object_list]

    def test_list_anonymous(self):
        self.make_object()
        self.assert_login_redirect(self.client.get(self.url("list")))

    def test_list_without_permission(self):
        self.make_object()
        self.login()
        assert self.list().status_code == 403

    def test_list(self):
        objects = [self.make_object() for _ in range(3)]
        self.login("view")
        response = self.list()
        assert response.status_code == 200
        shown = self.shown(response)
        assert {obj.pk for obj in objects} <= set(shown)
        # Every active row is listed (on later pages when there are more than a page holds, as
        # with the audit trail of reference data written at migrate).
        expected = active_rows(self.model)
        assert response.context["page"].paginator.count == len(expected)
        assert set(shown) <= expected and len(shown) == min(len(expected), 250)

    def test_list_htmx_returns_only_the_table(self):
        self.make_object()
        self.login("view")
        response = self.client.get(self.url("list"), headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<table" in html and "<html" not in html and "Filters" not in html

    def test_list_scoped(self):
        company_a, _company_b, in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view")
        response = self.list()
        assert response.status_code == 200
        shown = set(self.shown(response))
        if getattr(self.model, "customer_scope", None) is not None:
            assert in_a.pk in shown, "a customer does not see its own company's record"
        assert in_b.pk not in shown, "a customer sees another company's record"
        assert shown == self.customer_visible(company_a)

    def test_list_query_count(self):
        user = self.login("view")
        queryset = self.model.objects.restrict(user, "view")

        def make_rows(total):
            while queryset.count() < total:
                self.make_object()

        assert_constant_and_pinned(
            self, f"page {self.model._meta.label_lower} list", make_rows, lambda: self.list(per_page=50)
        )


class DetailViewTests(ViewTestCase):
    def test_detail_anonymous(self):
        obj = self.make_object()
        self.assert_login_redirect(self.client.get(self.url("detail", obj)))

    def test_detail_without_permission(self):
        obj = self.make_object()
        self.login()
        assert self.client.get(self.url("detail", obj)).status_code == 403

    def test_detail(self):
        obj = self.make_object()
        user = self.login("view")
        before = access_log_count(AccessKindChoices.VIEW)
        response = self.client.get(self.url("detail", obj))
        assert response.status_code == 200
        assert response.context["object"] == obj
        assert escape(str(obj)) in response.content.decode()
        assert access_log_count(AccessKindChoices.VIEW) == before + 1
        entry = AccessLog.objects.filter(kind=AccessKindChoices.VIEW).order_by("-id").first()
        assert entry.user_id == user.pk and entry.object_id == str(obj.pk)

    def test_detail_of_unknown_record(self):
        obj = self.make_object()
        self.login("view")
        assert self.client.get(self.views.url("detail", obj.pk + 10_000)).status_code == 404

    def test_detail_scoped(self):
        company_a, _company_b, in_a, in_b, other = self.scoped_objects()
        self.login_customer(company_a, "view")
        made = (in_a, in_b, other)
        visible = {obj.pk for obj in made if self.client.get(self.url("detail", obj)).status_code == 200}
        assert self.client.get(self.url("detail", in_b)).status_code == 404
        if getattr(self.model, "customer_scope", None) is not None:
            assert in_a.pk in visible
        assert visible == self.customer_visible(company_a) & {obj.pk for obj in made}


class CreateViewTests(ViewTestCase):
    def test_add_anonymous(self):
        data = self.get_form_data()
        check = WriteCheck(self.model)
        self.assert_login_redirect(self.client.get(self.url("add")))
        self.assert_login_redirect(self.client.post(self.url("add"), data))
        check.assert_nothing_written()

    def test_add_without_permission(self):
        data = self.get_form_data()
        self.login("view")
        check = WriteCheck(self.model)
        assert self.client.get(self.url("add")).status_code == 403
        assert self.client.post(self.url("add"), data).status_code == 403
        check.assert_nothing_written()

    def test_add(self):
        user = self.login("view", "add")
        response = self.client.get(self.url("add"))
        assert response.status_code == 200
        assert "form" in response.context
        before = list(self.model._base_manager.values_list("pk", flat=True))
        data = self.get_form_data()
        response = self.client.post(self.url("add"), data)
        assert response.status_code == 302, self._errors(response)
        obj = self.created_since(before)
        assert response["Location"] == obj.get_absolute_url()
        saved = form_data_for(get_entry(self.model).form, obj)
        for name, value in data.items():
            assert saved.get(name, "") == value, f"{name}: posted {value!r}, saved {saved.get(name)!r}"
        assert_audited(
            obj, ChangeActionChoices.CREATE, user, fields=[name for name, value in data.items() if value]
        )
        assert obj.created_by_id == user.pk

    def test_add_invalid(self):
        self.login("view", "add")
        check = WriteCheck(self.model)
        response = self.client.post(self.url("add"), self.get_invalid_form_data())
        self.assert_shows_error(response, self.invalid_form_error)
        check.assert_nothing_written()

    @staticmethod
    def _errors(response):
        context = getattr(response, "context", None)
        form = context.get("form") if context else None
        return form.errors if form is not None else response.status_code


class EditViewTests(ViewTestCase):
    def edit_data(self, obj, changes):
        data = form_data_for(get_entry(self.model).form, obj)
        data.update({name: posted(value) for name, value in changes.items()})
        return {name: value for name, value in data.items() if value != "" or name in changes}

    def test_edit_anonymous(self):
        obj = self.make_object()
        check = WriteCheck(self.model, obj)
        self.assert_login_redirect(self.client.get(self.url("edit", obj)))
        self.assert_login_redirect(
            self.client.post(self.url("edit", obj), self.edit_data(obj, self.update_form_data))
        )
        check.assert_nothing_written()

    def test_edit_without_permission(self):
        obj = self.make_object()
        self.login("view")
        check = WriteCheck(self.model, obj)
        assert self.client.get(self.url("edit", obj)).status_code == 403
        response = self.client.post(self.url("edit", obj), self.edit_data(obj, self.update_form_data))
        assert response.status_code == 403
        check.assert_nothing_written()

    def test_edit(self):
        obj = self.make_object()
        user = self.login("view", "change")
        response = self.client.get(self.url("edit", obj))
        assert response.status_code == 200
        assert response.context["form"].instance == obj
        response = self.client.post(self.url("edit", obj), self.edit_data(obj, self.update_form_data))
        assert response.status_code == 302, CreateViewTests._errors(response)
        assert response["Location"] == obj.get_absolute_url()
        obj.refresh_from_db()
        saved = form_data_for(get_entry(self.model).form, obj)
        for name, value in self.update_form_data.items():
            assert saved.get(name, "") == posted(value)
        assert_audited(obj, ChangeActionChoices.UPDATE, user, fields=list(self.update_form_data))

    def test_edit_invalid(self):
        obj = self.make_object()
        self.login("view", "change")
        check = WriteCheck(self.model, obj)
        response = self.client.post(self.url("edit", obj), self.get_invalid_form_data(obj))
        self.assert_shows_error(response, self.invalid_form_error)
        check.assert_nothing_written()

    def test_edit_scoped(self):
        company_a, _company_b, _in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view", "change")
        check = WriteCheck(self.model, in_b)
        assert self.client.get(self.url("edit", in_b)).status_code == 404
        response = self.client.post(self.url("edit", in_b), self.edit_data(in_b, self.update_form_data))
        assert response.status_code == 404
        check.assert_nothing_written()

    def test_edit_archived(self):
        obj = self.make_object()
        if not hasattr(obj, "archive"):
            pytest.skip(f"{self.model.__name__} is not archivable")
        obj.archive(REASON)
        self.login("view", "change")
        check = WriteCheck(self.model, obj)
        assert self.client.get(self.url("edit", obj)).status_code == 403
        response = self.client.post(self.url("edit", obj), self.edit_data(obj, self.update_form_data))
        assert response.status_code == 403
        check.assert_nothing_written()


class ArchiveViewTests(ViewTestCase):
    def test_archive_anonymous(self):
        obj = self.make_object()
        check = WriteCheck(self.model, obj)
        self.assert_login_redirect(self.client.get(self.url("archive", obj)))
        self.assert_login_redirect(self.client.post(self.url("archive", obj), {"reason": REASON}))
        check.assert_nothing_written()

    def test_archive_without_permission(self):
        obj = self.make_object()
        self.login("view")
        check = WriteCheck(self.model, obj)
        assert self.client.get(self.url("archive", obj)).status_code == 403
        assert self.client.post(self.url("archive", obj), {"reason": REASON}).status_code == 403
        check.assert_nothing_written()

    def test_archive_and_restore(self):
        obj = self.make_object()
        user = self.login("view", "change")
        assert self.client.get(self.url("archive", obj)).status_code == 200
        response = self.client.post(self.url("archive", obj), {"reason": REASON})
        assert response.status_code == 302
        assert response["Location"] == obj.get_absolute_url()
        obj.refresh_from_db()
        assert obj.is_archived and obj.archive_reason == REASON and obj.archived_by_id == user.pk
        assert_audited(obj, ChangeActionChoices.ARCHIVE, user, reason=REASON, fields=["is_archived"])

        assert self.client.get(self.url("restore", obj)).status_code == 200
        response = self.client.post(self.url("restore", obj), {"reason": "Archived by mistake"})
        assert response.status_code == 302
        obj.refresh_from_db()
        assert not obj.is_archived
        assert_audited(obj, ChangeActionChoices.RESTORE, user, reason="Archived by mistake")

    def test_archive_without_reason(self):
        obj = self.make_object()
        self.login("view", "change")
        for data in ({}, {"reason": "   "}):
            check = WriteCheck(self.model, obj)
            response = self.client.post(self.url("archive", obj), data)
            self.assert_shows_error(response, "This field is required.")
            check.assert_nothing_written()

    def test_restore_active_record(self):
        obj = self.make_object()
        self.login("view", "change")
        check = WriteCheck(self.model, obj)
        assert self.client.post(self.url("restore", obj), {"reason": REASON}).status_code == 404
        check.assert_nothing_written()

    def test_archive_scoped(self):
        company_a, _company_b, _in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view", "change")
        check = WriteCheck(self.model, in_b)
        assert self.client.get(self.url("archive", in_b)).status_code == 404
        assert self.client.post(self.url("archive", in_b), {"reason": REASON}).status_code == 404
        check.assert_nothing_written()


class HistoryViewTests(ViewTestCase):
    def test_history_anonymous(self):
        obj = self.make_object()
        self.assert_login_redirect(self.client.get(self.url("history", obj)))

    def test_history_without_permission(self):
        obj = self.make_object()
        self.login()
        assert self.client.get(self.url("history", obj)).status_code == 403

    def test_history(self):
        obj = self.make_object()
        self.login("view")
        response = self.client.get(self.url("history", obj))
        assert response.status_code == 200
        entries = list(response.context["entries"])
        assert entries and entries[-1].action == ChangeActionChoices.CREATE
        assert all(entry.object_id == str(obj.pk) for entry in entries)

    def test_history_scoped(self):
        company_a, _company_b, in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view")
        assert self.client.get(self.url("history", in_b)).status_code == 404
        if getattr(self.model, "customer_scope", None) is not None:
            assert self.client.get(self.url("history", in_a)).status_code == 200


class ExportViewTests(ViewTestCase):
    def export(self, fmt, **params):
        return self.client.get(self.url("list"), {"export": fmt, **params})

    def test_export_anonymous(self):
        self.make_object()
        before = access_log_count()
        self.assert_login_redirect(self.export("csv"))
        assert access_log_count() == before

    def test_export_without_permission(self):
        self.make_object()
        self.login()
        before = access_log_count()
        assert self.export("csv").status_code == 403
        assert access_log_count() == before

    def test_export_csv(self):
        for _ in range(3):
            self.make_object()
        user = self.login("view")
        before = access_log_count(AccessKindChoices.EXPORT)
        response = self.export("csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        assert_csv_rows(response, self.model, expected_export_rows(self.model, active_rows(self.model)))
        assert access_log_count(AccessKindChoices.EXPORT) == before + 1
        assert AccessLog.objects.order_by("-id").first().user_id == user.pk

    def test_export_xlsx(self):
        for _ in range(3):
            self.make_object()
        self.login("view")
        response = self.export("xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert_xlsx_rows(response, self.model, expected_export_rows(self.model, active_rows(self.model)))

    def test_export_scoped(self):
        company_a, _company_b, _in_a, _in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view")
        response = self.export("csv")
        assert response.status_code == 200
        expected = self.customer_visible(company_a)
        assert_csv_rows(response, self.model, expected_export_rows(self.model, expected))


class ReadOnlyPagesTests(ViewTestCase):
    """Record types without a form have no add or edit page."""

    def test_no_add_or_edit_page(self):
        obj = self.make_object()
        for view, args in (("add", ()), ("edit", (obj.pk,))):
            with pytest.raises(NoReverseMatch):
                self.views.url(view, *args)


class ModelViewTests(
    ListViewTests,
    DetailViewTests,
    CreateViewTests,
    EditViewTests,
    ArchiveViewTests,
    HistoryViewTests,
    ExportViewTests,
):
    """Every page of an editable, archivable record type."""


class ReadOnlyModelViewTests(
    ListViewTests, DetailViewTests, HistoryViewTests, ExportViewTests, ReadOnlyPagesTests
):
    """Every page of a record type that is read here and written elsewhere (users)."""
