"""The manufacturing quality loop, service by service: a part moves along its routing, a failed
measurement opens an NCR and quarantines the part, the disposition sends it to rework, and the
reworked part passes and completes. Then the refusals: each changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from qualitas.approvals import services as approvals
from qualitas.core.models import ObjectChange
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.inspections.models import MeasurementResult, QualityReport
from qualitas.inspections.services import record_report
from qualitas.nonconformance.actions import (
    CloseNonConformance,
    DecideDisposition,
    ImplementDisposition,
    StartReview,
)
from qualitas.nonconformance.choices import NonConformanceStatusChoices as NCRStatus
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.nonconformance.services import seed_review_board_template
from qualitas.production import services
from qualitas.production.actions import CompleteStep, MoveToStep, SignOffStep, StartStep
from qualitas.production.choices import PartStatusChoices as Status
from qualitas.production.choices import TransitionKindChoices as Kind
from qualitas.production.choices import WorkOrderStatusChoices
from qualitas.production.models import StepEdge, StepTransition
from qualitas.production.tests.line_factories import make_line, make_work_order
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    class People:
        operator = make_user("Production Operator", full_name="Olga Operator")
        inspector = make_user("QA Inspector", full_name="Ivan Inspector")
        qa = make_user("QA Manager", full_name="Quinn QA")
        board = make_user("Production Manager", full_name="Pat Production")

    return People


@pytest.fixture
def line():
    return make_line()


def run_step(part, user, **kwargs):
    StartStep(part, user).execute()
    return services.complete_and_advance(part, user, **kwargs)


def to_inspect_bore(part, line, user):
    run_step(part, user)  # Turn
    run_step(part, user)  # Mill
    assert part.current_step == line.steps["Inspect bore"] and part.status == Status.PENDING
    StartStep(part, user).execute()


def measure(part, line, user, bore, ok=True):
    return record_report(
        part,
        part.current_step,
        user,
        results=[
            {"definition": line.bore.pk, "value": bore, "unit": "mm"},
            {"definition": line.surface.pk, "attribute_ok": ok},
        ],
        equipment=line.caliper.pk,
    )


def test_a_work_order_generates_its_serialized_parts_at_the_start_step(line):
    work_order = make_work_order(line, quantity=3)

    parts = list(work_order.parts.order_by("serial_number"))
    assert [p.serial_number for p in parts] == ["VB-000001", "VB-000002", "VB-000003"]
    assert {p.current_step.name for p in parts} == {"Turn"}
    assert {p.status for p in parts} == {Status.PENDING}
    # Audited: one create entry per part.
    assert ObjectChange.objects.filter(content_type__model="part", action="create").count() == 3
    # The counter is shared by the part type's revisions: the next work order continues.
    assert make_work_order(line, quantity=1).parts.get().serial_number == "VB-000004"


def test_failed_measurement_ncr_rework_pass_and_complete(line, people):
    work_order = make_work_order(line, quantity=2)
    part = work_order.parts.order_by("serial_number").first()

    to_inspect_bore(part, line, people.operator)
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatusChoices.IN_PROGRESS

    # When the bore is out of tolerance, the report fails, an NCR opens and the part is held.
    report = measure(part, line, people.operator, 25.08)
    part.refresh_from_db()
    assert report.status == "fail"
    assert part.status == Status.QUARANTINED
    ncr = NonConformance.objects.get(quality_report=report)
    assert ncr.part == part and ncr.step == line.steps["Inspect bore"] and ncr.severity == "critical"
    assert ncr.status == NCRStatus.OPEN and ncr.number.startswith("NCR-")
    assert "Bore diameter: 25.080 mm (limits 24.950 – 25.050 mm)" in ncr.description
    assert not ncr.is_escalated

    # QA reviews and decides rework at the rework step (the "on fail" edge's target by default).
    StartReview(ncr, people.qa).execute()
    DecideDisposition(ncr, people.qa).execute(
        disposition="rework", rework_step=line.steps["Rework bore"], notes="Re-bore to size"
    )
    ImplementDisposition(ncr, people.qa).execute()
    part.refresh_from_db()
    ncr.refresh_from_db()
    assert ncr.status == NCRStatus.DISPOSITION_DONE
    assert part.status == Status.REWORK_NEEDED and part.current_step == line.steps["Rework bore"]
    attempt = ReworkAttempt.objects.get(part=part)
    assert (attempt.attempt, attempt.outcome) == (1, "pending")

    # The NCR cannot close while the rework is not done.
    with pytest.raises(TransitionNotAllowed) as refused:
        CloseNonConformance(ncr, people.qa).execute(resolution="Reworked")
    assert refused.value.blockers == ["the rework of VB-000001 at “Rework bore” is not finished"]

    # The operator reworks the part; it goes to re-inspection, passes and moves on.
    StartStep(part, people.operator).execute()
    assert part.status == Status.IN_REWORK
    services.complete_and_advance(part, people.operator)
    attempt.refresh_from_db()
    assert attempt.outcome == "pending"  # the re-inspection decides
    assert part.current_step == line.steps["Re-inspect"]
    StartStep(part, people.operator).execute()
    passed = record_report(
        part, part.current_step, people.operator, results=[{"definition": line.rebore.pk, "value": "25,01"}]
    )
    assert passed.status == "pass"
    services.complete_and_advance(part, people.operator)
    attempt.refresh_from_db()
    assert attempt.outcome == "passed"
    assert part.current_step == line.steps["Deburr"]
    run_step(part, people.operator)  # Deburr

    # Final inspection needs QA's sign-off before the part completes.
    StartStep(part, people.operator).execute()
    services.complete_and_advance(part, people.operator)
    assert part.status == Status.AWAITING_QA
    SignOffStep(part, people.inspector).execute()
    services.advance(part, people.inspector)
    part.refresh_from_db()
    assert part.status == Status.COMPLETED

    CloseNonConformance(ncr, people.qa).execute(resolution="Reworked and re-inspected: 25.01 mm")
    ncr.refresh_from_db()
    assert ncr.status == NCRStatus.CLOSED and ncr.closed_at is not None

    log = list(
        part.transitions.order_by("time", "pk").values_list("kind", "from_step__name", "to_step__name")
    )
    assert log[:6] == [
        (Kind.STARTED, "Turn", "Turn"),
        (Kind.COMPLETED_STEP, "Turn", "Turn"),
        (Kind.MOVED, "Turn", "Mill"),
        (Kind.STARTED, "Mill", "Mill"),
        (Kind.COMPLETED_STEP, "Mill", "Mill"),
        (Kind.MOVED, "Mill", "Inspect bore"),
    ]
    assert (Kind.QUARANTINED, "Inspect bore", "Inspect bore") in log
    assert (Kind.SENT_TO_REWORK, "Inspect bore", "Rework bore") in log
    assert log[-1] == (Kind.FINISHED, "Final inspection", None)
    quarantined = part.transitions.get(kind=Kind.QUARANTINED)
    assert quarantined.operator == people.operator and quarantined.outcome == "fail"


def test_moving_along_an_edge_that_does_not_exist_is_refused_and_changes_nothing(line, people):
    part = make_work_order(line, quantity=1).parts.get()
    StartStep(part, people.operator).execute()
    CompleteStep(part, people.operator).execute()
    before = (StepTransition.objects.count(), ObjectChange.objects.count())

    with pytest.raises(ValidationError) as refused:
        MoveToStep(part, people.operator).execute(step=line.steps["Deburr"].pk)

    assert "There is no edge from “Turn” to step" in refused.value.message_dict["step"][0]
    part.refresh_from_db()
    assert (part.status, part.current_step.name) == (Status.PASSED_STEP, "Turn")
    assert (StepTransition.objects.count(), ObjectChange.objects.count()) == before


def test_completing_a_step_without_its_required_measurements_is_refused(line, people):
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    record_report(
        part,
        part.current_step,
        people.operator,
        results=[{"definition": line.surface.pk, "attribute_ok": "pass"}],
    )
    before = StepTransition.objects.count()

    with pytest.raises(TransitionNotAllowed) as refused:
        CompleteStep(part, people.operator).execute()

    assert refused.value.blockers == ["required measurements not recorded: Bore diameter"]
    part.refresh_from_db()
    assert part.status == Status.IN_PROGRESS and StepTransition.objects.count() == before


@pytest.mark.parametrize(
    "result, message",
    [
        ({"value": 25.0, "unit": "in"}, "C1 Bore diameter is measured in mm, not in in."),
        ({"value": "twenty-five"}, "C1 Bore diameter: “twenty-five” is not a number."),
        ({"value": True}, "C1 Bore diameter is measured as a number, not yes / no."),
        ({"attribute_ok": True}, "C1 Bore diameter is measured as a number, not pass / fail."),
        ({"value": float("nan")}, "C1 Bore diameter: the value must be a finite number."),
    ],
)
def test_a_measurement_in_the_wrong_unit_or_type_is_refused_and_nothing_is_written(
    line, people, result, message
):
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    before = (QualityReport.objects.count(), MeasurementResult.objects.count(), ObjectChange.objects.count())

    with pytest.raises(ValidationError) as refused:
        record_report(
            part, part.current_step, people.operator, results=[{"definition": line.bore.pk, **result}]
        )

    assert refused.value.message_dict["results"] == [message]
    assert (
        QualityReport.objects.count(),
        MeasurementResult.objects.count(),
        ObjectChange.objects.count(),
    ) == before


def test_an_attribute_given_a_number_is_refused(line, people):
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    with pytest.raises(ValidationError) as refused:
        record_report(
            part, part.current_step, people.operator, results=[{"definition": line.surface.pk, "value": 3.2}]
        )
    assert refused.value.message_dict["results"] == [
        "C2 Surface finish is checked pass / fail, not measured as a number."
    ]


def test_an_edge_that_makes_a_cycle_is_refused(line, people):
    draft = services.revise_process(line.process, people.qa)
    steps = {step.name: step for step in draft.steps.all()}
    edge = StepEdge(process=draft, source=steps["Final inspection"], target=steps["Turn"])

    with pytest.raises(ValidationError) as refused:
        edge.full_clean()

    assert refused.value.message_dict["target"] == [
        "This edge would make a cycle: “Turn” → “Mill” → “Inspect bore” → “Rework bore” → “Re-inspect” "
        "→ “Deburr” → “Final inspection” → “Turn”. Model rework loops with a rework step."
    ]


def test_a_released_routing_cannot_be_edited(line):
    edge = StepEdge(process=line.process, source=line.steps["Turn"], target=line.steps["Deburr"])
    with pytest.raises(ValidationError) as refused:
        edge.full_clean()
    assert "revise it to change it" in refused.value.message_dict["process"][0]


def test_revising_copies_steps_edges_and_measurements_and_release_makes_the_old_version_obsolete(
    line, people
):
    from qualitas.production.actions import ReleaseProcess

    draft = services.revise_process(line.process, people.qa)
    assert (draft.version, draft.status, draft.number) == (2, "draft", line.process.number)
    assert draft.steps.count() == 7 and draft.edges.count() == 7
    assert sorted(draft.steps.get(name="Inspect bore").measurements.values_list("name", flat=True)) == [
        "Bore diameter",
        "Surface finish",
    ]
    ReleaseProcess(draft, people.qa).execute()
    line.process.refresh_from_db()
    draft.refresh_from_db()
    assert (line.process.status, line.process.is_current) == ("obsolete", False)
    assert (draft.status, draft.is_current) == ("released", True)


def test_use_as_is_needs_the_review_board_approval(line, people):
    seed_review_board_template()
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    ncr = NonConformance.objects.get(quality_report=measure(part, line, people.operator, 25.06))
    StartReview(ncr, people.qa).execute()
    DecideDisposition(ncr, people.qa).execute(
        disposition="use_as_is", notes="0.01 mm over: fit is not affected"
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        ImplementDisposition(ncr, people.qa).execute()
    assert refused.value.blockers == ["the material review board has not approved the disposition yet"]

    request = approvals.current_request(ncr)
    approvals.respond(
        request, people.board, "approve", comment="Accepted", password=PASSWORD, email=people.board.email
    )
    ImplementDisposition(ncr, people.qa).execute()
    part.refresh_from_db()
    assert part.status == Status.PASSED_STEP and part.current_step == line.steps["Inspect bore"]
    services.advance(part, people.operator)
    assert part.current_step == line.steps["Deburr"]


def test_a_rejected_review_board_sends_the_ncr_back_to_review(line, people):
    seed_review_board_template()
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    ncr = NonConformance.objects.get(quality_report=measure(part, line, people.operator, 25.06))
    StartReview(ncr, people.qa).execute()
    DecideDisposition(ncr, people.qa).execute(
        disposition="repair", rework_step=line.steps["Rework bore"], notes="Sleeve"
    )
    approvals.respond(
        approvals.current_request(ncr),
        people.board,
        "reject",
        comment="Sleeving is not allowed on this part",
        password=PASSWORD,
        email=people.board.email,
    )
    ncr.refresh_from_db()
    assert (ncr.status, ncr.disposition) == (NCRStatus.UNDER_REVIEW, "")


def test_the_rework_limit_escalates_and_refuses_more_rework(line, people):
    part = make_work_order(line, quantity=1).parts.get()
    to_inspect_bore(part, line, people.operator)
    ncr = NonConformance.objects.get(quality_report=measure(part, line, people.operator, 25.08))
    for attempt in (1, 2):
        StartReview(ncr, people.qa).execute()
        DecideDisposition(ncr, people.qa).execute(
            disposition="rework", rework_step=line.steps["Rework bore"], notes="Re-bore"
        )
        ImplementDisposition(ncr, people.qa).execute()
        StartStep(part, people.operator).execute()
        services.complete_and_advance(part, people.operator)  # Rework bore -> Re-inspect
        StartStep(part, people.operator).execute()
        report = record_report(
            part, part.current_step, people.operator, results=[{"definition": line.rebore.pk, "value": 25.07}]
        )
        assert ReworkAttempt.objects.get(part=part, attempt=attempt).outcome == "failed"
        ncr = NonConformance.objects.get(quality_report=report)

    assert ncr.is_escalated
    assert (
        ncr.escalation_reason
        == "VB-000001 has been reworked 2 times at “Rework bore” (maximum 2) and failed Re-inspect again."
    )
    StartReview(ncr, people.qa).execute()
    with pytest.raises(ValidationError) as refused:
        DecideDisposition(ncr, people.qa).execute(
            disposition="rework", rework_step=line.steps["Rework bore"], notes="Again"
        )
    assert "reworked 2 times at “Rework bore” (maximum 2)" in str(refused.value)
    ncr.refresh_from_db()
    assert ncr.status == NCRStatus.UNDER_REVIEW
