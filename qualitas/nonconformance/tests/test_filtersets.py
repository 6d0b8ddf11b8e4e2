"""The NCR FilterSets, through the generic filterset tests."""

import datetime

from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.inspections.tests import factories
from qualitas.nonconformance.filtersets import NonConformanceFilterSet, ReworkAttemptFilterSet
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.records import customer_company


def day(days_back):
    return (timezone.localdate() - datetime.timedelta(days=days_back)).isoformat()


class TestNonConformanceFilterSet(FilterSetTests):
    filterset = NonConformanceFilterSet

    def make_records(self):
        self.line = factories.shop()
        self.supplier = make_company(name="Cast Iron Ltd", kind=CompanyKindChoices.SUPPLIER)
        self.customer = customer_company(name="Acme Pumps")
        self.engineer = make_user(full_name="Quinn Engineer")
        failed = factories.make_report(diameter=25.2)
        inspection = failed.nonconformances.get()
        decided_at = timezone.now() - datetime.timedelta(days=20)
        NonConformance._base_manager.filter(pk=inspection.pk).update(
            disposition="rework",
            rework_step=self.line.operation,
            disposition_decided_by=self.engineer,
            disposition_decided_at=decided_at,
            is_escalated=True,
            concession_reference="DEV-114",
            status="disposition_decided",
        )
        supplier = factories.make_ncr(
            title="Porous castings",
            source="supplier",
            severity="critical",
            supplier=self.supplier,
            quantity=12,
            assignee=self.engineer,
            description="Blow holes after machining",
        )
        complaint = factories.make_ncr(
            self.customer, title="Leak at the customer", source="customer", severity="minor"
        )
        NonConformance._base_manager.filter(pk=complaint.pk).update(
            status="closed", closed_at=timezone.now(), disposition="scrap"
        )
        return {"inspection": inspection, "supplier": supplier, "complaint": complaint}

    def cases(self, records):
        inspection = NonConformance.objects.get(pk=records["inspection"].pk)
        return [
            ({"q": "blow holes"}, ["supplier"]),
            ({"q": inspection.part.serial_number}, ["inspection"]),
            ({"number": records["complaint"].number}, ["complaint"]),
            ({"title": "Porous castings"}, ["supplier"]),
            ({"status": ["open", "closed"]}, ["complaint", "supplier"]),
            ({"source": ["inspection"]}, ["inspection"]),
            ({"severity": ["critical"]}, ["supplier"]),
            ({"disposition": ["rework", "scrap"]}, ["complaint", "inspection"]),
            ({"disposition": [""]}, ["supplier"]),
            ({"assignee": self.engineer.pk}, ["supplier"]),
            ({"part_type": [self.line.part_type.pk]}, ["inspection"]),
            ({"work_order": [inspection.work_order_id]}, ["inspection"]),
            ({"supplier": [self.supplier.pk]}, ["supplier"]),
            ({"customer": [self.customer.pk]}, ["complaint"]),
            ({"is_escalated": True}, ["inspection"]),
            ({"part": inspection.part_id}, ["inspection"]),
            ({"serial_number": inspection.part.serial_number}, ["inspection"]),
            ({"quality_report": inspection.quality_report_id}, ["inspection"]),
            ({"step": self.line.inspection.pk}, ["inspection"]),
            ({"rework_step": self.line.operation.pk}, ["inspection"]),
            ({"quantity": 12}, ["supplier"]),
            ({"concession_reference": "DEV-114"}, ["inspection"]),
            ({"disposition_decided_by": self.engineer.pk}, ["inspection"]),
            ({"decided_after": day(30), "decided_before": day(10)}, ["inspection"]),
            ({"decided_after": day(5)}, []),
            ({"closed_after": day(1)}, ["complaint"]),
            ({"closed_before": day(1)}, []),
        ]


class TestReworkAttemptFilterSet(FilterSetTests):
    filterset = ReworkAttemptFilterSet

    def make_records(self):
        self.line = factories.shop()
        first = factories.make_rework_attempt()
        second = factories.make_rework_attempt(
            part=first.part, nonconformance=first.nonconformance, attempt=2, outcome="failed"
        )
        ReworkAttempt._base_manager.filter(pk=second.pk).update(
            finished_at=timezone.now(), started_at=timezone.now() - datetime.timedelta(days=8)
        )
        other = factories.make_rework_attempt(step=self.line.inspection, outcome="passed")
        return {"first": first, "second": second, "other": other}

    def cases(self, records):
        first = records["first"]
        return [
            ({"q": first.nonconformance.number}, ["first", "second"]),
            ({"part": first.part_id}, ["first", "second"]),
            ({"serial_number": records["other"].part.serial_number}, ["other"]),
            ({"step": self.line.inspection.pk}, ["other"]),
            ({"nonconformance": first.nonconformance_id}, ["first", "second"]),
            ({"attempt": 2}, ["second"]),
            ({"outcome": ["failed", "passed"]}, ["other", "second"]),
            ({"started_after": day(3)}, ["first", "other"]),
            ({"started_before": day(3)}, ["second"]),
            ({"finished_after": day(1)}, ["second"]),
            ({"finished_before": day(1)}, []),
        ]
