"""The sampling engine (qualitas/inspections/sampling.py): rules, rule-set choice, decisions and
their log, the fallback, and the analytics."""

import hashlib
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qualitas.core.models import ObjectChange
from qualitas.inspections import sampling
from qualitas.inspections.choices import SamplingRuleKindChoices as Kind
from qualitas.inspections.models import SamplingDecision, SamplingRule, SamplingState
from qualitas.production import actions
from qualitas.production import services as production

from .sampling_factories import inspect, make_inspector, make_routing, make_rule_set, make_work_order

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def rule(kind, pk=1, **parameters):
    """An unsaved rule for the pure functions (``evaluate`` reads only these attributes)."""
    made = SamplingRule(kind=kind, **parameters)
    made.pk = pk
    return made


def inspected(rules, count, rule_set_id=1, prefix="SN-"):
    """The sequences, 1 to ``count``, that ``rules`` inspect."""
    return [
        sequence
        for sequence in range(1, count + 1)
        if sampling.evaluate(rules, sequence, f"{prefix}{sequence:06d}", rule_set_id)[0]
    ]


def expected_draw(rule_set_id, rule_id, serial):
    """The draw as the product issue defines it, computed here independently of the engine."""
    digest = hashlib.sha256(f"{rule_set_id}:{rule_id}:{serial}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def state_changes(state):
    content_type = ContentType.objects.get_for_model(SamplingState)
    return list(
        ObjectChange.objects.filter(content_type=content_type, object_id=str(state.pk)).order_by("pk")
    )


# --- Rules (pure) -------------------------------------------------------------------------------


def test_every_nth_inspects_the_nth_2nth_and_so_on_not_the_first_part():
    # given
    rules = [rule(Kind.EVERY_NTH, n=3)]

    # when
    result = inspected(rules, 10)

    # then
    assert result == [3, 6, 9]


def test_every_nth_with_n_1_inspects_every_part():
    assert inspected([rule(Kind.EVERY_NTH, n=1)], 5) == [1, 2, 3, 4, 5]


def test_all_inspects_every_part():
    assert inspected([rule(Kind.ALL)], 6) == [1, 2, 3, 4, 5, 6]


def test_first_n_inspects_only_the_first_n_parts():
    assert inspected([rule(Kind.FIRST_N, n=3)], 10) == [1, 2, 3]


def test_first_n_then_every_m():
    # given: the first 2 parts, then every 4th
    rules = [rule(Kind.FIRST_N_THEN_EVERY_M, n=2, m=4)]

    # when
    result = inspected(rules, 15)

    # then
    assert result == [1, 2, 6, 10, 14]


def test_first_n_then_every_m_with_n_0_is_every_mth():
    assert inspected([rule(Kind.FIRST_N_THEN_EVERY_M, n=0, m=3)], 10) == [3, 6, 9]


def test_percentage_inspects_exactly_the_parts_whose_draw_is_below_the_share():
    # given
    rules = [rule(Kind.PERCENTAGE, pk=7, percentage=25)]

    # when
    result = inspected(rules, 200, rule_set_id=3)

    # then
    assert result == [
        sequence for sequence in range(1, 201) if expected_draw(3, 7, f"SN-{sequence:06d}") < 0.25
    ]
    assert 0 < len(result) < 200


def test_percentage_gives_the_same_part_the_same_decision_on_every_call():
    # given
    rules = [rule(Kind.PERCENTAGE, pk=11, percentage=50)]

    # when: the same serial, at different places in the sequence
    decisions = {sampling.evaluate(rules, sequence, "SH-000123", 5) for sequence in range(1, 50)}

    # then
    assert len(decisions) == 1


def test_percentage_draw_is_the_sha256_of_set_rule_and_serial():
    # given: the definition, pinned once so that a change of encoding or byte order is caught
    value = sampling.draw(5, 11, "SH-000123")

    # then
    assert value == expected_draw(5, 11, "SH-000123")
    assert f"{value:.12f}" == f"{expected_draw(5, 11, 'SH-000123'):.12f}"
    assert 0 <= value < 1
    # Another rule set or rule draws independently.
    assert sampling.draw(6, 11, "SH-000123") != value
    assert sampling.draw(5, 12, "SH-000123") != value


def test_percentage_draw_is_the_same_in_another_process():
    # given: serials drawn here
    serials = [f"SH-{number:06d}" for number in range(1, 21)]
    here = [repr(sampling.draw(9, 4, serial)) for serial in serials]
    script = (
        "import django; django.setup()\n"
        "from qualitas.inspections.sampling import draw\n"
        f"print('\\n'.join(repr(draw(9, 4, s)) for s in {serials!r}))\n"
    )

    # when: a fresh interpreter with another string-hash seed draws them
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "qualitas.settings"}
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout

    # then
    assert output.split() == here


