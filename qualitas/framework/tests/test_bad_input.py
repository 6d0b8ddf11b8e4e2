"""Bad input gets a clear 4xx with the API's error body, never a 500, and writes nothing."""

import json

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from qualitas.accounts.models import Company
from qualitas.core import audit
from qualitas.core.models import RecordSequence
from qualitas.testing.api import assert_error
from qualitas.testing.factories import make_company
from qualitas.testing.records import REASON, WriteCheck, user_with
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

WIDGETS = "/api/v1/widgets/"
COMPANIES = "/api/v1/companies/"
GOOD = {"name": "Bracket", "quantity": 5, "due_date": "2027-01-10", "specification": "Steel"}


@pytest.fixture
def api():
    client = APIClient(raise_request_exception=False)
    user = user_with(Widget, ("view", "add", "change"))
    user.user_permissions.add(*user_with(Company, ("view", "add", "change")).user_permissions.all())
    client.force_login(user)
    return client


@pytest.fixture
def widget():
    return Widget.objects.create(name="Existing", quantity=1)


def post_raw(api, url, body, content_type="application/json"):
    return api.generic("POST", url, body, content_type=content_type)


def refused(response, status, model=Widget):
    body = assert_error(response, status)
    return body


# --- Malformed bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Bracket",',  # cut off
        "{'name': 'Bracket'}",  # not JSON quotes
        '{"name": "Bracket", "quantity": NaN}',  # not strict JSON
        "\x00\x01\x02",
        b"\xff\xfe\xfa",  # not UTF-8
    ],
)
def test_malformed_json_is_400(api, body):
    check = WriteCheck(Widget)
    response = post_raw(api, WIDGETS, body)
    error = assert_error(response, 400)
    assert error["code"] == "parse_error" and "JSON" in error["detail"]
    check.assert_nothing_written()


@pytest.mark.parametrize("body", ["[1, 2, 3]", '"Bracket"', "42", "null"])
def test_json_that_is_not_an_object_is_400(api, body):
    check = WriteCheck(Widget)
    error = assert_error(post_raw(api, WIDGETS, body), 400)
    assert error["code"] == "invalid"
    assert error["errors"]["non_field_errors"] or error["errors"]
    check.assert_nothing_written()


def test_an_unsupported_media_type_is_415(api):
    check = WriteCheck(Widget)
    error = assert_error(post_raw(api, WIDGETS, "name=Bracket", content_type="text/plain"), 415)
    assert error["code"] == "unsupported_media_type"
    check.assert_nothing_written()


# --- Field values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "many"),
        ("quantity", -1),
        ("quantity", 1.5),
        ("quantity", 10**20),
        ("quantity", [5]),
        ("due_date", "tomorrow"),
        ("due_date", "2027-02-30"),
        ("due_date", 20270101),
        ("name", ["Bracket"]),
        ("name", {"text": "Bracket"}),
        ("name", "x" * 201),
        ("name", ""),
        ("name", None),
        ("name", "Brac\x00ket"),
        ("customer", 10**6),
        ("customer", "acme"),
        ("customer", -1),
        ("customer", 10**20),
        ("customer", {"id": 1}),
    ],
)
def test_wrong_values_are_400_naming_the_field(api, field, value):
    check = WriteCheck(Widget)
    sequences = RecordSequence.objects.count()
    error = assert_error(api.post(WIDGETS, {**GOOD, field: value}, format="json"), 400)
    assert error["code"] == "invalid" and error["detail"] == "Invalid input."
    assert list(error["errors"]) == [field], error["errors"]
    assert all(isinstance(message, str) and message for message in error["errors"][field])
    check.assert_nothing_written()
    assert RecordSequence.objects.count() == sequences


def test_an_unknown_choice_is_400(api):
    check = WriteCheck(Company)
    error = assert_error(api.post(COMPANIES, {"name": "Acme", "kind": "alien"}, format="json"), 400)
    assert error["errors"] == {"kind": ['"alien" is not a valid choice.']}
    check.assert_nothing_written()


def test_missing_required_fields_are_400_each_named(api):
    check = WriteCheck(Widget)
    error = assert_error(api.post(WIDGETS, {"quantity": 3}, format="json"), 400)
    assert error["errors"] == {"name": ["This field is required."]}
    check.assert_nothing_written()


def test_a_duplicate_of_a_unique_field_is_400(api):
    make_company(name="Acme")
    check = WriteCheck(Company)
    error = assert_error(api.post(COMPANIES, {"name": "Acme"}, format="json"), 400)
    assert "name" in error["errors"]
    check.assert_nothing_written()


def test_bad_values_on_update_change_nothing(api, widget):
    check = WriteCheck(Widget, widget)
    error = assert_error(
        api.patch(f"{WIDGETS}{widget.pk}/", {"name": "Renamed", "quantity": "many"}, format="json"), 400
    )
    assert list(error["errors"]) == ["quantity"]
    check.assert_nothing_written()


def test_read_only_fields_are_ignored_not_written(api, widget):
    response = api.patch(
        f"{WIDGETS}{widget.pk}/",
        {"number": "WID-1999-9999", "version": 7, "is_archived": True, "created_by": 1},
        format="json",
    )
    assert response.status_code == 200
    fresh = Widget.objects.get(pk=widget.pk)
    assert (fresh.number, fresh.version, fresh.is_archived) == (widget.number, 1, False)
    assert audit.history(widget).count() == 1  # no change, no update entry


# --- Too large ----------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(api):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({**GOOD, "specification": "x" * (limit + 1)})
    check = WriteCheck(Widget)
    error = assert_error(post_raw(api, WIDGETS, body), 413)
    assert error["code"] == "too_large"
    check.assert_nothing_written()


