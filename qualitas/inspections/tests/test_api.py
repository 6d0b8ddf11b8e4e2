"""The inspection API, through the generic API tests (qualitas/testing/api.py), and the rules the
serializers add: a definition's limits, a rule set's routing and fallback, a rule's numbers."""

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
from qualitas.testing.api import (
    APITests,
    ArchiveObjectTests,
    ExportTests,
    GetObjectTests,
    ListObjectsTests,
    ReadOnlyAPITests,
    UpdateObjectTests,
    assert_error,
)
from qualitas.testing.records import WriteCheck


class TestMeasurementDefinitionAPI(APITests):
    model = MeasurementDefinition
    update_data = {"method": "Bore gauge, three depths", "is_required": False, "upper_tolerance": 0.08}

    def get_create_data(self):
        return {
            "step": factories.shop().inspection.pk,
            "name": "Wall thickness",
            "code": "C7",
            "kind": "numeric",
            "classification": "critical",
            "unit": "mm",
            "nominal": 3.0,
            "lower_tolerance": -0.1,
            "upper_tolerance": 0.1,
        }

    def make_object(self, company=None):
        return factories.make_definition(factories.shop(company).inspection)

    def post(self, **changes):
        data = {**self.get_create_data(), **changes}
        return self.client.post(self.list_url(), data, format="json")

    def test_numeric_needs_a_unit_and_a_limit(self):
        factories.shop()
        self.login("view", "add")
        check = WriteCheck(self.model)
        body = assert_error(self.post(unit="", nominal=None, lower_tolerance=None, upper_tolerance=None), 400)
        assert body["errors"]["unit"] == [
            "Give the unit the characteristic is measured in (mm, µm, N·m, ...)."
        ]
        assert body["errors"]["non_field_errors"] == [
            "Give at least one limit: the nominal with a tolerance, or a lower or upper specification limit."
        ]
        check.assert_nothing_written()

    def test_one_sided_limit_is_enough(self):
        self.login("view", "add")
        response = self.post(nominal=None, lower_tolerance=None, upper_tolerance=None, upper_limit=0.8)
        assert response.status_code == 201, response.json()
        assert response.json()["usl"] == 0.8 and response.json()["lsl"] is None

    def test_lower_limit_below_upper(self):
        self.login("view", "add")
        body = assert_error(self.post(lower_limit=3.2, upper_limit=3.1), 400)
        assert body["errors"] == {
            "lower_limit": ["The lower limit (3.2) must be below the upper limit (3.1)."]
        }

    def test_attribute_has_no_limits(self):
        self.login("view", "add")
        body = assert_error(
            self.post(kind="attribute", unit="", upper_tolerance=None, lower_tolerance=None), 400
        )
        assert body["errors"] == {
            "nominal": ["An attribute check is passed or failed: it has no nominal or limits."]
        }

    def test_patch_is_checked_against_the_stored_values(self):
        definition = self.make_object()  # 25 ± 0.05 mm
        self.login("view", "change")
        check = WriteCheck(self.model, definition)
        body = assert_error(
            self.client.patch(self.detail_url(definition), {"lower_limit": 25.1}, format="json"), 400
        )
        assert body["errors"] == {
            "lower_limit": ["The lower limit (25.1) must be below the upper limit (25.05)."]
        }
        check.assert_nothing_written()


class TestErrorTypeAPI(APITests):
    model = ErrorType
    update_data = {"description": "Visible without magnification", "classification": "minor"}

    def get_create_data(self):
        return {
            "part_type": factories.shop().part_type.pk,
            "code": "POR",
            "name": "Porosity",
            "classification": "major",
        }

    def make_object(self, company=None):
        return factories.make_error_type(factories.shop(company).part_type)