def test_percentage_share_over_10000_serials_is_within_one_point_of_the_percentage():
    # given: 10,000 serials and a 10% rule
    rules = [rule(Kind.PERCENTAGE, pk=2, percentage=10)]

    # when
    share = len(inspected(rules, 10_000, rule_set_id=1, prefix="SH-")) / 10_000

    # then: the count of inspected parts is binomial(n = 10,000, p = 0.1) if the draw is uniform,
    # with standard deviation sqrt(p (1 - p) / n) = sqrt(0.09 / 10,000) = 0.003, i.e. 0.3
    # percentage points; 1 point is more than 3 standard deviations, so a uniform draw fails this
    # less than 0.1% of the time (and the draw is deterministic: this data passes or fails always).
    assert abs(share - 0.10) <= 0.01


def test_rules_combine_with_or_and_the_first_rule_that_says_inspect_decides():
    # given: every 4th part, or the first 2
    every_fourth = rule(Kind.EVERY_NTH, pk=1, n=4)
    first_two = rule(Kind.FIRST_N, pk=2, n=2)
    rules = [every_fourth, first_two]

    # when
    result = inspected(rules, 12)

    # then
    assert result == [1, 2, 4, 8, 12]
    assert sampling.evaluate(rules, 2, "SN-2", 1) == (True, first_two, "first 2 parts: part 2 at this step")
    assert sampling.evaluate(rules, 8, "SN-8", 1) == (
        True,
        every_fourth,
        "every 4th part: part 8 at this step",
    )


def test_reason_of_an_inspected_part_names_the_rule_that_decided():
    every_fifth = rule(Kind.EVERY_NTH, n=5)
    assert sampling.evaluate([every_fifth], 10, "SN-10", 1) == (
        True,
        every_fifth,
        "every 5th part: part 10 at this step",
    )


def test_reason_of_a_skipped_part_lists_every_rule_verdict():
    # given: a serial whose 10% draw misses
    every_fifth = rule(Kind.EVERY_NTH, pk=1, n=5)
    tenth = rule(Kind.PERCENTAGE, pk=2, percentage=10)
    serial = next(f"SN-{n}" for n in range(100) if expected_draw(4, 2, f"SN-{n}") >= 0.1)
    value = expected_draw(4, 2, serial)

    # when
    result = sampling.evaluate([every_fifth, tenth], 7, serial, 4)

    # then
    assert result == (
        False,
        None,
        f"not sampled: every 5th part (part 7 at this step), random 10% (draw {value:.4f})",
    )


def test_reason_of_a_percentage_hit_shows_the_draw_and_the_limit():
    tenth = rule(Kind.PERCENTAGE, pk=2, percentage=10)
    serial = next(f"SN-{n}" for n in range(1000) if expected_draw(4, 2, f"SN-{n}") < 0.1)
    value = expected_draw(4, 2, serial)
    assert sampling.evaluate([tenth], 3, serial, 4) == (
        True,
        tenth,
        f"random 10%: draw {value:.4f} for {serial} is below 0.1000",
    )


