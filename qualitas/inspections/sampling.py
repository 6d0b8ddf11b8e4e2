"""The sampling engine: whether a part at a step must be inspected, and why.

A ``SamplingRuleSet`` holds the rules for a part type at a step (optionally of one routing). The
engine counts the parts seen per work order and step (``SamplingState``) and, for each part that
arrives, evaluates the active rule set's rules and writes the decision with its reason to the
append-only log (``SamplingDecision``). Quality reports feed a window of recent results back into
the state; when the defective parts in the window reach the rule set's threshold, the state
switches to the stricter fallback set for a number of parts or hours, and then back.

Rules (``SamplingRuleKindChoices``), for the part at place ``sequence`` (1-based) under the
current rule set:

* ``ALL``: every part.
* ``EVERY_NTH``: the Nth, 2Nth, 3Nth, ... part (``sequence % N == 0``); the first part is inspected
  only when N is 1.
* ``PERCENTAGE``: a deterministic draw in [0, 1) from SHA-256 of ``"{rule set id}:{rule id}:
  {serial}"`` (the first 8 bytes, big-endian, divided by 2**64); inspected when the draw is below
  ``percentage / 100``. The same part always gets the same draw, in every process and on every
  machine, so a decision can be re-checked by hand.
* ``FIRST_N_THEN_EVERY_M``: parts 1 to N, then N + M, N + 2M, ...
* ``FIRST_N``: parts 1 to N only.

A part is inspected when any rule of the set says so (the rules combine with OR); the reason
names the first rule, in the rules' order, that decided, or every rule's verdict when none did.
Two safety choices: a rule set without rules inspects every part, and so does a rule whose
parameter is missing (say, every Nth without N): the engine never skips an inspection because of
a configuration it cannot read.

Choices about the records:

* **Which rule set applies** (``applicable_rule_set``): part types are versioned, and a routing
  made for revision B is used by work orders of revision C, so rule sets match on the part type's
  *lineage*. Among the candidates: the lowest priority number first; at equal priority, a set made
  for the part's exact revision before one of another revision, then a set naming the routing
  before one for any routing, then the oldest set. Fallback sets (named as the fallback of another
  set) are never chosen directly. The routing is the step's own (a step belongs to one routing).
* **Counting**: ``sequence`` restarts at 1 whenever the active rule set changes (into the fallback,
  back from it, or when another set starts to apply), so "the first N parts" applies again after a
  fallback. ``SamplingDecision.sequence`` is that sequence; the reason says where counting
  restarted when it did.
* **The window** of recent results is emptied at each switch, so the defects that caused a
  fallback are not counted again when it ends. While on the fallback, results are still added
  (for display) but do not extend it; it ends after ``fallback_parts`` parts or ``fallback_hours``
  hours, whichever comes first; with neither set, after as many parts as the window is long (a
  fallback never lasts for good). A threshold of 0 or none means the set has no fallback.
"""

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from qualitas.framework.context import change_reason
from qualitas.production.models import PartType

from .choices import ReportStatusChoices, SamplingRuleKindChoices
from .models import (
    QualityReport,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
    describe_rule,
    ordinal,
)

Kind = SamplingRuleKindChoices

#: The longest window of recent results a state can hold (``SamplingState.recent_results``).
MAX_WINDOW = SamplingState._meta.get_field("recent_results").max_length
#: The fields ``decide`` changes for every part (not audited; see ``SamplingState``).
COUNTERS = (
    "parts_seen",
    "parts_seen_in_set",
    "inspections_required",
    "fallback_parts_left",
    "updated",
    "updated_by",
)
#: The longest reason the decision log holds.
MAX_REASON = SamplingDecision._meta.get_field("reason").max_length


# --- Evaluating rules (pure) --------------------------------------------------------------------


