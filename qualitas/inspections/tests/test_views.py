"""The inspection pages, through the generic view tests (qualitas/testing/views.py), the rules the
forms add, and the sampling analytics page."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from qualitas.inspections import sampling
from qualitas.inspections.models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    ReportDefect,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
)
from qualitas.inspections.tests import factories
from qualitas.testing.records import WriteCheck, customer_company, customer_of, permission, user_with
from qualitas.testing.views import (
    ArchiveViewTests,
    DetailViewTests,
    EditViewTests,
    ExportViewTests,
    HistoryViewTests,
    ListViewTests,
    ModelViewTests,
    ReadOnlyModelViewTests,
    ReadOnlyPagesTests,
    posted,
)


class TestMeasurementDefinitionViews(ModelViewTests):
    model = MeasurementDefinition

    @pytest.fixture(autouse=True)
    def _shop(self, db):
        # Made before the test counts the rows: the shop has definitions and error types of its own.
        factories.shop()

    update_form_data = {"method": "Bore gauge, three depths", "upper_tolerance": "0.08"}

    def get_form_data(self):
        data = {
            "step": factories.shop().inspection.pk,
            "name": "Wall thickness",
            "code": "C7",
            "kind": "numeric",
            "classification": "critical",
            "unit": "mm",
            "nominal": "3.0",
            "lower_tolerance": "-0.1",
            "upper_tolerance": "0.1",
            "decimals": "2",
            "sequence": "30",
            "is_required": True,
        }
        return {name: posted(value) for name, value in data.items()}

    def make_object(self, company=None):
        return factories.make_definition(factories.shop(company).inspection)

    def test_the_limits_are_checked(self):
        data = self.get_form_data()
        self.login("view", "add")
        check = WriteCheck(self.model)
        cases = [
            ({"unit": ""}, "Give the unit the characteristic is measured in"),
            (
                {"nominal": "", "lower_tolerance": "", "upper_tolerance": ""},
                "Give at least one limit: the nominal with a tolerance, or a lower or upper specification limit.",
            ),
            (
                {"lower_limit": "3.2", "upper_limit": "3.1"},
                "The lower limit (3.2) must be below the upper limit (3.1).",
            ),
            (
                {"kind": "attribute", "unit": ""},
                "An attribute check is passed or failed: it has no nominal or limits.",
            ),
        ]
        for changes, message in cases:
            response = self.client.post(self.url("add"), {**data, **changes})
            self.assert_shows_error(response, escape(message))
        check.assert_nothing_written()

    def test_steps_are_named_with_their_routing(self):
        line = factories.shop()
        self.login("view", "add")
        response = self.client.get(self.url("add"))
        assert f"{line.process.number} v1 {line.process.name} · Final inspection" in response.content.decode()


class TestErrorTypeViews(ModelViewTests):
    model = ErrorType

    @pytest.fixture(autouse=True)
    def _shop(self, db):
        # Made before the test counts the rows: the shop has definitions and error types of its own.
        factories.shop()

    update_form_data = {"description": "Visible without magnification", "classification": "minor"}

    def get_form_data(self):
        data = {
            "part_type": factories.shop().part_type.pk,
            "code": "POR",
            "name": "Porosity",
            "classification": "major",
        }
        return {name: posted(value) for name, value in data.items()}

    def make_object(self, company=None):
        return factories.make_error_type(factories.shop(company).part_type)


class TestQualityReportViews(
    ListViewTests, DetailViewTests, EditViewTests, ArchiveViewTests, HistoryViewTests, ExportViewTests
):
    """Reports are recorded at the station and through the API: no add page; only notes change."""

    model = QualityReport
    update_form_data = {"notes": "Re-measured by the lab: confirmed"}
    invalid_form_data = {"notes": "\x00"}
    invalid_form_error = "Null characters are not allowed."

    def make_object(self, company=None):
        return factories.make_report(company)

    def test_no_add_page(self):
        with pytest.raises(NoReverseMatch):
            self.views.url("add")

    def test_detail_shows_results_defects_and_the_ncr(self):
        line = factories.shop()
        report = factories.make_report(
            diameter=25.2, defects=[{"error_type": line.scratch.pk, "location": "flange"}]
        )
        ncr = report.nonconformances.get()
        user = self.login("view")
        user.user_permissions.add(
            *(
                permission(None, name)
                for name in (
                    "inspections.view_measurementresult",
                    "inspections.view_reportdefect",
                    "nonconformance.view_nonconformance",
                )
            )
        )
        response = self.client.get(self.url("detail", report))
        html = response.content.decode()
        assert response.status_code == 200
        assert "C1 Bore diameter" in html and "25.2" in html and "C2 Surface finish" in html
        assert "SCR Scratch" in html and "flange" in html
        assert ncr.number in html and escape(ncr.title) in html

    def test_related_panels_are_scoped(self):
        report = factories.make_report(diameter=25.2)
        ncr = report.nonconformances.get()
        self.login("view")  # no permission on results or NCRs
        html = self.client.get(self.url("detail", report)).content.decode()
        assert ncr.number not in html and "C1 Bore diameter" not in html


class TestMeasurementResultViews(ReadOnlyModelViewTests):
    model = MeasurementResult

    def make_object(self, company=None):
        return factories.make_report(company).results.order_by("pk").first()


class TestReportDefectViews(ReadOnlyModelViewTests):
    model = ReportDefect

    def make_object(self, company=None):
        scratch = factories.shop(company).scratch
        return factories.make_report(company, defects=[{"error_type": scratch.pk}]).defects.get()


class TestSamplingRuleSetViews(ModelViewTests):
    model = SamplingRuleSet
    update_form_data = {"priority": "5", "description": "Tightened after the March escapes"}

    def get_form_data(self):
        line = factories.shop()
        data = {
            "name": "Every 10th bore",
            "part_type": line.part_type.pk,
            "process": line.process.pk,
            "step": line.inspection.pk,
            "priority": "20",
            "is_active": True,
            "fallback_window": "50",
        }
        return {name: posted(value) for name, value in data.items()}

    def make_object(self, company=None):
        return factories.make_rule_set(company)

    def test_the_step_must_be_of_the_routing(self):
        other = factories.make_routing(factories.make_part_type())
        data = {**self.get_form_data(), "step": str(other.steps.get(name="Turning").pk)}
        self.login("view", "add")
        check = WriteCheck(self.model)
        response = self.client.post(self.url("add"), data)
        self.assert_shows_error(response, escape(f"“Turning” is not a step of {factories.shop().process}."))
        check.assert_nothing_written()


class TestSamplingRuleViews(ModelViewTests):
    model = SamplingRule
    update_form_data = {"n": "10", "sequence": "20"}

    def get_form_data(self):
        return {
            "rule_set": str(factories.make_rule_set().pk),
            "kind": "every_nth",
            "n": "5",
            "sequence": "10",
        }

    def make_object(self, company=None):
        return factories.make_rule(company)

    def test_kind_needs_its_numbers(self):
        data = {**self.get_form_data(), "kind": "percentage", "n": ""}
        self.login("view", "add")
        check = WriteCheck(self.model)
        self.assert_shows_error(
            self.client.post(self.url("add"), data), escape("“Random percentage” needs the percentage.")
        )
        check.assert_nothing_written()


class TestSamplingStateViews(ReadOnlyModelViewTests):
    model = SamplingState

    def make_object(self, company=None):
        return factories.make_sampling_state(company)


class TestSamplingDecisionViews(ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """The decision log is append-only: no history or edit pages."""

    model = SamplingDecision

    def make_object(self, company=None):
        return factories.make_decision(company)

    def test_list_links_to_the_decision(self):
        decision = self.make_object()
        self.login("view")
        html = self.client.get(self.url("list")).content.decode()
        assert f'href="{self.url("detail", decision)}"' in html


# --- Sampling analytics -------------------------------------------------------------------------

ANALYTICS_URL = "/inspections/sampling/analytics/"


@pytest.fixture
def web(db):
    return Client()


def test_analytics_url():
    assert reverse("inspections:sampling_analytics") == ANALYTICS_URL


def test_analytics_anonymous(web):
    response = web.get(ANALYTICS_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_analytics_without_permission(web):
    web.force_login(user_with(QualityReport, ["view"]))
    assert web.get(ANALYTICS_URL).status_code == 403


@pytest.mark.skipif(
    not hasattr(sampling, "analytics"), reason="inspections.sampling.analytics is not written yet"
)
def test_analytics_shows_each_rule_set_the_user_may_see(web):
    # Given a rule set "every 2nd part" at the inspection step, four parts decided on arrival, the
    # two that must be inspected inspected (one fails), and another customer's rule set
    line = factories.shop()
    rule_set = factories.make_rule_set(name="Every 2nd bore")
    factories.make_rule(rule_set=rule_set, kind="every_nth", n=2)
    parts = list(factories.make_work_order(quantity=4).parts.order_by("serial_number"))
    decisions = [sampling.decide(part, line.inspection) for part in parts]
    inspected = [part for part, decision in zip(parts, decisions, strict=True) if decision.must_inspect]
    for index, part in enumerate(inspected):
        factories.make_report(part=part, diameter=25.2 if index == 0 else 25.0)
    elsewhere = factories.make_rule_set(customer_company(), name="Their sampling")
    user = user_with(SamplingRuleSet, ["view"])
    web.force_login(user)
    # When the page is opened
    response = web.get(ANALYTICS_URL)
    # Then it shows what the sampling engine counts, for every rule set the user may see
    assert response.status_code == 200
    rows = {row.rule_set.pk: row for row in response.context["rows"]}
    expected = {
        row.rule_set.pk: row for row in sampling.analytics(SamplingRuleSet.objects.filter(pk=rule_set.pk))
    }
    assert rows[rule_set.pk] == expected[rule_set.pk]
    row = rows[rule_set.pk]
    assert (row.decisions, row.required, row.done, row.defects) == (4, len(inspected), len(inspected), 1)
    html = response.content.decode()
    assert "Every 2nd bore" in html and "100%" in html
    # A customer sees only the rule sets of their own part types.
    company = elsewhere.part_type.customer
    web.force_login(customer_of(company, SamplingRuleSet, ["view"]))
    names = [row.rule_set.name for row in web.get(ANALYTICS_URL).context["rows"]]
    assert names == ["Their sampling"]
