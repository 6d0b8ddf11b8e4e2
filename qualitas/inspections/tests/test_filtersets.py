"""The inspection FilterSets, through the generic filterset tests (qualitas/testing/filtersets.py)."""

import datetime

from django.utils import timezone

from qualitas.equipment.models import Equipment
from qualitas.inspections import services
from qualitas.inspections.filtersets import (
    ErrorTypeFilterSet,
    MeasurementDefinitionFilterSet,
    MeasurementResultFilterSet,
    QualityReportFilterSet,
    ReportDefectFilterSet,
    SamplingDecisionFilterSet,
    SamplingRuleFilterSet,
    SamplingRuleSetFilterSet,
    SamplingStateFilterSet,
)
from qualitas.inspections.tests import factories
from qualitas.testing.factories import make_user
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.records import customer_company


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def day(days_back):
    return (timezone.localdate() - datetime.timedelta(days=days_back)).isoformat()


class TestMeasurementDefinitionFilterSet(FilterSetTests):
    filterset = MeasurementDefinitionFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.other = factories.make_routing(factories.make_part_type())
        length = factories.make_definition(
            self.other.steps.get(name="Turning"),
            name="Length",
            code="L1",
            unit="µm",
            nominal=None,
            lower_tolerance=None,
            upper_tolerance=None,
            lower_limit=10,
            upper_limit=20,
            decimals=1,
            is_required=False,
            sequence=5,
            classification="critical",
            method="Height gauge",
        )
        return {"bore": self.line.diameter, "surface": self.line.surface, "length": length}

    def cases(self, records):
        return [
            ({"q": "bore"}, ["bore"]),
            ({"q": "µm"}, ["length"]),
            ({"q": "height gauge"}, ["length"]),
            ({"part_type": [self.line.part_type.pk]}, ["bore", "surface"]),
            ({"process": [self.other.pk]}, ["length"]),
            ({"step": records["length"].step_id}, ["length"]),
            ({"kind": ["attribute"]}, ["surface"]),
            ({"classification": ["critical", "minor"]}, ["length", "surface"]),
            ({"name": "Length"}, ["length"]),
            ({"code": "C1"}, ["bore"]),
            ({"unit": "mm"}, ["bore"]),
            ({"nominal": 25}, ["bore"]),
            ({"lower_tolerance": -0.05}, ["bore"]),
            ({"upper_tolerance": 0.05}, ["bore"]),
            ({"lower_limit": 10}, ["length"]),
            ({"upper_limit": 20}, ["length"]),
            ({"decimals": 1}, ["length"]),
            ({"is_required": False}, ["length"]),
            ({"sequence": 20}, ["surface"]),
            ({"kind": ["numeric"], "part_type": [self.line.part_type.pk]}, ["bore"]),
        ]


class TestErrorTypeFilterSet(FilterSetTests):
    filterset = ErrorTypeFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.other = factories.make_part_type()
        return {
            "scratch": self.line.scratch,
            "contamination": factories.make_error_type(
                None, code="GEN", name="Contamination", classification="critical", description="Oil or chips"
            ),
            "burr": factories.make_error_type(self.other, code="BUR", name="Burr", classification="minor"),
        }

    def cases(self, records):
        return [
            ({"q": "oil"}, ["contamination"]),
            ({"q": "bur"}, ["burr"]),
            ({"part_type": [self.other.pk]}, ["burr"]),
            ({"any_part_type": True}, ["contamination"]),
            ({"any_part_type": False}, ["burr", "scratch"]),
            ({"classification": ["critical", "minor"]}, ["burr", "contamination"]),
            ({"code": "SCR"}, ["scratch"]),
            ({"name": "Burr"}, ["burr"]),
        ]


class TestQualityReportFilterSet(FilterSetTests):
    filterset = QualityReportFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.gauge = Equipment.objects.create(identifier="CAL-0042", name="Bore gauge")
        self.inspector = make_user(full_name="Ines Pector")
        self.elsewhere = factories.shop(customer_company())
        passed = services.record_report(
            factories.at_step(factories.make_part(), self.line.inspection),
            self.line.inspection,
            factories.factory_user(),
            results=factories.report_results(self.line),
            equipment=self.gauge,
            notes="First off",
            inspected_at=days_ago(10),
        )
        failed = factories.make_report(diameter=25.2, inspector=factories.factory_user())
        failed.inspector = self.inspector
        failed.save()
        other = factories.make_report(self.elsewhere.part_type.customer)
        return {"passed": passed, "failed": failed, "other": other}

    def cases(self, records):
        passed, failed, other = records["passed"], records["failed"], records["other"]
        return [
            ({"q": passed.number}, ["passed"]),
            ({"q": "first off"}, ["passed"]),
            ({"q": failed.part.serial_number}, ["failed"]),
            ({"number": other.number}, ["other"]),
            ({"status": ["fail"]}, ["failed"]),
            ({"status": ["pass", "pending"]}, ["other", "passed"]),
            ({"part": failed.part_id}, ["failed"]),
            ({"serial_number": failed.part.serial_number.lower()}, ["failed"]),
            ({"part_type": [self.elsewhere.part_type.pk]}, ["other"]),
            ({"step": self.line.inspection.pk}, ["failed", "passed"]),
            ({"work_order": [passed.work_order_id, other.work_order_id]}, ["other", "passed"]),
            ({"inspector": self.inspector.pk}, ["failed"]),
            ({"equipment": [self.gauge.pk]}, ["passed"]),
            ({"inspected_after": day(5)}, ["failed", "other"]),
            ({"inspected_before": day(5)}, ["passed"]),
        ]


