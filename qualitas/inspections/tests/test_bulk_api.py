"""``POST /api/v1/quality-reports/bulk/``: many reports in one request, all or nothing."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import ObjectChange
from qualitas.inspections.models import MeasurementResult, QualityReport, ReportDefect
from qualitas.inspections.tests import factories
from qualitas.nonconformance.models import NonConformance
from qualitas.production.choices import PartStatusChoices
from qualitas.testing.api import assert_error
from qualitas.testing.queries import assert_pinned, count_queries, pin_file_for
from qualitas.testing.records import customer_company, permission, user_with

URL = "/api/v1/quality-reports/bulk/"


class Pins:
    """Names this module to ``pin_file_for``: the pins are in tests/query_counts.json."""


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def line(db):
    return factories.shop()


@pytest.fixture
def parts(line):
    return at_inspection(line, factories.make_work_order(quantity=3))


def at_inspection(line, work_order):
    """The work order's parts, each at the inspection step."""
    parts = list(work_order.parts.order_by("serial_number"))
    for part in parts:
        factories.at_step(part, line.inspection)
    return parts


@pytest.fixture
def inspector(db):
    """May record reports, and see the parts and steps they name."""
    user = user_with(QualityReport, ["add"])
    user.user_permissions.add(
        permission(None, "production.view_part"), permission(None, "production.view_step")
    )
    return type(user).objects.get(pk=user.pk)


def results(line, diameter=25.01, surface=True):
    return [
        {"definition": line.diameter.pk, "value": diameter, "unit": "mm"},
        {"definition": line.surface.pk, "attribute_ok": surface},
    ]


def written():
    """What a refused request must leave as it was."""
    return {
        "reports": QualityReport.objects.count(),
        "results": MeasurementResult.objects.count(),
        "defects": ReportDefect.objects.count(),
        "ncrs": NonConformance.objects.count(),
        "audit": ObjectChange.objects.count(),
    }


def test_the_url():
    assert reverse("qualityreport-bulk") == URL


def test_a_good_batch_is_recorded(client, line, parts, inspector):
    # Given three parts and an inspector
    client.force_login(inspector)
    when = timezone.now() - datetime.timedelta(hours=2)
    body = {
        "reports": [
            {"part": parts[0].pk, "step": line.inspection.pk, "results": results(line)},
            {
                "serial_number": parts[1].serial_number,
                "step": line.inspection.pk,
                "equipment": None,
                "notes": "Second shift",
                "inspected_at": when.isoformat(),
                "results": results(line, diameter=24.97),
            },
        ]
    }
    # When the batch is sent
    response = client.post(URL, body, format="json")
    # Then both reports are recorded, passed, with their results, by the inspector
    assert response.status_code == 201, response.json()
    reports = list(QualityReport.objects.order_by("pk"))
    assert response.json() == {
        "reports": [
            {
                "id": report.pk,
                "number": report.number,
                "status": "pass",
                "part": part.pk,
                "step": line.inspection.pk,
                "nonconformance": None,
            }
            for report, part in zip(reports, parts[:2], strict=True)
        ]
    }
    assert [report.inspector_id for report in reports] == [inspector.pk, inspector.pk]
    assert reports[1].notes == "Second shift" and reports[1].inspected_at == when
    rows = MeasurementResult.objects.order_by("report_id", "definition__sequence")
    assert list(rows.values_list("report_id", "value", "attribute_ok", "is_pass")) == [
        (reports[0].pk, 25.01, None, True),
        (reports[0].pk, None, True, True),
        (reports[1].pk, 24.97, None, True),
        (reports[1].pk, None, True, True),
    ]
    # and audited as the inspector's, in the request
    entries = ObjectChange.objects.filter(
        content_type__model="qualityreport", action=ChangeActionChoices.CREATE, user=inspector
    )
    assert sorted(int(entry.object_id) for entry in entries) == [report.pk for report in reports]
    assert all(entry.request_id is not None for entry in entries)
    # and nothing was opened
    assert not NonConformance.objects.exists()