def test_reasons_of_the_other_kinds():
    first_then = rule(Kind.FIRST_N_THEN_EVERY_M, n=2, m=3)
    assert sampling.evaluate([first_then], 2, "S", 1)[2] == (
        "first 2 parts, then every 3rd: part 2 at this step, one of the first 2"
    )
    assert sampling.evaluate([first_then], 5, "S", 1)[2] == (
        "first 2 parts, then every 3rd: part 5 at this step, every 3rd after the first 2"
    )
    assert sampling.evaluate([first_then], 4, "S", 1)[2] == (
        "not sampled: first 2 parts, then every 3rd (part 4 at this step)"
    )
    assert sampling.evaluate([rule(Kind.ALL)], 4, "S", 1)[2] == "every part: part 4 at this step"
    assert sampling.evaluate([rule(Kind.FIRST_N, n=1)], 2, "S", 1)[2] == (
        "not sampled: first part (part 2 at this step)"
    )


def test_a_rule_set_without_rules_inspects_every_part():
    assert sampling.evaluate([], 3, "S", 1) == (
        True,
        None,
        "the rule set has no rules, so every part is inspected",
    )


def test_a_rule_without_its_parameter_inspects_the_part():
    incomplete = rule(Kind.EVERY_NTH, n=None)
    assert sampling.evaluate([incomplete], 3, "S", 1) == (
        True,
        incomplete,
        "every Nth part: the rule has no N, so the part is inspected",
    )


def test_ordinals():
    assert [sampling.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
        "111th",
        "112th",
    ]


@pytest.mark.django_db
def test_preview_shows_the_next_parts_decisions_without_writing():
    # given
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 3}))

    # when
    rows = sampling.preview(rule_set, count=6)

    # then
    assert [(row.sequence, row.serial, row.must_inspect) for row in rows] == [
        (1, "SN-000001", False),
        (2, "SN-000002", False),
        (3, "SN-000003", True),
        (4, "SN-000004", False),
        (5, "SN-000005", False),
        (6, "SN-000006", True),
    ]
    assert rows[2].reason == "every 3rd part: part 3 at this step"
    assert rows[2].rule == rule_set.rules.get()
    assert SamplingDecision.objects.count() == 0
    assert SamplingState.objects.count() == 0


# --- Which rule set applies ---------------------------------------------------------------------


@pytest.mark.django_db
def test_no_rule_set_means_no_decision_and_no_state():
    # given
    routing = make_routing()
    _work_order, parts = make_work_order(routing, 2)

    # when
    decision = sampling.decide(parts[0], routing.turn)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) is None
    assert decision is None
    assert SamplingState.objects.count() == 0
    assert SamplingDecision.objects.count() == 0
    assert actions.must_inspect(parts[0]) is True


@pytest.mark.django_db
def test_lowest_priority_number_wins():
    # given
    routing = make_routing()
    make_rule_set(routing, name="Later", priority=20)
    first = make_rule_set(routing, name="First", priority=10)
    _work_order, parts = make_work_order(routing, 1)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) == first


@pytest.mark.django_db
def test_a_set_naming_the_routing_wins_over_one_for_any_routing_at_equal_priority():
    # given
    routing = make_routing()
    make_rule_set(routing, name="Any routing", priority=10)
    named = make_rule_set(routing, name="This routing", priority=10, process=routing.process)
    make_rule_set(routing, name="Any routing, later", priority=20)
    _work_order, parts = make_work_order(routing, 1)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) == named


@pytest.mark.django_db
def test_a_set_naming_another_routing_does_not_apply():
    # given
    routing = make_routing()
    other = make_routing(part_number="SH-200", prefix="SX-")
    make_rule_set(routing, name="Other routing", process=other.process)
    _work_order, parts = make_work_order(routing, 1)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) is None


