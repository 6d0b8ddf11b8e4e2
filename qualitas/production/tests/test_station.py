"""The operator station: scan a serial, see the step, type measurements (pass / fail shown as they
are typed, by the server), start and complete the step. Bad input changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from qualitas.inspections.models import QualityReport
from qualitas.nonconformance.models import NonConformance
from qualitas.production.choices import PartStatusChoices as Status
from qualitas.production.tests.line_factories import make_line, make_work_order
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    class Setup:
        line = make_line()
        work_order = make_work_order(line, quantity=2)
        part = work_order.parts.order_by("serial_number").first()
        operator = make_user("Production Operator")
        client = Client()

    Setup.client.force_login(Setup.operator)
    return Setup


def station_url(part):
    return reverse("production:station_part", args=[part.pk])


def post(setup, **data):
    return setup.client.post(station_url(setup.part), data)


def walk_to_inspect_bore(setup):
    for _ in range(2):
        assert post(setup, do="start").status_code == 302
        assert post(setup, do="complete").status_code == 302
    setup.part.refresh_from_db()
    assert setup.part.current_step.name == "Inspect bore"
    assert post(setup, do="start").status_code == 302


def test_scanning_a_serial_opens_the_part_and_an_unknown_one_says_so(setup):
    found = setup.client.get(reverse("production:station"), {"serial": " vb-000001 "})
    assert found.status_code == 302 and found.url == station_url(setup.part)

    missing = setup.client.get(reverse("production:station"), {"serial": "VB-999999"})
    assert missing.status_code == 404
    assert "No part with serial number “VB-999999”." in missing.content.decode()


def test_the_station_shows_the_step_its_instructions_and_what_to_measure(setup):
    walk_to_inspect_bore(setup)
    page = setup.client.get(station_url(setup.part)).content.decode()
    assert "Inspect bore" in page and "Inspect bore the valve body." in page
    assert "C1 Bore diameter" in page and "24.950 – 25.050 mm" in page
    assert "C2 Surface finish" in page


@pytest.mark.parametrize(
    "value, state",
    [("25.01", "pass"), ("25,06", "fail"), ("24.95", "pass"), ("abc", "invalid"), ("", "empty")],
)
def test_pass_or_fail_is_shown_as_the_value_is_typed(setup, value, state):
    response = setup.client.post(
        reverse("production:station_check", args=[setup.line.bore.pk]), {"field": "m1", "m1": value}
    )
    assert response.status_code == 200
    assert f'data-check="{state}"' in response.content.decode()


def test_completing_without_the_required_measurements_is_refused(setup):
    walk_to_inspect_bore(setup)
    response = post(setup, do="complete")
    assert response.status_code == 409
    assert "required measurements not recorded: Bore diameter, Surface finish" in response.content.decode()
    setup.part.refresh_from_db()
    assert setup.part.status == Status.IN_PROGRESS


def test_a_value_that_is_not_a_number_is_refused_and_nothing_is_recorded(setup):
    walk_to_inspect_bore(setup)
    bore, surface = setup.line.bore.pk, setup.line.surface.pk
    response = post(setup, do="complete", **{f"m{bore}": "25.0.1", f"m{surface}": "pass"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was recorded" in page and "“25.0.1” is not a number" in page
    assert 'value="25.0.1"' in page  # what the operator typed is kept
    assert QualityReport.objects.count() == 0


def test_a_failing_measurement_opens_an_ncr_and_quarantines_the_part(setup):
    walk_to_inspect_bore(setup)
    bore, surface = setup.line.bore.pk, setup.line.surface.pk
    response = post(setup, do="complete", **{f"m{bore}": "25.071", f"m{surface}": "pass"})
    assert response.status_code == 302
    setup.part.refresh_from_db()
    ncr = NonConformance.objects.get(part=setup.part)
    assert setup.part.status == Status.QUARANTINED
    page = setup.client.get(station_url(setup.part)).content.decode()
    assert f"{ncr.number}" in page and "decides what happens to this part" in page


def test_passing_measurements_complete_the_step_and_move_the_part_on(setup):
    walk_to_inspect_bore(setup)
    bore, surface = setup.line.bore.pk, setup.line.surface.pk
    response = post(
        setup, do="complete", equipment=setup.line.caliper.pk, **{f"m{bore}": "25.012", f"m{surface}": "pass"}
    )
    assert response.status_code == 302
    setup.part.refresh_from_db()
    assert (setup.part.current_step.name, setup.part.status) == ("Deburr", Status.PENDING)
    report = QualityReport.objects.get()
    assert report.status == "pass" and report.equipment == setup.line.caliper
    assert setup.part.transitions.filter(kind="completed_step", equipment=setup.line.caliper).exists()


def test_a_customer_cannot_open_a_part_of_another_company(setup):
    customer = make_user("Customer", company=make_company(kind="customer"))
    client = Client()
    client.force_login(customer)
    assert client.get(station_url(setup.part)).status_code in (403, 404)
    assert client.get(reverse("production:station"), {"serial": setup.part.serial_number}).status_code in (
        403,
        404,
    )
