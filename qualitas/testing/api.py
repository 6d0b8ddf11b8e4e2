"""Generic API tests. A concrete test class declares data only:

    class TestCompanyAPI(APITests):
        model = Company
        create_data = {"name": "Acme Dairy", "kind": "supplier"}
        update_data = {"country": "Netherlands"}

        def make_object(self, company=None):
            return company or make_company()

Each mixin checks one endpoint four ways: anonymous (401), without the model permission (403, or
404 for records outside the user's scope), with the permission (2xx and the right data, and the
ObjectChange written), and as a Customer-role user of company A, who sees only A's rows (by the
model's ``customer_scope``). A refused request writes nothing: no row, no audit entry.

``make_object(company=None)`` is the one hook: it returns a new record that belongs to customer
``company`` (ignored by models that customers never see). For Company, the record belonging to
company A is A itself.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qualitas.core.choices import AccessKindChoices, ChangeActionChoices
from qualitas.framework.api.router import router
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


def assert_error(response, status):
    """The response is our error body with ``status``."""
    assert response.status_code == status, (response.status_code, getattr(response, "data", None))
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}, body
    assert body["status"] == status
    return body


class APITestCase(RecordTestCase):
    """The base of every generic API test. Subclasses set ``model`` and implement ``make_object``."""

    #: The data a permitted user POSTs. Foreign keys may be filled in by ``get_create_data``.
    create_data = None
    #: The fields a permitted user PATCHes.
    update_data = None

    @pytest.fixture(autouse=True)
    def _api_client(self, db):
        self.client = APIClient()

    # --- Hooks -------------------------------------------------------------------------------

    def get_create_data(self):
        return dict(self.create_data)

    def get_update_data(self, obj):
        return dict(self.update_data)

    # --- URLs --------------------------------------------------------------------------------

    @classmethod
    def basename(cls):
        load_urls()
        viewset = get_entry(cls.model).api_viewset
        for _prefix, registered, basename in router.registry:
            if registered is viewset:
                return basename
        raise AssertionError(f"{viewset} is not registered on the API router")

    def url(self, name, *args):
        return reverse(f"{self.basename()}-{name}", args=args)

    def list_url(self):
        return self.url("list")

    def detail_url(self, obj):
        return self.url("detail", obj.pk)

    # --- Users -------------------------------------------------------------------------------

    def assert_customer_scope(self, company_a, in_a, in_b, visible):
        expected = self.customer_visible(company_a)
        if getattr(self.model, "customer_scope", None) is not None:
            assert in_a.pk in visible, "a customer does not see its own company's record"
        assert in_b.pk not in visible, "a customer sees another company's record"
        assert set(visible) == expected


class GetObjectTests(APITestCase):
    def test_get_object_anonymous(self):
        obj = self.make_object()
        assert_error(self.client.get(self.detail_url(obj)), 401)

    def test_get_object_without_permission(self):
        obj = self.make_object()
        self.login()
        assert_error(self.client.get(self.detail_url(obj)), 403)

    def test_get_object(self):
        obj = self.make_object()
        self.login("view")
        response = self.client.get(self.detail_url(obj))
        assert response.status_code == 200
        serializer = get_entry(self.model).serializer
        assert response.json()["id"] == obj.pk
        assert response.json() == serializer(obj, context={"request": response.wsgi_request}).data

    def test_get_unknown_object(self):
        obj = self.make_object()
        self.login("view")
        assert_error(self.client.get(self.url("detail", obj.pk + 10_000)), 404)

    def test_get_object_scoped(self):
        company_a, _company_b, in_a, in_b, other = self.scoped_objects()
        self.login_customer(company_a, "view")
        made = (in_a, in_b, other)
        visible = {obj.pk for obj in made if self.client.get(self.detail_url(obj)).status_code == 200}
        assert_error(self.client.get(self.detail_url(in_b)), 404)
        expected = self.customer_visible(company_a) & {obj.pk for obj in made}
        if getattr(self.model, "customer_scope", None) is not None:
            assert in_a.pk in visible, "a customer cannot open its own company's record"
        assert visible == expected


class ListObjectsTests(APITestCase):
    def test_list_objects_anonymous(self):
        self.make_object()
        assert_error(self.client.get(self.list_url()), 401)

    def test_list_objects_without_permission(self):
        self.make_object()
        self.login()
        assert_error(self.client.get(self.list_url()), 403)

    def test_list_objects(self):
        objects = [self.make_object() for _ in range(3)]
        self.login("view")
        response = self.client.get(self.list_url(), {"page_size": 1000})
        assert response.status_code == 200
        body = response.json()
        ids = [row["id"] for row in body["results"]]
        expected = active_rows(self.model)
        assert {obj.pk for obj in objects} <= set(ids)
        assert set(ids) == expected and len(ids) == len(expected) == body["count"]

    def test_list_objects_scoped(self):
        company_a, _company_b, in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view")
        response = self.client.get(self.list_url(), {"page_size": 1000})
        assert response.status_code == 200
        self.assert_customer_scope(company_a, in_a, in_b, {row["id"] for row in response.json()["results"]})

    def test_list_objects_query_count(self):
        user = self.login("view")
        queryset = self.model.objects.restrict(user, "view")

        def make_rows(total):
            while queryset.count() < total:
                self.make_object()

        assert_constant_and_pinned(
            self,
            f"api {self.model._meta.label_lower} list",
            make_rows,
            lambda: self.client.get(self.list_url(), {"page_size": 100}),
        )


class CreateObjectTests(APITestCase):
    def test_create_object_anonymous(self):
        data = self.get_create_data()
        check = WriteCheck(self.model)
        assert_error(self.client.post(self.list_url(), data, format="json"), 401)
        check.assert_nothing_written()

    def test_create_object_without_permission(self):
        data = self.get_create_data()
        self.login("view")
        check = WriteCheck(self.model)
        assert_error(self.client.post(self.list_url(), data, format="json"), 403)
        check.assert_nothing_written()

    def test_create_object(self):
        data = self.get_create_data()
        user = self.login("view", "add")
        response = self.client.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        for name, value in data.items():
            assert body[name] == value, f"{name}: sent {value!r}, got {body[name]!r}"
        obj = self.model._base_manager.get(pk=body["id"])
        entry = assert_audited(
            obj, ChangeActionChoices.CREATE, user, fields=[n for n, v in data.items() if v not in (None, "")]
        )
        assert entry.request_id is not None
        assert obj.created_by_id == user.pk

    def test_create_object_with_invalid_data(self):
        self.login("view", "add")
        check = WriteCheck(self.model)
        body = assert_error(self.client.post(self.list_url(), {}, format="json"), 400)
        assert body["errors"], body
        check.assert_nothing_written()


class UpdateObjectTests(APITestCase):
    def test_update_object_anonymous(self):
        obj = self.make_object()
        check = WriteCheck(self.model, obj)
        assert_error(self.client.patch(self.detail_url(obj), self.get_update_data(obj), format="json"), 401)
        check.assert_nothing_written()

    def test_update_object_without_permission(self):
        obj = self.make_object()
        self.login("view")
        check = WriteCheck(self.model, obj)
        assert_error(self.client.patch(self.detail_url(obj), self.get_update_data(obj), format="json"), 403)
        check.assert_nothing_written()

    def test_update_object(self):
        obj = self.make_object()
        data = self.get_update_data(obj)
        user = self.login("view", "change")
        response = self.client.patch(self.detail_url(obj), data, format="json")
        assert response.status_code == 200, response.json()
        for name, value in data.items():
            assert response.json()[name] == value
        obj.refresh_from_db()
        assert_audited(obj, ChangeActionChoices.UPDATE, user, fields=list(data))
        assert obj.updated_by_id == user.pk

    def test_update_object_scoped(self):
        company_a, _company_b, in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view", "change")
        check = WriteCheck(self.model, in_b)
        assert_error(self.client.patch(self.detail_url(in_b), self.get_update_data(in_b), format="json"), 404)
        check.assert_nothing_written()

    def test_update_archived_object(self):
        obj = self.make_object()
        if not hasattr(obj, "archive"):
            pytest.skip(f"{self.model.__name__} is not archivable")
        obj.archive(REASON)
        self.login("view", "change")
        check = WriteCheck(self.model, obj)
        assert_error(self.client.patch(self.detail_url(obj), self.get_update_data(obj), format="json"), 400)
        check.assert_nothing_written()

    def test_delete_is_not_offered(self):
        obj = self.make_object()
        self.login("view", "change", "delete")
        check = WriteCheck(self.model, obj)
        assert_error(self.client.delete(self.detail_url(obj)), 405)
        check.assert_nothing_written()


class ArchiveObjectTests(APITestCase):
    def test_archive_object_anonymous(self):
        obj = self.make_object()
        check = WriteCheck(self.model, obj)
        assert_error(self.client.post(self.url("archive", obj.pk), {"reason": REASON}, format="json"), 401)
        check.assert_nothing_written()

    def test_archive_object_without_permission(self):
        obj = self.make_object()
        self.login("view")
        check = WriteCheck(self.model, obj)
        assert_error(self.client.post(self.url("archive", obj.pk), {"reason": REASON}, format="json"), 403)
        check.assert_nothing_written()

    def test_archive_and_restore_object(self):
        obj = self.make_object()
        user = self.login("view", "change")
        response = self.client.post(self.url("archive", obj.pk), {"reason": REASON}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["is_archived"] is True
        assert response.json()["archive_reason"] == REASON
        obj.refresh_from_db()
        assert obj.is_archived and obj.archived_by_id == user.pk
        assert_audited(obj, ChangeActionChoices.ARCHIVE, user, reason=REASON, fields=["is_archived"])

        response = self.client.post(
            self.url("restore", obj.pk), {"reason": "Archived by mistake"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["is_archived"] is False
        obj.refresh_from_db()
        assert not obj.is_archived
        assert_audited(obj, ChangeActionChoices.RESTORE, user, reason="Archived by mistake")

    def test_archive_object_without_reason(self):
        obj = self.make_object()
        self.login("view", "change")
        for data in ({}, {"reason": ""}, {"reason": "   "}):
            check = WriteCheck(self.model, obj)
            body = assert_error(self.client.post(self.url("archive", obj.pk), data, format="json"), 400)
            assert "reason" in body["errors"]
            check.assert_nothing_written()

    def test_restore_active_object(self):
        obj = self.make_object()
        self.login("view", "change")
        check = WriteCheck(self.model, obj)
        assert_error(self.client.post(self.url("restore", obj.pk), {"reason": REASON}, format="json"), 400)
        check.assert_nothing_written()

    def test_archive_object_scoped(self):
        company_a, _company_b, _in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view", "change")
        check = WriteCheck(self.model, in_b)
        assert_error(self.client.post(self.url("archive", in_b.pk), {"reason": REASON}, format="json"), 404)
        check.assert_nothing_written()


class ExportTests(APITestCase):
    def export(self, fmt="csv", **params):
        return self.client.get(self.url("export"), {"format": fmt, **params})

    def test_export_anonymous(self):
        self.make_object()
        before = access_log_count()
        assert_error(self.export(), 401)
        assert access_log_count() == before

    def test_export_without_permission(self):
        self.make_object()
        self.login()
        before = access_log_count()
        assert_error(self.export(), 403)
        assert access_log_count() == before

    def test_export_csv(self):
        for _ in range(3):
            self.make_object()
        self.login("view")
        before = access_log_count(AccessKindChoices.EXPORT)
        response = self.export("csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        visible = active_rows(self.model)
        assert_csv_rows(response, self.model, expected_export_rows(self.model, visible))
        assert access_log_count(AccessKindChoices.EXPORT) == before + 1

    def test_export_xlsx(self):
        for _ in range(3):
            self.make_object()
        self.login("view")
        response = self.export("xlsx")
        assert response.status_code == 200
        visible = active_rows(self.model)
        assert_xlsx_rows(response, self.model, expected_export_rows(self.model, visible))

    def test_export_unknown_format(self):
        self.make_object()
        self.login("view")
        body = assert_error(self.export("pdf"), 400)
        assert "format" in body["errors"]

    def test_export_scoped(self):
        company_a, _company_b, in_a, in_b, _other = self.scoped_objects()
        self.login_customer(company_a, "view")
        response = self.export("csv")
        assert response.status_code == 200
        expected = self.customer_visible(company_a)
        self.assert_customer_scope(company_a, in_a, in_b, expected)
        assert_csv_rows(response, self.model, expected_export_rows(self.model, expected))


class ReadOnlyTests(APITestCase):
    """Read-only endpoints refuse every write with 405 and write nothing."""

    def test_writes_are_not_allowed(self):
        obj = self.make_object()
        self.login("view", "add", "change", "delete")
        attempts = (
            ("post", self.list_url()),
            ("put", self.detail_url(obj)),
            ("patch", self.detail_url(obj)),
            ("delete", self.detail_url(obj)),
        )
        for method, url in attempts:
            check = WriteCheck(self.model, obj)
            assert_error(getattr(self.client, method)(url, {}, format="json"), 405)
            check.assert_nothing_written()


class APITests(
    GetObjectTests, ListObjectsTests, CreateObjectTests, UpdateObjectTests, ArchiveObjectTests, ExportTests
):
    """Every endpoint of an editable, archivable record type."""


class ReadOnlyAPITests(GetObjectTests, ListObjectsTests, ExportTests, ReadOnlyTests):
    """Every endpoint of a record type the API only reads."""