@pytest.mark.django_db
def test_rule_sets_match_every_revision_of_the_part_type_and_prefer_the_exact_one():
    # given: a rule set made for revision A, and parts of revision B made along the same routing
    routing = make_routing()
    for_a = make_rule_set(routing, name="Revision A", priority=10)
    revision_b = production.revise_part_type(routing.part_type, "B")
    _work_order, parts_b = make_work_order(routing, 1, part_type=revision_b)

    # then: revision A's set applies to revision B ...
    assert sampling.applicable_rule_set(parts_b[0], routing.turn) == for_a

    # when: ... until a set made for revision B exists at the same priority
    for_b = make_rule_set(routing, name="Revision B", priority=10, part_type=revision_b)

    # then
    assert sampling.applicable_rule_set(parts_b[0], routing.turn) == for_b
    _work_order, parts_a = make_work_order(routing, 1)
    assert sampling.applicable_rule_set(parts_a[0], routing.turn) == for_a


@pytest.mark.django_db
def test_inactive_archived_and_fallback_sets_are_not_chosen():
    # given
    routing = make_routing()
    make_rule_set(routing, name="Inactive", priority=1, is_active=False)
    make_rule_set(routing, name="Archived", priority=2).archive("made in error")
    tightened = make_rule_set(routing, (Kind.ALL, {}), name="Tightened", priority=3)
    normal = make_rule_set(routing, name="Normal", priority=50, fallback=tightened, fallback_threshold=2)
    _work_order, parts = make_work_order(routing, 1)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) == normal


@pytest.mark.django_db
def test_a_set_of_another_step_does_not_apply():
    # given
    routing = make_routing()
    make_rule_set(routing, step=routing.pack)
    _work_order, parts = make_work_order(routing, 1)

    # then
    assert sampling.applicable_rule_set(parts[0], routing.turn) is None


# --- Deciding -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_3rd_of_10_parts_inspects_exactly_parts_3_6_and_9_and_logs_each_decision():
    # given
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 3}))
    every_third = rule_set.rules.get()
    work_order, parts = make_work_order(routing, 10)

    # when
    decisions = [sampling.decide(part, routing.turn) for part in parts]

    # then
    assert [d.sequence for d in decisions if d.must_inspect] == [3, 6, 9]
    assert [d.part for d in decisions if d.must_inspect] == [parts[2], parts[5], parts[8]]
    logged = list(SamplingDecision.objects.order_by("sequence"))
    assert logged == decisions
    assert [d.sequence for d in logged] == list(range(1, 11))
    assert {(d.work_order_id, d.step_id, d.rule_set_id, d.in_fallback) for d in logged} == {
        (work_order.pk, routing.turn.pk, rule_set.pk, False)
    }
    assert logged[2].rule == every_third
    assert logged[2].reason == "every 3rd part: part 3 at this step"
    assert logged[3].rule is None
    assert logged[3].reason == "not sampled: every 3rd part (part 4 at this step)"
    state = SamplingState.objects.get()
    assert (state.work_order, state.step, state.rule_set, state.active_rule_set) == (
        work_order,
        routing.turn,
        rule_set,
        rule_set,
    )
    assert (state.parts_seen, state.parts_seen_in_set, state.inspections_required) == (10, 10, 3)


@pytest.mark.django_db
def test_the_station_reads_the_decision_must_inspect_and_missing_measurements():
    # given
    routing = make_routing()
    make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    _work_order, parts = make_work_order(routing, 2)

    # when
    sampling.decide(parts[0], routing.turn)
    sampling.decide(parts[1], routing.turn)

    # then
    assert actions.must_inspect(parts[0]) is False
    assert actions.missing_measurements(parts[0]) == []
    assert actions.must_inspect(parts[1]) is True
    assert actions.missing_measurements(parts[1]) == ["Diameter"]


