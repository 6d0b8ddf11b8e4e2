"""JobFilterSet through the generic filterset tests (the list page and the API share it)."""

from datetime import timedelta

from django.utils import timezone

from qualitas.core.choices import JobStatusChoices
from qualitas.core.filtersets import JobFilterSet
from qualitas.core.service_models import Job
from qualitas.core.tests import job_kinds  # noqa: F401  (the kinds the filter offers)
from qualitas.core.tests.job_factories import make_job
from qualitas.testing.factories import make_user
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.testapp.models import Widget


class TestJobFilterSet(FilterSetTests):
    filterset = JobFilterSet

    def make_records(self):
        now = timezone.now()
        self.ada, self.bob = make_user(full_name="Ada"), make_user(full_name="Bob")
        self.bracket, self.hinge = Widget.objects.create(name="Bracket"), Widget.objects.create(name="Hinge")
        pack = make_job(
            started_by=self.ada,
            obj=self.bracket,
            status=JobStatusChoices.SUCCEEDED,
            label="Inspection pack",
            kind="tests.count",
            progress=100,
            message="Finished",
            log="Rendered 12 pages\n",
            params={"sections": ["history"]},
            result=b"%PDF-1.7 pack",
            attempts=1,
            started_at=now,
            heartbeat=now - timedelta(hours=2),
            dispatched=now,
        )
        Job.objects.filter(pk=pack.pk).update(result_name="pack.pdf", result_type="application/pdf")
        failed = make_job(
            started_by=self.bob,
            status=JobStatusChoices.FAILED,
            label="Supplier import",
            kind="tests.fail",
            progress=40,
            message="Reading rows",
            log="Row 7 is invalid\n",
            params={"file": "suppliers.csv"},
            error="ValueError: row 7",
            attempts=2,
            started_at=now - timedelta(days=3),
            heartbeat=now,
            dispatched=now,
        )
        Job.objects.filter(pk=failed.pk).update(finished_at=now - timedelta(days=3))
        waiting = make_job(
            started_by=self.ada, obj=self.hinge, label="Mock recall", kind="tests.wait_for_marker"
        )
        return {"pack": pack, "import": failed, "waiting": waiting}

    def cases(self, records):
        today = timezone.localdate()
        return [
            ({"q": "pack"}, ["pack"]),
            ({"q": "hinge"}, ["waiting"]),
            ({"q": "reading rows"}, ["import"]),
            ({"kind": ["tests.count", "tests.fail"]}, ["import", "pack"]),
            ({"label": "recall"}, ["waiting"]),
            ({"status": ["failed", "queued"]}, ["import", "waiting"]),
            ({"started_by": self.ada.pk}, ["pack", "waiting"]),
            ({"record": f"testapp.widget:{self.hinge.pk}"}, ["waiting"]),
            ({"record": f"testapp.nothing:{self.hinge.pk}"}, []),
            ({"content_type": "testapp.widget"}, ["pack", "waiting"]),
            ({"object_id": str(self.bracket.pk), "content_type": "testapp.widget"}, ["pack"]),
            ({"object_repr": "bracket"}, ["pack"]),
            ({"progress": "40"}, ["import", "pack"]),
            ({"message": "finished"}, ["pack"]),
            ({"log": "row 7"}, ["import"]),
            ({"params": "suppliers.csv"}, ["import"]),
            ({"has_result": "true"}, ["pack"]),
            ({"has_result": "false"}, ["import", "waiting"]),
            ({"result_name": "pack.pdf"}, ["pack"]),
            ({"result_type": "application/pdf"}, ["pack"]),
            ({"result_size": "5"}, ["pack"]),
            ({"result_size": "5000"}, []),
            ({"attempts": "2"}, ["import"]),
            ({"error": "row 7"}, ["import"]),
            ({"started_after": today.isoformat()}, ["pack"]),
            ({"finished_before": (today - timedelta(days=1)).isoformat()}, ["import"]),
            ({"heartbeat_before": (timezone.now() - timedelta(hours=1)).isoformat()}, ["pack"]),
            ({"dispatched": "true"}, ["import", "pack"]),
            ({"dispatched": "false"}, ["waiting"]),
        ]