def draw(rule_set_id, rule_id, serial) -> float:
    """The part's deterministic draw in [0, 1) for a percentage rule: the first 8 bytes of
    SHA-256(``f"{rule_set_id}:{rule_id}:{serial}"``) as a big-endian integer, divided by 2**64."""
    digest = hashlib.sha256(f"{rule_set_id}:{rule_id}:{serial}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _missing(rule):
    """The parameter the rule needs and lacks, or None."""
    if rule.kind in (Kind.EVERY_NTH, Kind.FIRST_N) and not rule.n:
        return "N"
    if rule.kind == Kind.FIRST_N_THEN_EVERY_M:
        if rule.n is None:
            return "N"
        if not rule.m:
            return "M"
    if rule.kind == Kind.PERCENTAGE and rule.percentage is None:
        return "the percentage"
    return None


def _verdict(rule, sequence, serial, rule_set_id):
    """``(inspect, detail)`` for one rule: detail completes the reason, "part 10 at this step"."""
    kind = rule.kind
    at = f"part {sequence} at this step"
    if kind == Kind.ALL:
        return True, at
    missing = _missing(rule)
    if missing is not None:
        return True, f"the rule has no {missing}, so the part is inspected"
    if kind == Kind.EVERY_NTH:
        return sequence % rule.n == 0, at
    if kind == Kind.PERCENTAGE:
        value = draw(rule_set_id, rule.pk, serial)
        limit = rule.percentage / 100
        if value < limit:
            return True, f"draw {value:.4f} for {serial} is below {limit:.4f}"
        return False, f"draw {value:.4f}"
    if kind == Kind.FIRST_N_THEN_EVERY_M:
        if sequence <= rule.n:
            return True, f"{at}, one of the first {rule.n}"
        if (sequence - rule.n) % rule.m == 0:
            return True, f"{at}, every {ordinal(rule.m)} after the first {rule.n}"
        return False, at
    if kind == Kind.FIRST_N:
        return sequence <= rule.n, at
    return True, "the rule kind is unknown, so the part is inspected"


def evaluate(rules, sequence, serial, rule_set_id):
    """Whether the part must be inspected under ``rules`` (a rule set's rules, in order):
    ``(must_inspect, the rule that decided or None, reason)``. Pure: no database.

    ``sequence`` is the part's 1-based place among the parts seen at this work order and step
    under the current rule set; ``serial`` and ``rule_set_id`` feed the percentage draw (see
    ``draw``). The rules combine with OR: the first rule that says "inspect" decides, and the
    reason names it ("every 5th part: part 10 at this step"). When none does, the reason lists
    every rule's verdict ("not sampled: every 5th part (part 7 at this step), random 10% (draw
    0.7340)"). A set without rules inspects every part."""
    rules = list(rules)
    if not rules:
        return True, None, "the rule set has no rules, so every part is inspected"
    verdicts = []
    for rule in rules:
        inspect, detail = _verdict(rule, sequence, serial, rule_set_id)
        if inspect:
            return True, rule, f"{describe_rule(rule)}: {detail}"
        verdicts.append(f"{describe_rule(rule)} ({detail})")
    return False, None, "not sampled: " + ", ".join(verdicts)


@dataclass(frozen=True)
class PreviewRow:
    sequence: int
    serial: str
    must_inspect: bool
    rule: SamplingRule | None
    reason: str


def rules_of(rule_set):
    """The set's rules that apply (not archived), in order; uses prefetched rules when there are."""
    rules = [rule for rule in rule_set.rules.all() if not rule.is_archived]
    return sorted(rules, key=lambda rule: (rule.sequence, rule.pk or 0))


def preview(rule_set, count=50, serial_prefix="SN-"):
    """The decisions ``rule_set`` would make for the next ``count`` parts of a fresh work order
    (serials ``SN-000001``, ...), for the rule set's page. Writes nothing; reads the rules once
    (unless they are prefetched). The fallback is not simulated."""
    rules = rules_of(rule_set)
    rows = []
    for sequence in range(1, count + 1):
        serial = f"{serial_prefix}{sequence:06d}"
        must, rule, reason = evaluate(rules, sequence, serial, rule_set.pk)
        rows.append(PreviewRow(sequence, serial, must, rule, reason))
    return rows


# --- Which rule set applies ---------------------------------------------------------------------


def _preference(part):
    """The sort key of a candidate set: priority, then exact revision, then named routing, then age."""

    def key(rule_set):
        return (
            rule_set.priority,
            rule_set.part_type_id != part.part_type_id,
            rule_set.process_id is None,
            rule_set.pk,
        )

    return key


def applicable_rule_set(part, step):
    """The rule set for ``part`` at ``step``, or None. One query.

    Candidates: active, not archived, at ``step``, for a part type of the part's lineage (any
    revision: a routing made for revision B serves revision C), for the step's routing or for any
    routing (process left empty), and not the fallback of another set. Chosen: the lowest priority
    number; at equal priority the part's exact revision first, then a set naming the routing, then
    the oldest set. The candidates are the few sets of one step, so the routing and the ranking are
    checked here rather than in SQL (each condition costs the query more than it saves)."""
    if type(part).part_type.is_cached(part):
        lineage = Q(part_type__lineage=part.part_type.lineage)
    else:
        lineage = Q(
            part_type__lineage__in=PartType._base_manager.filter(pk=part.part_type_id).values("lineage")
        )
    candidates = SamplingRuleSet.objects.filter(
        lineage, step_id=step.pk, is_active=True, is_archived=False, fallback_for__isnull=True
    )
    routing = (None, step.process_id)
    return min(
        (rule_set for rule_set in candidates if rule_set.process_id in routing),
        key=_preference(part),
        default=None,
    )


def live_rules(rule_set_id):
    """The rules of a set that apply (not archived), in order. One query."""
    return list(
        SamplingRule.objects.filter(rule_set_id=rule_set_id, is_archived=False).order_by("sequence", "pk")
    )


# --- Deciding -----------------------------------------------------------------------------------


def _visit_decision(part, step):
    decisions = SamplingDecision.objects.filter(part=part, step=step)
    if part.step_entered_at is not None:
        decisions = decisions.filter(decided_at__gte=part.step_entered_at)
    return decisions.order_by("-decided_at", "-pk").first()


def _locked_state(part, step, rule_set):
    """The state of the part's work order at ``step``, locked (``SELECT ... FOR UPDATE``), made
    when missing. Two workers making it at once: one insert wins, the other waits on the unique
    constraint, fails, and locks the winner's row."""
    states = SamplingState.objects.select_for_update()
    state = states.filter(work_order_id=part.work_order_id, step=step).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            state = SamplingState(
                work_order_id=part.work_order_id, step=step, rule_set=rule_set, active_rule_set=rule_set
            )
            with change_reason(f"Sampling started at {step} under “{rule_set}”"):
                state.save()
            return state
    except IntegrityError:
        return states.get(work_order_id=part.work_order_id, step=step)


def _fallback_ended(state, now):
    """Why the state's fallback is over, or None while it lasts."""
    if state.fallback_parts_left is not None and state.fallback_parts_left <= 0:
        return f"its {state.parts_seen_in_set} parts were decided"
    if state.fallback_until is not None and now >= state.fallback_until:
        return f"its time ran out at {timezone.localtime(state.fallback_until):%Y-%m-%d %H:%M}"
    return None


def _restart(state, active_rule_set, in_fallback):
    state.active_rule_set = active_rule_set
    state.in_fallback = in_fallback
    state.parts_seen_in_set = 0
    state.recent_results = ""


def decide(part, step, now=None):
    """Decide whether ``part`` must be inspected at ``step`` on this visit, log the decision and
    return it (a ``SamplingDecision``); None when no rule set applies (the part is then always
    inspected, see ``production.actions.must_inspect``).

    Idempotent per visit: a part that already has a decision at ``step`` since it entered its
    step (``part.step_entered_at``) gets that decision back, and is not counted again. Otherwise,
    in one transaction: the work order's state at the step is locked (or made), so that parts
    decided at the same time get distinct sequences; a fallback that has run its parts or hours
    ends (an audited change of the state); the part is counted, the active rule set (the fallback
    while on it) is evaluated (``evaluate``), and the decision is written with its reason.
    ``now`` (default: the current time) is the decision time; it must not be before the part's
    ``step_entered_at``."""
    now = now or timezone.now()
    rule_set = applicable_rule_set(part, step)
    if rule_set is None:
        return _visit_decision(part, step)
    # No savepoint of its own: inside a caller's transaction a failure here fails the caller.
    with transaction.atomic(savepoint=False):
        state = _locked_state(part, step, rule_set)
        # Usually the sets are the one just loaded: no query for them.
        if state.rule_set_id == rule_set.pk:
            state.rule_set = rule_set
        if state.active_rule_set_id == rule_set.pk:
            state.active_rule_set = rule_set
        existing = _visit_decision(part, step)
        if existing is not None:
            return existing
        audit_reasons = []
        if state.rule_set_id != rule_set.pk:
            audit_reasons.append(f"“{rule_set}” applies now instead of “{state.rule_set}”")
            state.rule_set = rule_set
            if not state.in_fallback:
                _restart(state, rule_set, in_fallback=False)
        if state.in_fallback:
            ended = _fallback_ended(state, now)
            if ended is not None:
                audit_reasons.append(
                    f"Back to “{rule_set}” from the fallback “{state.active_rule_set}”: {ended}"
                )
                _restart(state, rule_set, in_fallback=False)
                state.fallback_started_at = state.fallback_until = state.fallback_parts_left = None
        active = state.active_rule_set
        rules = live_rules(active.pk)
        state.parts_seen += 1
        state.parts_seen_in_set += 1
        sequence = state.parts_seen_in_set
        must, rule, reason = evaluate(rules, sequence, part.serial_number, active.pk)
        if state.parts_seen != sequence:
            label = f"fallback “{active}”" if state.in_fallback else f"“{active}”"
            took_over = state.parts_seen - sequence + 1
            reason = f"Under {label}, counted from part {took_over} at this step: {reason}"
        if state.in_fallback and state.fallback_parts_left is not None:
            state.fallback_parts_left = max(0, state.fallback_parts_left - 1)
        if must:
            state.inspections_required += 1
        if audit_reasons:
            with change_reason("; ".join(audit_reasons)):
                state.save()
        else:
            # Only the counters changed: they are left out of the audit trail.
            state.save(update_fields=COUNTERS)
        return SamplingDecision.objects.create(
            part=part,
            step=step,
            work_order_id=part.work_order_id,
            rule_set=active,
            rule=rule,
            sequence=sequence,
            must_inspect=must,
            in_fallback=state.in_fallback,
            reason=_fit(reason, MAX_REASON),
            decided_at=now,
        )


def _fit(text, length):
    return text if len(text) <= length else text[: length - 1] + "…"


# --- Feeding inspection results back ------------------------------------------------------------


def _should_fall_back(state):
    rule_set = state.rule_set
    fallback = rule_set.fallback
    if state.in_fallback or fallback is None or fallback.is_archived or not rule_set.fallback_threshold:
        return False
    return state.recent_results.count("1") >= rule_set.fallback_threshold


def _fall_back(state, now):
    """Switch the state to its rule set's fallback; returns the reason for the audit trail."""
    rule_set = state.rule_set
    defective = state.recent_results.count("1")
    reason = (
        f"{defective} defective of the last {len(state.recent_results)} inspected parts "
        f"(threshold {rule_set.fallback_threshold}): switched to the fallback “{rule_set.fallback}”"
    )
    _restart(state, rule_set.fallback, in_fallback=True)
    state.fallback_started_at = now
    state.fallback_parts_left = rule_set.fallback_parts
    if rule_set.fallback_parts is None and not rule_set.fallback_hours:
        # Neither a number of parts nor hours: as many parts as the window, never for good.
        state.fallback_parts_left = rule_set.fallback_window
    state.fallback_until = now + timedelta(hours=rule_set.fallback_hours) if rule_set.fallback_hours else None
    return reason


def record_inspections(items, now: datetime | None = None):
    """Feed newly written quality reports into the sampling states: ``items`` are
    ``(part, step, defective)``. For each work order and step that has a state, counts the
    inspection (and the defect), appends to the window of recent results (``"1"`` defective, newest
    last, at most the rule set's ``fallback_window`` long) and switches to the fallback set when the
    defective parts in the window reach ``fallback_threshold`` (an audited change, with the reason).
    Reports at steps without a state are ignored. One query loads (and locks) the states, then one
    save per changed state."""
    items = list(items)
    if not items:
        return
    now = now or timezone.now()
    pairs = {(part.work_order_id, step.pk) for part, step, _defective in items}
    condition = Q()
    for work_order_id, step_id in sorted(pairs):
        condition |= Q(work_order_id=work_order_id, step_id=step_id)
    with transaction.atomic(savepoint=False):
        states = {
            (state.work_order_id, state.step_id): state
            for state in SamplingState.objects.select_for_update(of=("self",))
            .select_related("rule_set__fallback")
            .filter(condition)
            .order_by("pk")
        }
        if not states:
            return
        changed, switched = {}, {}
        for part, step, defective in items:
            key = (part.work_order_id, step.pk)
            state = states.get(key)
            if state is None:
                continue
            state.inspections_done += 1
            state.defects_found += 1 if defective else 0
            window = max(1, min(state.rule_set.fallback_window, MAX_WINDOW))
            state.recent_results = (state.recent_results + ("1" if defective else "0"))[-window:]
            changed[key] = state
            if _should_fall_back(state):
                switched[key] = _fall_back(state, now)
        for key, state in changed.items():
            with change_reason(switched[key]) if key in switched else nullcontext():
                state.save()


# --- Analytics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSetAnalytics:
    rule_set: SamplingRuleSet
    decisions: int
    required: int
    done: int
    compliance_rate: float | None
    defects: int


def _visit_reports(failed=False):
    """Quality reports of the decision's visit: the part's non-archived reports at the step created
    at or after the decision and before the part's next decision there (the next visit)."""
    later_decision = SamplingDecision.objects.filter(
        part_id=OuterRef(OuterRef("part_id")),
        step_id=OuterRef(OuterRef("step_id")),
        decided_at__lte=OuterRef("created"),
    ).filter(
        Q(decided_at__gt=OuterRef(OuterRef("decided_at")))
        | Q(decided_at=OuterRef(OuterRef("decided_at")), pk__gt=OuterRef(OuterRef("pk")))
    )
    reports = QualityReport.objects.filter(
        part_id=OuterRef("part_id"),
        step_id=OuterRef("step_id"),
        created__gte=OuterRef("decided_at"),
        is_archived=False,
    ).exclude(Exists(later_decision))
    if failed:
        reports = reports.filter(status=ReportStatusChoices.FAIL)
    return reports


def analytics(rule_sets):
    """Figures per rule set, in the order given: a list of ``RuleSetAnalytics``. Two aggregate
    queries whatever the number of sets and decisions.

    * ``decisions``: the decisions logged under the set (``SamplingDecision.rule_set``: the set that
      was active, so a fallback set has figures of its own).
    * ``required``: those with ``must_inspect``.
    * ``done``: required decisions with at least one quality report of that part at that step
      created at or after the decision and before the part's next decision at that step (the same
      visit); archived reports do not count. Each report belongs to one visit only, so it counts
      once, and a decision counts once however many reports it has.
    * ``compliance_rate``: ``done / required`` (0 to 1), None when nothing was required.
    * ``defects``: the failed reports among the reports that made required decisions done.
    """
    rule_sets = list(rule_sets)
    ids = [rule_set.pk for rule_set in rule_sets]
    required = Q(must_inspect=True)
    counts = {
        row["rule_set_id"]: row
        for row in SamplingDecision.objects.filter(rule_set_id__in=ids)
        .values("rule_set_id")
        .annotate(
            decisions=Count("pk"),
            required=Count("pk", filter=required),
            done=Count("pk", filter=required & Q(Exists(_visit_reports()))),
        )
        .order_by()
    }
    failed = (
        _visit_reports(failed=True).order_by().values("part_id").annotate(number=Count("pk")).values("number")
    )
    defects = {
        row["rule_set_id"]: row["defects"]
        for row in SamplingDecision.objects.filter(rule_set_id__in=ids, must_inspect=True)
        .values("rule_set_id")
        .annotate(defects=Sum(Coalesce(Subquery(failed, output_field=IntegerField()), 0)))
        .order_by()
    }
    result = []
    for rule_set in rule_sets:
        row = counts.get(rule_set.pk, {})
        number_required = row.get("required", 0)
        done = row.get("done", 0)
        result.append(
            RuleSetAnalytics(
                rule_set=rule_set,
                decisions=row.get("decisions", 0),
                required=number_required,
                done=done,
                compliance_rate=done / number_required if number_required else None,
                defects=defects.get(rule_set.pk, 0),
            )
        )
    return result