class TestMeasurementResultFilterSet(FilterSetTests):
    filterset = MeasurementResultFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.elsewhere = factories.shop(customer_company())
        self.passed = factories.make_report()
        self.failed = factories.make_report(diameter=25.2, surface=False)
        other = factories.make_report(self.elsewhere.part_type.customer)
        self.passed.results.update(recorded_at=days_ago(10))
        return {
            "passed_bore": self.passed.results.get(definition=self.line.diameter),
            "passed_surface": self.passed.results.get(definition=self.line.surface),
            "failed_bore": self.failed.results.get(definition=self.line.diameter),
            "failed_surface": self.failed.results.get(definition=self.line.surface),
            "other_bore": other.results.get(definition=self.elsewhere.diameter),
        }

    def cases(self, records):
        return [
            ({"q": "surface"}, ["failed_surface", "passed_surface"]),
            ({"q": self.failed.number}, ["failed_bore", "failed_surface"]),
            ({"report": self.failed.pk}, ["failed_bore", "failed_surface"]),
            ({"definition": [self.line.diameter.pk]}, ["failed_bore", "passed_bore"]),
            ({"part_type": [self.elsewhere.part_type.pk]}, ["other_bore"]),
            ({"value_min": 25.1}, ["failed_bore"]),
            ({"value_max": 25.05}, ["other_bore", "passed_bore"]),
            ({"attribute_ok": False}, ["failed_surface"]),
            ({"is_pass": False}, ["failed_bore", "failed_surface"]),
            ({"recorded_after": day(5), "definition": [self.line.diameter.pk]}, ["failed_bore"]),
            ({"recorded_before": day(5)}, ["passed_bore", "passed_surface"]),
        ]


class TestReportDefectFilterSet(FilterSetTests):
    filterset = ReportDefectFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.elsewhere = factories.shop(customer_company())
        self.dent = factories.make_error_type(None, code="DNT", name="Dent")
        self.first = factories.make_report(
            defects=[
                {"error_type": self.line.scratch.pk, "location": "Flange face", "quantity": 3},
                {"error_type": self.dent.pk, "note": "From the fixture"},
            ]
        )
        other = factories.make_report(
            self.elsewhere.part_type.customer, defects=[{"error_type": self.elsewhere.scratch.pk}]
        )
        return {
            "scratch": self.first.defects.get(error_type=self.line.scratch),
            "dent": self.first.defects.get(error_type=self.dent),
            "other": other.defects.get(),
        }

    def cases(self, records):
        return [
            ({"q": "fixture"}, ["dent"]),
            ({"q": "dent"}, ["dent"]),
            ({"report": self.first.pk}, ["dent", "scratch"]),
            ({"error_type": [self.line.scratch.pk, self.elsewhere.scratch.pk]}, ["other", "scratch"]),
            ({"part_type": [self.elsewhere.part_type.pk]}, ["other"]),
            ({"location": "flange"}, ["scratch"]),
            ({"quantity": 3}, ["scratch"]),
        ]


class TestSamplingRuleSetFilterSet(FilterSetTests):
    filterset = SamplingRuleSetFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.elsewhere = factories.shop(customer_company())
        strict = factories.make_rule_set(name="Every part", priority=200, description="After escapes")
        normal = factories.make_rule_set(
            name="Every 10th",
            process=self.line.process,
            priority=10,
            fallback=strict,
            fallback_threshold=2,
            fallback_window=20,
            fallback_parts=30,
            fallback_hours=8,
        )
        other = factories.make_rule_set(
            self.elsewhere.part_type.customer, name="Their sampling", is_active=False
        )
        return {"strict": strict, "normal": normal, "other": other}

    def cases(self, records):
        return [
            ({"q": "escapes"}, ["strict"]),
            ({"q": "10th"}, ["normal"]),
            ({"name": "Their sampling"}, ["other"]),
            ({"part_type": [self.elsewhere.part_type.pk]}, ["other"]),
            ({"process": [self.line.process.pk]}, ["normal"]),
            ({"step": self.line.inspection.pk}, ["normal", "strict"]),
            ({"fallback": records["strict"].pk}, ["normal"]),
            ({"priority": 200}, ["strict"]),
            ({"is_active": False}, ["other"]),
            ({"fallback_threshold": 2}, ["normal"]),
            ({"fallback_window": 20}, ["normal"]),
            ({"fallback_parts": 30}, ["normal"]),
            ({"fallback_hours": 8}, ["normal"]),
        ]