class TestQualityReportAPI(
    GetObjectTests, ListObjectsTests, UpdateObjectTests, ArchiveObjectTests, ExportTests
):
    """Reports are recorded by the bulk endpoint (test_bulk_api.py); here only their notes change."""

    model = QualityReport
    update_data = {"notes": "Re-measured by the lab: confirmed"}

    def make_object(self, company=None):
        return factories.make_report(company)

    def test_create_is_not_offered(self):
        line = factories.shop()
        part = factories.make_part()
        self.login("view", "add")
        check = WriteCheck(self.model)
        response = self.client.post(
            self.list_url(), {"part": part.pk, "step": line.inspection.pk}, format="json"
        )
        assert_error(response, 405)
        check.assert_nothing_written()

    def test_what_was_measured_is_not_changed(self):
        report = self.make_object()
        other = factories.make_part()
        self.login("view", "change")
        response = self.client.patch(
            self.detail_url(report), {"status": "fail", "part": other.pk, "notes": "Checked"}, format="json"
        )
        assert response.status_code == 200, response.json()
        report.refresh_from_db()
        assert (report.status, report.part_id, report.notes) == ("pass", report.part_id, "Checked")
        assert report.part_id != other.pk


class TestMeasurementResultAPI(ReadOnlyAPITests):
    model = MeasurementResult

    def make_object(self, company=None):
        return factories.make_report(company).results.order_by("pk").first()


class TestReportDefectAPI(ReadOnlyAPITests):
    model = ReportDefect

    def make_object(self, company=None):
        scratch = factories.shop(company).scratch
        report = factories.make_report(company, defects=[{"error_type": scratch.pk, "location": "flange"}])
        return report.defects.get()


class TestSamplingRuleSetAPI(APITests):
    model = SamplingRuleSet
    update_data = {"priority": 5, "description": "Tightened after the March escapes"}

    def get_create_data(self):
        line = factories.shop()
        return {
            "name": "Every 10th bore",
            "part_type": line.part_type.pk,
            "process": line.process.pk,
            "step": line.inspection.pk,
            "priority": 20,
        }

    def make_object(self, company=None):
        return factories.make_rule_set(company)

    def test_step_of_another_routing(self):
        other = factories.make_routing(factories.make_part_type())
        data = {**self.get_create_data(), "step": other.steps.get(name="Final inspection").pk}
        self.login("view", "add")
        check = WriteCheck(self.model)
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert body["errors"] == {
            "step": [f"“Final inspection” is not a step of {factories.shop().process}."]
        }
        check.assert_nothing_written()

    def test_fallback_needs_its_threshold(self):
        strict = factories.make_rule_set(name="100 %")
        self.login("view", "add")
        data = {**self.get_create_data(), "fallback": strict.pk}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert body["errors"] == {
            "fallback_threshold": ["Give the number of defective parts that switches to the fallback."]
        }
        data["fallback_threshold"] = 2
        assert self.client.post(self.list_url(), data, format="json").status_code == 201


class TestSamplingRuleAPI(APITests):
    model = SamplingRule
    update_data = {"n": 10, "sequence": 20}

    def get_create_data(self):
        return {"rule_set": factories.make_rule_set().pk, "kind": "every_nth", "n": 5}

    def make_object(self, company=None):
        return factories.make_rule(company)

    def test_kind_needs_its_numbers(self):
        self.login("view", "add")
        data = {"rule_set": factories.make_rule_set().pk, "kind": "first_n_then_every_m", "n": 5}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert body["errors"] == {"m": ["“First N parts, then every Mth” needs M."]}


class TestSamplingStateAPI(ReadOnlyAPITests):
    model = SamplingState

    def make_object(self, company=None):
        return factories.make_sampling_state(company)


class TestSamplingDecisionAPI(ReadOnlyAPITests):
    model = SamplingDecision

    def make_object(self, company=None):
        return factories.make_decision(company)

    def test_writes_are_not_allowed(self):
        # The decision log has only the view permission (append-only).
        decision = self.make_object()
        self.login("view")
        for method, url in (("post", self.list_url()), ("patch", self.detail_url(decision))):
            check = WriteCheck(self.model, decision)
            assert_error(getattr(self.client, method)(url, {}, format="json"), 405)
            check.assert_nothing_written()