def test_a_form_encoded_body_over_the_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    check = WriteCheck(Widget)
    response = post_raw(
        api,
        WIDGETS,
        f"name=Bracket&specification={'x' * 3000}",
        content_type="application/x-www-form-urlencoded",
    )
    assert assert_error(response, 413)["code"] == "too_large"
    check.assert_nothing_written()


def test_a_page_post_over_the_limit_is_400_not_500(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client = Client(raise_request_exception=False)
    client.force_login(user_with(Widget, ("view", "add")))
    check = WriteCheck(Widget)
    response = client.post("/testapp/widgets/add/", {"name": "Bracket", "specification": "x" * 3000})
    assert response.status_code == 400
    check.assert_nothing_written()


# --- Unknown records and actions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("patch", "", {"name": "Renamed"}),
        ("put", "", GOOD),
        ("post", "archive/", {"reason": REASON}),
        ("post", "restore/", {"reason": REASON}),
        ("post", "actions/submit/", {}),
        ("get", "history/", None),
    ],
)
def test_an_unknown_record_is_404(api, widget, method, suffix, data):
    check = WriteCheck(Widget, widget)
    url = f"{WIDGETS}{widget.pk + 1000}/{suffix}"
    response = getattr(api, method)(url, data, format="json") if data is not None else api.get(url)
    error = assert_error(response, 404)
    assert error["code"] == "not_found"
    check.assert_nothing_written()


def test_a_non_numeric_record_id_is_404(api, widget):
    check = WriteCheck(Widget, widget)
    assert_error(api.get(f"{WIDGETS}not-a-number/"), 404)
    assert_error(api.patch(f"{WIDGETS}-1/", {"name": "Renamed"}, format="json"), 404)
    assert_error(api.post(f"{WIDGETS}{'9' * 30}/archive/", {"reason": REASON}, format="json"), 404)
    check.assert_nothing_written()


@pytest.mark.parametrize("path", ["/api/v1/no-such-records/", f"{WIDGETS}1.5/"])
def test_an_unknown_api_path_is_404_with_the_error_body(api, path):
    assert_error(api.get(path), 404)


def test_archiving_without_a_reason_is_400(api, widget):
    for data in ({}, {"reason": ""}, {"reason": "   "}, {"reason": ["why"]}, {"reason": None}):
        check = WriteCheck(Widget, widget)
        error = assert_error(api.post(f"{WIDGETS}{widget.pk}/archive/", data, format="json"), 400)
        assert list(error["errors"]) == ["reason"]
        check.assert_nothing_written()


def test_an_over_long_reason_is_400(api, widget):
    check = WriteCheck(Widget, widget)
    error = assert_error(
        api.post(f"{WIDGETS}{widget.pk}/archive/", {"reason": "x" * 2001}, format="json"), 400
    )
    assert list(error["errors"]) == ["reason"]
    check.assert_nothing_written()


def test_deleting_is_405(api, widget):
    check = WriteCheck(Widget, widget)
    error = assert_error(api.delete(f"{WIDGETS}{widget.pk}/"), 405)
    assert error["code"] == "method_not_allowed"
    check.assert_nothing_written()


# --- Lists --------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{"page": 99}, {"page": "last-one"}, {"page": 0}])
def test_a_page_that_does_not_exist_is_404(api, widget, params):
    assert assert_error(api.get(WIDGETS, params), 404)["code"] == "not_found"


def test_page_sizes_are_capped(api):
    for index in range(3):
        Widget.objects.create(name=f"W{index}")
    assert len(api.get(WIDGETS, {"page_size": 10**9}).json()["results"]) == 3
    assert len(api.get(WIDGETS, {"page_size": -5}).json()["results"]) == 3
    assert len(api.get(WIDGETS, {"page_size": 2}).json()["results"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"quantity_min": "lots"},
        {"due_date": "someday"},
        {"customer": "acme"},
        {"status": "exploded"},
        {"lineage": "not-a-uuid"},
        {"created_after": "2027-13-01"},
        {"archived": "maybe"},
    ],
)
def test_an_invalid_filter_is_400_naming_it(api, widget, params):
    for url in (WIDGETS, f"{WIDGETS}export/"):
        error = assert_error(api.get(url, params), 400)
        assert list(error["errors"]) == list(params), error


def test_an_out_of_range_id_in_a_filter_is_400(api, widget):
    # On SQLite the database driver refuses the number before django-filter can name the field.
    for url in (WIDGETS, f"{WIDGETS}export/"):
        assert assert_error(api.get(url, {"customer": 10**20}), 400)["code"] == "invalid"


def test_an_out_of_range_id_in_a_page_filter_is_not_a_500():
    client = Client(raise_request_exception=False)
    client.force_login(user_with(Widget, ("view",)))
    response = client.get("/testapp/widgets/", {"customer": 10**20})
    assert response.status_code == 200


def test_an_unknown_ordering_is_ignored(api, widget):
    response = api.get(WIDGETS, {"ordering": "password"})
    assert response.status_code == 200


# --- Nothing is half-written --------------------------------------------------------------------


def test_a_failure_inside_the_save_leaves_no_record_and_no_number(api, monkeypatch):
    """The record, its number and its audit entry are written together or not at all."""

    def broken_insert(entries):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(audit, "_insert", broken_insert)
    sequences = list(RecordSequence.objects.values_list("key", "last_value"))
    check = WriteCheck(Widget)
    response = api.post(WIDGETS, GOOD, format="json")
    assert response.status_code == 500
    check.assert_nothing_written()
    assert list(RecordSequence.objects.values_list("key", "last_value")) == sequences