def test_a_failing_measurement_opens_an_ncr_and_quarantines_the_part(client, line, parts, inspector):
    client.force_login(inspector)
    body = {
        "reports": [
            {"part": parts[0].pk, "step": line.inspection.pk, "results": results(line)},
            {"part": parts[1].pk, "step": line.inspection.pk, "results": results(line, diameter=25.2)},
        ]
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    passed, failed = response.json()["reports"]
    ncr = NonConformance.objects.get()
    assert (passed["status"], passed["nonconformance"]) == ("pass", None)
    assert (failed["status"], failed["nonconformance"]) == ("fail", ncr.number)
    assert ncr.quality_report_id == failed["id"] and ncr.part_id == parts[1].pk
    parts[0].refresh_from_db()
    parts[1].refresh_from_db()
    assert parts[1].status == PartStatusChoices.QUARANTINED
    assert parts[0].status == PartStatusChoices.PENDING


def test_a_defect_fails_the_report(client, line, parts, inspector):
    client.force_login(inspector)
    item = {
        "part": parts[0].pk,
        "step": line.inspection.pk,
        "results": results(line),
        "defects": [{"error_type": line.scratch.pk, "quantity": 2, "location": "flange", "note": "deep"}],
    }
    response = client.post(URL, {"reports": [item]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reports"][0]["status"] == "fail"
    assert list(ReportDefect.objects.values_list("error_type_id", "quantity", "location", "note")) == [
        (line.scratch.pk, 2, "flange", "deep")
    ]


BAD_RESULTS = {
    "wrong unit": (
        lambda line: {"definition": line.diameter.pk, "value": 25.0, "unit": "in"},
        lambda line: "C1 Bore diameter is measured in mm, not in in.",
    ),
    "a string for a number": (
        lambda line: {"definition": line.diameter.pk, "value": "twenty-five"},
        lambda line: "C1 Bore diameter: “twenty-five” is not a number.",
    ),
    "pass / fail on a numeric characteristic": (
        lambda line: {"definition": line.diameter.pk, "attribute_ok": True},
        lambda line: "C1 Bore diameter is measured as a number, not pass / fail.",
    ),
    "an unknown characteristic": (
        lambda line: {"definition": 987654},
        lambda line: "Characteristic 987654 is not measured at “Final inspection”.",
    ),
    "a characteristic of another step": (
        lambda line: {"definition": factories.make_definition(line.operation, name="Length").pk},
        lambda line: (
            f"Characteristic {line.operation.measurements.get().pk} is not measured at “Final inspection”."
        ),
    ),
}


@pytest.mark.parametrize("case", BAD_RESULTS)
def test_one_bad_item_refuses_the_batch_and_writes_nothing(client, line, parts, inspector, case):
    # Given a good report and one with a bad result
    make_result, message = BAD_RESULTS[case]
    bad = make_result(line)
    body = {
        "reports": [
            {"part": parts[0].pk, "step": line.inspection.pk, "results": results(line)},
            {
                "part": parts[1].pk,
                "step": line.inspection.pk,
                "results": [{"definition": line.surface.pk, "attribute_ok": "ok"}, bad],
            },
            {"part": parts[2].pk, "step": line.inspection.pk, "results": results(line, diameter=25.3)},
        ]
    }
    client.force_login(inspector)
    before = written()
    # When the batch is sent
    body = assert_error(client.post(URL, body, format="json"), 400)
    # Then the bad item's error comes back in its place, and nothing is written: no report, no
    # result, no NCR for the failing third report, no audit entry
    assert body["errors"] == {"reports": [{}, {"results": ["", message(line)]}, {}]}
    assert written() == before
    parts[2].refresh_from_db()
    assert parts[2].status == PartStatusChoices.PENDING


def test_unknown_parts_and_steps_are_errors_of_their_item(client, line, parts, inspector):
    body = {
        "reports": [
            {"part": 987654, "step": line.inspection.pk, "results": results(line)},
            {"serial_number": "NO-SUCH-SERIAL", "step": line.inspection.pk, "results": results(line)},
            {"part": parts[0].pk, "step": 987654, "results": results(line)},
            {
                "part": parts[1].pk,
                "step": line.inspection.pk,
                "inspected_at": "yesterday",
                "results": results(line),
            },
            {"part": parts[2].pk, "step": line.inspection.pk, "results": {"definition": 1}},
            "not an object",
            {"step": line.inspection.pk, "results": results(line)},
            {"part": parts[2].pk, "step": line.operation.pk, "results": results(line)},
        ]
    }
    client.force_login(inspector)
    before = written()
    body = assert_error(client.post(URL, body, format="json"), 400)
    assert body["errors"] == {
        "reports": [
            {"part": ["No part with id 987654."]},
            {"serial_number": ["No part with serial number 'NO-SUCH-SERIAL'."]},
            {"step": ["No step with id 987654."]},
            {"inspected_at": ["Give the time as ISO 8601, e.g. 2026-03-01T14:30:00+01:00."]},
            {"results": ["Send the results as a list of objects."]},
            {"non_field_errors": ["Send each report as an object."]},
            {"part": ["Name the part: its id (part) or its serial number (serial_number)."]},
            {
                # The part was put at the inspection step without passing Turning.
                "step": [f"{parts[2]} has not reached “Turning”: it is at “{line.inspection}”."],
                "results": [
                    f"Characteristic {line.diameter.pk} is not measured at “Turning”.",
                    f"Characteristic {line.surface.pk} is not measured at “Turning”.",
                ],
            },
        ]
    }
    assert written() == before


def test_a_customer_cannot_record_on_another_customers_part(client, line, inspector):
    company = customer_company()
    theirs = factories.make_part(company)
    customer = user_with(QualityReport, ["add"], role="Customer", company=customer_company())
    customer.user_permissions.add(
        permission(None, "production.view_part"), permission(None, "production.view_step")
    )
    client.force_login(customer)
    before = written()
    item = {"part": theirs.pk, "step": factories.shop(company).inspection.pk, "results": results(line)}
    body = assert_error(client.post(URL, {"reports": [item]}, format="json"), 400)
    assert body["errors"]["reports"][0]["part"] == [f"No part with id {theirs.pk}."]
    assert written() == before


def test_anonymous(client, line, parts):
    before = written()
    item = {"part": parts[0].pk, "step": line.inspection.pk, "results": results(line)}
    assert_error(client.post(URL, {"reports": [item]}, format="json"), 401)
    assert written() == before


def test_without_permission(client, line, parts):
    client.force_login(user_with(QualityReport, ["view", "change"]))
    before = written()
    item = {"part": parts[0].pk, "step": line.inspection.pk, "results": results(line)}
    assert_error(client.post(URL, {"reports": [item]}, format="json"), 403)
    assert written() == before


@override_settings(QUALITAS_INSPECTION_BULK_LIMIT=2)
def test_over_the_limit(client, line, parts, inspector):
    client.force_login(inspector)
    before = written()
    body = {
        "reports": [{"part": part.pk, "step": line.inspection.pk, "results": results(line)} for part in parts]
    }
    body = assert_error(client.post(URL, body, format="json"), 400)
    assert body["errors"] == {"reports": ["At most 2 reports per request; 3 were sent."]}
    assert written() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Send the reports as a list."),
        ({"reports": {}}, "Send the reports as a list."),
        ({"reports": []}, "Send at least one report."),
    ],
)
def test_the_envelope(client, inspector, body, message):
    client.force_login(inspector)
    body = assert_error(client.post(URL, body, format="json"), 400)
    assert body["errors"] == {"reports": [message]}


def other_than_inserts(queries):
    return [sql for sql in queries if not sql.startswith("INSERT")]


def test_query_count(client, line, inspector):
    """The queries of a batch do not depend on its size, but for the bulk INSERTs the database
    splits into batches: 10 and 50 passing reports run the same other queries, and the count of
    the 50 is pinned. (Each failed report adds the queries of opening its NCR.)"""
    client.force_login(inspector)
    measured = {}
    for size in (1, 10, 50):  # the first batch starts the year's report numbers: a warm-up
        parts = at_inspection(line, factories.make_work_order(quantity=size))
        body = {
            "reports": [
                {"part": part.pk, "step": line.inspection.pk, "results": results(line)} for part in parts
            ]
        }
        response, queries = count_queries(lambda body=body: client.post(URL, body, format="json"))
        assert response.status_code == 201, response.json()
        measured[size] = queries
    # Only the bulk INSERTs may grow: the database splits them by its limit on query parameters.
    assert len(other_than_inserts(measured[10])) == len(other_than_inserts(measured[50])), "\n".join(
        sql[:200] for sql in measured[50]
    )
    assert len(measured[50]) - len(measured[10]) <= 4
    assert_pinned(pin_file_for(Pins), "api bulk quality reports 50", measured[50])
