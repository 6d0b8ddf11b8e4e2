"""Test data for the process-flow page and the flow editor: a part type and routings drawn as
graphs of steps and edges, made through the models (and ``ReleaseProcess`` for a released one)."""

import itertools

from qualitas.production.actions import ReleaseProcess
from qualitas.production.choices import EdgeConditionChoices, StepKindChoices
from qualitas.production.models import PartType, Process, Step, StepEdge
from qualitas.testing.factories import make_user

_counter = itertools.count(1)

#: The routing most flow tests use: machine, inspect, decide; a fail goes to rework and back to
#: a re-inspection, a pass to packing.
MACHINED_BRACKET = (
    [
        ("Machine", StepKindChoices.OPERATION),
        ("Inspect", StepKindChoices.INSPECTION),
        ("Decide", StepKindChoices.DECISION),
        ("Rework", StepKindChoices.REWORK),
        ("Pack", StepKindChoices.OPERATION),
    ],
    [
        ("Machine", "Inspect", EdgeConditionChoices.ALWAYS),
        ("Inspect", "Decide", EdgeConditionChoices.ALWAYS),
        ("Decide", "Pack", EdgeConditionChoices.PASS),
        ("Decide", "Rework", EdgeConditionChoices.FAIL),
        ("Rework", "Pack", EdgeConditionChoices.ALWAYS),
    ],
)


def make_part_type(**fields):
    number = next(_counter)
    fields.setdefault("part_number", f"BR-{number:04d}")
    fields.setdefault("name", f"Bracket {number}")
    fields.setdefault("serial_prefix", f"BR{number}-")
    return PartType.objects.create(**fields)


def make_process(steps=None, edges=None, part_type=None, positions=None, **fields):
    """A draft routing with ``steps`` [(name, kind)] joined by ``edges`` [(source name, target
    name, condition)]; ``positions`` {name: (x, y)} places steps (all at 0, 0 otherwise)."""
    if steps is None and edges is None:
        steps, edges = MACHINED_BRACKET
    fields.setdefault("name", "Machined bracket")
    process = Process.objects.create(part_type=part_type or make_part_type(), **fields)
    by_name = {}
    for sequence, (name, kind) in enumerate(steps or [], start=1):
        x, y = (positions or {}).get(name, (0, 0))
        by_name[name] = Step.objects.create(
            process=process, name=name, kind=kind, sequence=sequence * 10, position_x=x, position_y=y
        )
    for source, target, condition in edges or []:
        StepEdge.objects.create(
            process=process, source=by_name[source], target=by_name[target], condition=condition
        )
    return process


def make_released_process(**fields):
    process = make_process(**fields)
    ReleaseProcess(process, make_user(role="Production Manager")).execute()
    process.refresh_from_db()
    return process


def steps_by_name(process):
    return {step.name: step for step in process.steps.filter(is_archived=False)}


def graph_snapshot(process):
    """What a save may change, to compare before and after: steps with positions, and edges."""
    steps = sorted(
        (step.pk, step.name, step.kind, step.position_x, step.position_y, step.sequence)
        for step in Step.objects.filter(process=process)
    )
    edges = sorted(
        (edge.source.name, edge.target.name, edge.condition)
        for edge in StepEdge.objects.filter(process=process).select_related("source", "target")
    )
    return steps, edges
