"""The NCR pages, through the generic view tests, and the NCR analysis and defect Pareto pages."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from qualitas.inspections.models import QualityReport
from qualitas.inspections.tests import factories
from qualitas.nonconformance.choices import DispositionChoices, NonConformanceStatusChoices
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.notifications.models import Notification
from qualitas.testing.factories import make_user
from qualitas.testing.records import WriteCheck, customer_company, customer_of, permission, user_with
from qualitas.testing.views import ModelViewTests, ReadOnlyModelViewTests

#: How the step log shows the part's quarantine.
QUARANTINED_ROW = '<td><span class="badge text-bg-danger">Quarantined</span></td>'


def grant(user, *names):
    user.user_permissions.add(*(permission(None, name) for name in names))
    return type(user).objects.get(pk=user.pk)


class TestNonConformanceViews(ModelViewTests):
    model = NonConformance
    form_data = {
        "title": "Burr on the flange",
        "source": "process",
        "severity": "minor",
        "description": "Found at deburring, 4 parts of the batch",
        "quantity": 4,
    }
    update_form_data = {"title": "Burr on the flange face", "severity": "critical"}

    def make_object(self, company=None):
        return factories.make_ncr(company)

    def test_urls(self):
        assert self.url("list") == "/quality/non-conformances/"
        assert reverse("nonconformance:analysis") == "/quality/non-conformances/analysis/"

    def test_add_on_a_part_by_serial_number(self):
        # Given a customer's part and a QA manager
        company = customer_company()
        part = factories.make_part(company)
        manager = make_user(role="QA Manager")
        self.login("view", "add")
        data = {**self.get_form_data(), "part": part.serial_number}
        # When the NCR is raised with the part's serial number
        response = self.client.post(self.url("add"), data)
        # Then it takes the part's details, and the QA manager is told
        assert response.status_code == 302, response.context["form"].errors
        ncr = NonConformance.objects.get()
        assert (ncr.part, ncr.part_type, ncr.work_order, ncr.customer) == (
            part,
            part.part_type,
            part.work_order,
            company,
        )
        assert Notification.objects.filter(recipient=manager, object_id=str(ncr.pk)).count() == 1
        # and the edit form shows the serial and work-order numbers
        self.login("view", "change")
        html = self.client.get(self.url("edit", ncr)).content.decode()
        assert f'value="{part.serial_number}"' in html and f'value="{part.work_order.number}"' in html

    def test_an_unknown_serial_number(self):
        self.login("view", "add")
        check = WriteCheck(self.model)
        response = self.client.post(self.url("add"), {**self.get_form_data(), "part": "NO-SUCH"})
        self.assert_shows_error(response, "No part has this serial number.")
        check.assert_nothing_written()

    def test_the_part_and_step_must_agree(self):
        part = factories.make_part()
        other = factories.make_routing(factories.make_part_type())
        step = other.steps.get(name="Turning")
        self.login("view", "add")
        check = WriteCheck(self.model)
        response = self.client.post(
            self.url("add"), {**self.get_form_data(), "part": part.serial_number, "step": step.pk}
        )
        self.assert_shows_error(
            response, escape(f"“Turning” is not a step of routing {part.work_order.process}.")
        )
        check.assert_nothing_written()

    def test_detail_shows_the_report_the_step_log_and_the_rework(self):
        # Given an NCR opened by a failed report, its part quarantined and sent to rework once
        factories.shop()
        report = factories.make_report(diameter=25.2)
        ncr = report.nonconformances.get()
        attempt = factories.make_rework_attempt(part=report.part, nonconformance=ncr)
        user = grant(
            self.login("view"),
            "inspections.view_qualityreport",
            "inspections.view_measurementresult",
            "inspections.view_reportdefect",
            "production.view_steptransition",
            "nonconformance.view_reworkattempt",
        )
        self.client.force_login(user)
        # When its page is opened
        response = self.client.get(self.url("detail", ncr))
        html = response.content.decode()
        # Then it shows the report with its results, the part's step log and the rework attempts
        assert response.status_code == 200
        assert report.number in html and "C1 Bore diameter" in html and "25.2 mm" in html
        assert "<td>24.950 – 25.050</td>" in html
        assert QUARANTINED_ROW in html and "Factory Inspector" in html
        assert "Rework attempts" in html and str(attempt.part) in html

    def test_detail_panels_are_scoped(self):
        report = factories.make_report(diameter=25.2)
        ncr = report.nonconformances.get()
        self.login("view")
        html = self.client.get(self.url("detail", ncr)).content.decode()
        assert "<td>24.950 – 25.050</td>" not in html and QUARANTINED_ROW not in html

    def test_decide_page_shows_the_disposition_form(self):
        line = factories.shop()
        ncr = factories.make_report(diameter=25.2).nonconformances.get()
        ncr.status = NonConformanceStatusChoices.UNDER_REVIEW
        ncr.save()
        self.login("view", "change")
        url = f"{ncr.get_absolute_url()}actions/decide/"
        response = self.client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="disposition"' in html and 'name="rework_step"' in html and 'name="notes"' in html
        response = self.client.post(
            url, {"disposition": "rework", "rework_step": line.operation.pk, "notes": "Re-bore to size"}
        )
        assert response.status_code == 302
        ncr.refresh_from_db()
        assert (ncr.status, ncr.disposition, ncr.rework_step) == (
            NonConformanceStatusChoices.DISPOSITION_DECIDED,
            DispositionChoices.REWORK,
            line.operation,
        )


class TestReworkAttemptViews(ReadOnlyModelViewTests):
    model = ReworkAttempt

    def make_object(self, company=None):
        return factories.make_rework_attempt(company)


# --- The analysis pages -------------------------------------------------------------------------

ANALYSIS = "/quality/non-conformances/analysis/"
PARETO = "/quality/defects/pareto/"


@pytest.fixture
def web(db):
    return Client()


def opened(days_ago, **fields):
    ncr = factories.make_ncr(**fields)
    NonConformance._base_manager.filter(pk=ncr.pk).update(
        created=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return ncr


def test_pareto_url():
    assert reverse("nonconformance:pareto") == PARETO


@pytest.mark.parametrize("url", [ANALYSIS, PARETO])
def test_anonymous(web, url):
    response = web.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("url", "model"), [(ANALYSIS, QualityReport), (PARETO, NonConformance)])
def test_without_permission(web, url, model):
    web.force_login(user_with(model, ["view"]))  # the other page's permission
    assert web.get(url).status_code == 403


def test_analysis_page(web):
    # Given two open NCRs (one 40 days old), a closed one and another customer's
    company = customer_company()
    opened(0, customer=company, severity="critical")
    opened(40, customer=company, severity="minor")
    closed = opened(3, customer=company)
    NonConformance._base_manager.filter(pk=closed.pk).update(
        status=NonConformanceStatusChoices.CLOSED, closed_at=timezone.now(), disposition="scrap"
    )
    opened(1, customer=customer_company())
    # When a customer of the company opens the analysis
    web.force_login(customer_of(company, NonConformance, ["view"]))
    response = web.get(ANALYSIS)
    # Then the figures are those of the company's NCRs only
    assert response.status_code == 200
    context = response.context
    assert len(context["trend"]) == 26
    assert sum(week.created for week in context["trend"]) == 3
    assert sum(week.closed for week in context["trend"]) == 1
    assert [row.total for row in context["ageing"]] == [1, 0, 1, 0]
    assert {share.value: share.count for share in context["dispositions"]}[DispositionChoices.SCRAP] == 1
    html = response.content.decode()
    assert html.count("<svg") >= 3 and "Open NCRs by age and severity" in html


def test_analysis_filters(web):
    line = factories.shop()
    opened(2, part_type=line.part_type)
    opened(2)
    opened(60, part_type=line.part_type)
    web.force_login(grant(user_with(NonConformance, ["view"]), "production.view_parttype"))
    today = timezone.localdate()
    response = web.get(
        ANALYSIS,
        {"part_type": line.part_type.pk, "date_from": (today - datetime.timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 200
    assert [row.total for row in response.context["ageing"]] == [1, 0, 0, 0]
    # The trend runs from the week of the start of the range.
    assert len(response.context["trend"]) in (2, 3)
    bad = web.get(
        ANALYSIS,
        {"date_from": today.isoformat(), "date_to": (today - datetime.timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 200 and "The end of the range is before its start." in bad.content.decode()


def test_pareto_page(web):
    line = factories.shop()
    factories.make_report(diameter=25.2, defects=[{"error_type": line.scratch.pk, "quantity": 3}])
    factories.make_report(diameter=25.3, surface=False)
    elsewhere = factories.shop(customer_company())
    factories.make_report(elsewhere.part_type.customer, diameter=25.3)
    web.force_login(grant(user_with(QualityReport, ["view"]), "production.view_parttype"))
    response = web.get(PARETO, {"part_type": line.part_type.pk})
    assert response.status_code == 200
    defects = response.context["defects"]
    assert [(row.label, row.count, row.cumulative_percent) for row in defects] == [("SCR Scratch", 3, 100.0)]
    characteristics = response.context["characteristics"]
    assert [(row.label, row.count) for row in characteristics] == [
        ("C1 Bore diameter", 2),
        ("C2 Surface finish", 1),
    ]
    html = response.content.decode()
    assert "<svg" in html and "66.7%" in html and "100.0%" in html


def test_pareto_is_scoped(web):
    company = customer_company()
    theirs = factories.shop(company)
    factories.make_report(company, defects=[{"error_type": theirs.scratch.pk}])
    factories.make_report(customer_company(), diameter=25.3)
    web.force_login(customer_of(company, QualityReport, ["view"]))
    response = web.get(PARETO)
    assert [(row.label, row.count) for row in response.context["defects"]] == [("SCR Scratch", 1)]
    assert response.context["characteristics"] == []