@pytest.mark.django_db
def test_deciding_twice_in_one_visit_returns_the_same_decision_and_counts_the_part_once():
    # given
    routing = make_routing()
    make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    _work_order, parts = make_work_order(routing, 2)
    first = sampling.decide(parts[0], routing.turn)

    # when
    again = sampling.decide(parts[0], routing.turn)

    # then
    assert again == first
    assert SamplingDecision.objects.count() == 1
    state = SamplingState.objects.get()
    assert (state.parts_seen, state.inspections_required) == (1, 0)
    # The next part is the 2nd.
    assert sampling.decide(parts[1], routing.turn).sequence == 2


@pytest.mark.django_db
def test_a_new_visit_of_the_step_is_decided_again():
    # given: part 1 decided on its first visit
    routing = make_routing()
    make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    _work_order, parts = make_work_order(routing, 1)
    part = parts[0]
    first = sampling.decide(part, routing.turn)

    # when: it comes back to the step (rework, release from quarantine) and is decided again
    part.step_entered_at = timezone.now() + timedelta(seconds=1)
    part.save()
    second = sampling.decide(part, routing.turn, now=part.step_entered_at)

    # then
    assert second != first
    assert (first.sequence, first.must_inspect, second.sequence, second.must_inspect) == (1, False, 2, True)
    assert SamplingState.objects.get().parts_seen == 2
    assert actions.visit_decision(part) == second


@pytest.mark.django_db
def test_two_work_orders_keep_separate_state():
    # given
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    first_order, first_parts = make_work_order(routing, 3)
    second_order, second_parts = make_work_order(routing, 3)

    # when: interleaved
    decisions = []
    for one, other in zip(first_parts, second_parts, strict=True):
        decisions.append(sampling.decide(one, routing.turn))
        decisions.append(sampling.decide(other, routing.turn))

    # then
    assert [(d.work_order_id, d.sequence, d.must_inspect) for d in decisions] == [
        (first_order.pk, 1, False),
        (second_order.pk, 1, False),
        (first_order.pk, 2, True),
        (second_order.pk, 2, True),
        (first_order.pk, 3, False),
        (second_order.pk, 3, False),
    ]
    states = {state.work_order_id: state for state in SamplingState.objects.all()}
    assert sorted(states) == sorted([first_order.pk, second_order.pk])
    assert {(s.parts_seen, s.inspections_required, s.rule_set_id) for s in states.values()} == {
        (3, 1, rule_set.pk)
    }


@pytest.mark.django_db
def test_a_state_is_audited_when_made_and_its_counters_are_not():
    # given
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    _work_order, parts = make_work_order(routing, 4)

    # when
    for part in parts:
        sampling.decide(part, routing.turn)

    # then
    state = SamplingState.objects.get()
    changes = state_changes(state)
    assert [(change.action, change.reason) for change in changes] == [
        ("create", f"Sampling started at Turn under “{rule_set}”")
    ]


@pytest.mark.django_db
def test_another_rule_set_taking_over_restarts_the_count_and_is_audited():
    # given: four parts decided under "Normal"
    routing = make_routing()
    normal = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}), name="Normal", priority=20)
    _work_order, parts = make_work_order(routing, 6)
    for part in parts[:4]:
        sampling.decide(part, routing.turn)

    # when: a set with a lower priority number is added
    strict = make_rule_set(routing, (Kind.FIRST_N, {"n": 1}), name="Strict", priority=10)
    fifth = sampling.decide(parts[4], routing.turn)
    sixth = sampling.decide(parts[5], routing.turn)

    # then
    assert (fifth.rule_set, fifth.sequence, fifth.must_inspect) == (strict, 1, True)
    assert fifth.reason == "Under “Strict”, counted from part 5 at this step: first part: part 1 at this step"
    assert (sixth.rule_set, sixth.sequence, sixth.must_inspect) == (strict, 2, False)
    state = SamplingState.objects.get()
    assert (state.rule_set, state.active_rule_set, state.parts_seen, state.parts_seen_in_set) == (
        strict,
        strict,
        6,
        2,
    )
    assert state_changes(state)[-1].reason == f"“{strict}” applies now instead of “{normal}”"


