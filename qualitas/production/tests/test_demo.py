"""The demo manufacturing line (`seed_demo`): the UI looks alive on first run, and a second run
changes nothing."""

import pytest
from django.core.management import call_command

from qualitas.core.models import ObjectChange
from qualitas.nonconformance.choices import NonConformanceStatusChoices
from qualitas.nonconformance.models import NonConformance
from qualitas.production import demo
from qualitas.production.models import Part, PartType, WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_line_has_parts_and_ncrs_in_every_state_and_is_made_once():
    call_command("seed_demo", stdout=None)

    assert sorted(PartType.objects.values_list("part_number", flat=True)) == ["PS-200", "VB-100"]
    assert WorkOrder.objects.count() == 3 and Part.objects.count() == 250
    statuses = set(Part.objects.values_list("status", flat=True))
    assert {"pending", "in_progress", "awaiting_qa", "quarantined", "rework_needed", "completed"} <= statuses
    assert set(NonConformance.objects.values_list("status", flat=True)) == set(
        NonConformanceStatusChoices.values()
    )
    # Every quarantined part is held by an open NCR.
    for part in Part.objects.filter(status="quarantined"):
        assert part.nonconformances.filter(status__in=NonConformanceStatusChoices.ACTIVE).exists()

    entries = ObjectChange.objects.count()
    assert demo.seed() is False
    assert ObjectChange.objects.count() == entries