class TestSamplingRuleFilterSet(FilterSetTests):
    filterset = SamplingRuleFilterSet

    def make_records(self):
        self.rule_set = factories.make_rule_set()
        other_set = factories.make_rule_set(name="Other")
        return {
            "every": factories.make_rule(rule_set=self.rule_set, kind="every_nth", n=5, sequence=10),
            "first": factories.make_rule(
                rule_set=self.rule_set, kind="first_n_then_every_m", n=3, m=20, sequence=20
            ),
            "random": factories.make_rule(rule_set=other_set, kind="percentage", n=None, percentage=12.5),
        }

    def cases(self, records):
        return [
            ({"q": "other"}, ["random"]),
            ({"rule_set": [self.rule_set.pk]}, ["every", "first"]),
            ({"kind": ["percentage", "every_nth"]}, ["every", "random"]),
            ({"n": 3}, ["first"]),
            ({"m": 20}, ["first"]),
            ({"percentage": 12.5}, ["random"]),
            ({"sequence": 20}, ["first"]),
        ]


class TestSamplingStateFilterSet(FilterSetTests):
    filterset = SamplingStateFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.normal = factories.make_rule_set(name="Normal")
        self.strict = factories.make_rule_set(name="Strict")
        steady = factories.make_sampling_state(rule_set=self.normal)
        tightened = factories.make_sampling_state(rule_set=self.normal)
        tightened.active_rule_set = self.strict
        tightened.in_fallback = True
        tightened.fallback_started_at = days_ago(3)
        tightened.save()
        other = factories.make_sampling_state(rule_set=self.strict)
        other.fallback_started_at = days_ago(20)
        other.save()
        return {"steady": steady, "tightened": tightened, "other": other}

    def cases(self, records):
        return [
            ({"q": "strict"}, ["other", "tightened"]),
            ({"q": records["steady"].work_order.number}, ["steady"]),
            ({"work_order": [records["steady"].work_order_id]}, ["steady"]),
            ({"step": self.line.inspection.pk}, ["other", "steady", "tightened"]),
            ({"rule_set": [self.normal.pk]}, ["steady", "tightened"]),
            ({"active_rule_set": [self.strict.pk]}, ["other", "tightened"]),
            ({"in_fallback": True}, ["tightened"]),
            ({"fallback_started_after": day(10)}, ["tightened"]),
            ({"fallback_started_before": day(10)}, ["other"]),
        ]


class TestSamplingDecisionFilterSet(FilterSetTests):
    filterset = SamplingDecisionFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.rule_set = factories.make_rule_set()
        self.rule = factories.make_rule(rule_set=self.rule_set)
        self.other_set = factories.make_rule_set(name="Strict")
        work_order = factories.make_work_order(quantity=2)
        first, second = work_order.parts.order_by("serial_number")
        return {
            "first": factories.make_decision(
                part=first, rule_set=self.rule_set, rule=self.rule, sequence=1, reason="First part"
            ),
            "second": factories.make_decision(
                part=second, rule_set=self.rule_set, sequence=2, must_inspect=False, reason="Skipped: 2 of 5"
            ),
            "late": factories.make_decision(
                rule_set=self.other_set, sequence=3, in_fallback=True, decided_at=days_ago(10)
            ),
        }

    def cases(self, records):
        first, late = records["first"], records["late"]
        return [
            ({"q": "skipped"}, ["second"]),
            ({"part": first.part_id}, ["first"]),
            ({"serial_number": late.part.serial_number}, ["late"]),
            ({"step": self.line.inspection.pk}, ["first", "late", "second"]),
            ({"work_order": [first.work_order_id]}, ["first", "second"]),
            ({"rule_set": [self.other_set.pk]}, ["late"]),
            ({"rule": [self.rule.pk]}, ["first"]),
            ({"decided_after": day(5)}, ["first", "second"]),
            ({"decided_before": day(5)}, ["late"]),
            ({"sequence": 2}, ["second"]),
            ({"must_inspect": False}, ["second"]),
            ({"in_fallback": True}, ["late"]),
        ]