# --- Fallback -----------------------------------------------------------------------------------


def fallback_line(**fields):
    """A routing with "Normal" (every 10th part) falling back to "Tightened" (every part) after
    ``fallback_threshold`` defective parts in a window of 5."""
    routing = make_routing()
    tightened = make_rule_set(routing, (Kind.ALL, {}), name="Tightened")
    fields = {"fallback_threshold": 2, "fallback_window": 5, **fields}
    normal = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 10}), name="Normal", fallback=tightened, **fields)
    return routing, normal, tightened


@pytest.mark.django_db
def test_fallback_switches_on_at_the_threshold_lasts_exactly_its_parts_then_switches_back():
    # given: parts 1 and 2 decided under Normal (not sampled), then inspected anyway
    routing, normal, tightened = fallback_line(fallback_parts=3)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 8)
    for part in parts[:2]:
        sampling.decide(part, routing.turn)

    # when: one defective part: below the threshold
    inspect(routing, parts[0], inspector, passed=False)
    state = SamplingState.objects.get()

    # then
    assert (state.in_fallback, state.recent_results, state.inspections_done, state.defects_found) == (
        False,
        "1",
        1,
        1,
    )

    # when: the second defective part reaches the threshold
    before = timezone.now()
    inspect(routing, parts[1], inspector, passed=False)
    state.refresh_from_db()

    # then
    assert state.in_fallback is True
    assert state.active_rule_set == tightened
    assert state.rule_set == normal
    assert state.fallback_parts_left == 3
    assert state.fallback_until is None
    assert before <= state.fallback_started_at <= timezone.now()
    assert (state.recent_results, state.parts_seen_in_set, state.defects_found) == ("", 0, 2)
    switched = state_changes(state)[-1]
    assert switched.reason == (
        "2 defective of the last 2 inspected parts (threshold 2): switched to the fallback “Tightened”"
    )
    assert switched.changes["in_fallback"] == [False, True]
    assert switched.changes["active_rule_set"] == [normal.pk, tightened.pk]

    # when: the next parts arrive
    decisions = [sampling.decide(part, routing.turn) for part in parts[2:7]]

    # then: exactly 3 parts under the fallback, then Normal again, counting from 1
    assert [(d.rule_set, d.in_fallback, d.sequence, d.must_inspect) for d in decisions] == [
        (tightened, True, 1, True),
        (tightened, True, 2, True),
        (tightened, True, 3, True),
        (normal, False, 1, False),
        (normal, False, 2, False),
    ]
    assert decisions[0].reason == (
        "Under fallback “Tightened”, counted from part 3 at this step: every part: part 1 at this step"
    )
    assert decisions[3].reason == (
        "Under “Normal”, counted from part 6 at this step: not sampled: every 10th part (part 1 at this step)"
    )
    state.refresh_from_db()
    assert (state.in_fallback, state.active_rule_set, state.fallback_parts_left) == (False, normal, None)
    assert (state.fallback_started_at, state.fallback_until) == (None, None)
    assert (state.parts_seen, state.inspections_required) == (7, 3)
    back = state_changes(state)[-1]
    assert back.reason == "Back to “Normal” from the fallback “Tightened”: its 3 parts were decided"
    assert back.changes["in_fallback"] == [True, False]


@pytest.mark.django_db
def test_fallback_by_hours_ends_when_its_time_has_passed():
    # given: the fallback lasts 2 hours
    routing, normal, tightened = fallback_line(fallback_hours=2)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 5)
    sampling.decide(parts[0], routing.turn)
    inspect(routing, parts[0], inspector, passed=False)
    inspect(routing, parts[0], inspector, passed=False)
    state = SamplingState.objects.get()
    assert state.in_fallback is True
    started = state.fallback_started_at
    assert state.fallback_until == started + timedelta(hours=2)
    assert state.fallback_parts_left is None

    # when: a part 1 h 59 min later, and one just after the 2 hours
    during = sampling.decide(parts[1], routing.turn, now=started + timedelta(hours=1, minutes=59))
    after = sampling.decide(parts[2], routing.turn, now=started + timedelta(hours=2))

    # then
    assert (during.rule_set, during.in_fallback, during.must_inspect) == (tightened, True, True)
    assert (after.rule_set, after.in_fallback, after.sequence) == (normal, False, 1)
    state.refresh_from_db()
    assert (state.in_fallback, state.fallback_until) == (False, None)
    local = timezone.localtime(started + timedelta(hours=2))
    assert state_changes(state)[-1].reason == (
        f"Back to “Normal” from the fallback “Tightened”: its time ran out at {local:%Y-%m-%d %H:%M}"
    )


@pytest.mark.django_db
def test_a_fallback_without_parts_or_hours_lasts_as_many_parts_as_the_window():
    # given: a window of 4, no fallback_parts, no fallback_hours
    routing, _normal, tightened = fallback_line(fallback_window=4)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 1)
    sampling.decide(parts[0], routing.turn)

    # when
    inspect(routing, parts[0], inspector, passed=False)
    inspect(routing, parts[0], inspector, passed=False)

    # then
    state = SamplingState.objects.get()
    assert (state.in_fallback, state.active_rule_set, state.fallback_parts_left, state.fallback_until) == (
        True,
        tightened,
        4,
        None,
    )


@pytest.mark.django_db
def test_the_window_keeps_only_the_last_results_and_passes_do_not_switch():
    # given: threshold 2 in a window of 3
    routing, _normal, _tightened = fallback_line(fallback_window=3, fallback_parts=5)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 6)
    sampling.decide(parts[0], routing.turn)

    # when: defective, pass, pass, defective (the first defect has left the window of 3)
    for part, passed in zip(parts[:4], (False, True, True, False), strict=True):
        inspect(routing, part, inspector, passed=passed)

    # then
    state = SamplingState.objects.get()
    assert (state.recent_results, state.in_fallback, state.inspections_done, state.defects_found) == (
        "001",
        False,
        4,
        2,
    )


@pytest.mark.django_db
def test_reports_at_a_step_without_state_are_ignored():
    # given: a rule set, but no part of this work order decided yet
    routing, _normal, _tightened = fallback_line()
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 2)

    # when
    inspect(routing, parts[0], inspector, passed=False)

    # then
    assert SamplingState.objects.count() == 0


@pytest.mark.django_db
def test_record_inspections_loads_the_states_in_one_query_and_saves_each_once():
    # given: two work orders with states, a third without
    routing = make_routing()
    make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    orders = [make_work_order(routing, 2) for _ in range(3)]
    for _order, parts in orders[:2]:
        sampling.decide(parts[0], routing.turn)
    items = [(part, routing.turn, index == 0) for _order, parts in orders for index, part in enumerate(parts)]

    # when
    with CaptureQueriesContext(connection) as queries:
        sampling.record_inspections(items)

    # then
    statements = [query["sql"] for query in queries.captured_queries]
    assert [sql for sql in statements if sql.startswith("SELECT")] == [
        next(sql for sql in statements if "inspections_samplingstate" in sql and sql.startswith("SELECT"))
    ]
    assert len([sql for sql in statements if sql.startswith("UPDATE")]) == 2
    assert sorted(
        SamplingState.objects.values_list("inspections_done", "defects_found", "recent_results")
    ) == [
        (2, 1, "10"),
        (2, 1, "10"),
    ]


# --- Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parts_decided_at_the_same_time_get_distinct_sequences():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one write transaction at a time")
    # given: two workers with ten parts each of one work order
    routing = make_routing()
    make_rule_set(routing, (Kind.EVERY_NTH, {"n": 4}))
    _work_order, parts = make_work_order(routing, 20)
    start = threading.Barrier(2)
    errors = []

    def worker(batch):
        try:
            start.wait()
            for part in batch:
                sampling.decide(part, routing.turn)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=worker, args=(parts[offset::2],)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert sorted(SamplingDecision.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    assert SamplingDecision.objects.filter(must_inspect=True).count() == 5
    state = SamplingState.objects.get()
    assert (state.parts_seen, state.inspections_required) == (20, 5)


# --- Analytics ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_analytics_counts_decisions_required_done_and_defects():
    # given: every 2nd of 6 parts required (parts 2, 4, 6)
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.EVERY_NTH, {"n": 2}))
    unused = make_rule_set(routing, name="Unused", is_active=False)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 6)
    for part in parts[:5]:
        sampling.decide(part, routing.turn)
    # Part 6 is decided an hour from now: the report below, made before its decision, does not count.
    sampling.decide(parts[5], routing.turn, now=timezone.now() + timedelta(hours=1))

    # when: part 2 measured twice (a decision counts once), part 4 failed, part 6 measured before
    # its decision, part 1 (not required) measured anyway
    inspect(routing, parts[1], inspector)
    inspect(routing, parts[1], inspector)
    inspect(routing, parts[3], inspector, passed=False)
    inspect(routing, parts[5], inspector)
    inspect(routing, parts[0], inspector, passed=False)
    with CaptureQueriesContext(connection) as queries:
        figures = sampling.analytics([rule_set, unused])

    # then
    assert len(queries.captured_queries) == 2
    assert figures == [
        sampling.RuleSetAnalytics(
            rule_set=rule_set, decisions=6, required=3, done=2, compliance_rate=2 / 3, defects=1
        ),
        sampling.RuleSetAnalytics(
            rule_set=unused, decisions=0, required=0, done=0, compliance_rate=None, defects=0
        ),
    ]


@pytest.mark.django_db
def test_analytics_gives_a_report_to_the_visit_it_was_made_in():
    # given: a part required on two visits of the step, measured (and failed) on the second only
    routing = make_routing()
    rule_set = make_rule_set(routing, (Kind.ALL, {}))
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 1)
    part = parts[0]
    now = timezone.now()
    part.step_entered_at = now - timedelta(seconds=10)
    sampling.decide(part, routing.turn, now=part.step_entered_at)
    part.step_entered_at = now - timedelta(seconds=5)
    part.save()
    sampling.decide(part, routing.turn, now=part.step_entered_at)

    # when
    inspect(routing, part, inspector, passed=False)

    # then: the second visit is done, the first is not; the defect counts once
    figures = sampling.analytics([rule_set])[0]
    assert (figures.decisions, figures.required, figures.done, figures.defects) == (2, 2, 1, 1)
    assert figures.compliance_rate == 0.5


@pytest.mark.django_db
def test_analytics_of_a_fallback_set_counts_its_own_decisions():
    # given
    routing, normal, tightened = fallback_line(fallback_parts=2)
    inspector = make_inspector()
    _work_order, parts = make_work_order(routing, 4)
    sampling.decide(parts[0], routing.turn)
    inspect(routing, parts[0], inspector, passed=False)
    inspect(routing, parts[0], inspector, passed=False)

    # when: two parts under the fallback, one of them measured
    sampling.decide(parts[1], routing.turn)
    sampling.decide(parts[2], routing.turn)
    inspect(routing, parts[1], inspector)

    # then
    by_set = {figures.rule_set: figures for figures in sampling.analytics([normal, tightened])}
    assert (by_set[normal].decisions, by_set[normal].required, by_set[normal].done) == (1, 0, 0)
    assert by_set[normal].compliance_rate is None
    assert (by_set[tightened].decisions, by_set[tightened].required, by_set[tightened].done) == (2, 2, 1)
    assert by_set[tightened].compliance_rate == 0.5
