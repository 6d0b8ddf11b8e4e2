"""Inspection services: checking and recording measurement results, computing a report's status,
and the consequences of a failed report (an NCR and the part quarantined, by an explicit call to
``nonconformance.services``).

``record_report`` records one report; ``record_reports`` records many at once for the bulk API
(validated first, then written with bulk inserts in one transaction). Both go through the same
``prepare`` and ``write`` steps, which is the boundary the SPC module hooks its evaluation into.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qualitas.core.sequences import next_numbers
from qualitas.nonconformance import services as nonconformance
from qualitas.production.actions import usable_equipment

from . import sampling
from .choices import ReportStatusChoices
from .models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    ReportDefect,
    SamplingRule,
    SamplingRuleSet,
)

#: Clock drift allowed between a gauge or client and the server.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
TRUE_WORDS = {"true", "pass", "ok", "yes", "1", "passed", "good"}
FALSE_WORDS = {"false", "fail", "nok", "no", "0", "failed", "bad"}


# --- One result --------------------------------------------------------------------------------


def within_limits(definition, value):
    """Whether a numeric ``value`` is within the definition's limits (inclusive; an open side has no
    limit)."""
    lsl, usl = definition.lsl, definition.usl
    return (lsl is None or value >= lsl) and (usl is None or value <= usl)


def check_value(definition, value=None, attribute_ok=None, unit=None):
    """Parse one raw result for ``definition``: returns ``(value, attribute_ok, is_pass)`` or raises
    ValidationError with a message naming the characteristic.

    Numeric: a finite number, in the definition's unit when a unit is sent. Attribute: a yes/no
    (true/false, pass/fail, ok/nok)."""
    name = str(definition)
    if definition.is_numeric:
        if attribute_ok not in (None, ""):
            raise ValidationError(f"{name} is measured as a number, not pass / fail.")
        if unit not in (None, "") and str(unit).strip() != definition.unit:
            raise ValidationError(f"{name} is measured in {definition.unit or 'no unit'}, not in {unit}.")
        if value in (None, ""):
            raise ValidationError(f"{name}: enter the measured value.")
        if isinstance(value, bool):
            raise ValidationError(f"{name} is measured as a number, not yes / no.")
        try:
            number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{name}: “{value}” is not a number.")
        if not math.isfinite(number):
            raise ValidationError(f"{name}: the value must be a finite number.")
        return number, None, within_limits(definition, number)
    if value not in (None, "") and not isinstance(value, bool):
        raise ValidationError(f"{name} is checked pass / fail, not measured as a number.")
    raw = attribute_ok if attribute_ok not in (None, "") else value
    if isinstance(raw, bool):
        return None, raw, raw
    word = str(raw).strip().lower() if raw is not None else ""
    if word in TRUE_WORDS:
        return None, True, True
    if word in FALSE_WORDS:
        return None, False, False
    raise ValidationError(f"{name}: say whether it passed (pass / fail).")


def whole_number(value):
    """``value`` as a whole number (3, "3", 3.0), or 0 for anything else (2.7, "", "three", True)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float):
        return int(value) if value.is_integer() else 0
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def report_status(results, defect_count, required_ids):
    """Fail when any result fails or a defect is named; pending while a required characteristic is
    missing; pass otherwise."""
    if defect_count or any(not result.is_pass for result in results):
        return ReportStatusChoices.FAIL
    if set(required_ids) - {result.definition_id for result in results}:
        return ReportStatusChoices.PENDING
    return ReportStatusChoices.PASS


# --- Reports -----------------------------------------------------------------------------------


@dataclass
class PreparedReport:
    part: object
    step: object
    inspector: object
    equipment: object = None
    notes: str = ""
    inspected_at: object = None
    results: list = field(default_factory=list)
    defects: list = field(default_factory=list)
    status: str = ReportStatusChoices.PENDING
    report: object = None


def definitions_of(step):
    return {d.pk: d for d in MeasurementDefinition.objects.filter(step=step, is_archived=False)}


def prepare(
    part, step, inspector, results=(), defects=(), equipment=None, notes="", inspected_at=None, cache=None
):
    """Check one report's input without writing anything. ``results`` are dicts with
    ``definition`` (id or instance) and ``value`` / ``attribute_ok`` / ``unit``; ``defects`` dicts
    with ``error_type``, ``quantity``, ``location``, ``note``. Raises ValidationError with field
    errors (``results`` as one message list per item)."""
    errors = {}
    cache = cache if cache is not None else {}
    if step is None or part is None:
        raise ValidationError({"step": "Name the part and the step."})
    if inspector is None or not getattr(inspector, "pk", None):
        raise ValidationError({"inspector": "A quality report is recorded by a signed-in person."})
    process_id = part.work_order.process_id
    if step.process_id != process_id:
        errors["step"] = f"“{step}” is not a step of {part}'s routing."
    elif step.pk != part.current_step_id and not part.transitions.filter(to_step=step).exists():
        errors["step"] = f"{part} has not reached “{step}”: it is at “{part.current_step}”."
    if inspected_at is not None and inspected_at > timezone.now() + FUTURE_TOLERANCE:
        errors["inspected_at"] = "The inspection time is in the future."
    definitions = cache.get(("definitions", step.pk))
    if definitions is None:
        definitions = cache[("definitions", step.pk)] = definitions_of(step)
    prepared = PreparedReport(
        part=part,
        step=step,
        inspector=inspector,
        notes=(notes or "").strip(),
        inspected_at=inspected_at or timezone.now(),
    )
    try:
        prepared.equipment = usable_equipment(equipment)
    except ValidationError as error:
        errors.update(error.message_dict)
    item_errors = []
    seen = set()
    for item in results:
        if not isinstance(item, dict):
            item_errors.append(["Each result is an object with a definition and a value."])
            continue
        key = item.get("definition")
        definition_id = getattr(key, "pk", key)
        try:
            definition = definitions.get(int(definition_id))
        except (TypeError, ValueError):
            definition = None
        if definition is None:
            item_errors.append([f"Characteristic {definition_id!r} is not measured at “{step}”."])
            continue
        if definition.pk in seen:
            item_errors.append([f"{definition} is given twice."])
            continue
        seen.add(definition.pk)
        try:
            value, attribute_ok, is_pass = check_value(
                definition, item.get("value"), item.get("attribute_ok"), item.get("unit")
            )
        except ValidationError as error:
            item_errors.append(error.messages)
            continue
        item_errors.append([])
        prepared.results.append(
            MeasurementResult(definition=definition, value=value, attribute_ok=attribute_ok, is_pass=is_pass)
        )
    if any(item_errors):
        errors["results"] = [" ".join(messages) for messages in item_errors]
    defect_errors = []
    error_types = cache.get(("error_types", part.part_type_id))
    if error_types is None:
        # Error types of any revision of the part type, and those for every part type.
        error_types = cache[("error_types", part.part_type_id)] = {
            e.pk: e
            for e in ErrorType.objects.filter(is_archived=False).filter(
                Q(part_type__lineage=part.part_type.lineage) | Q(part_type__isnull=True)
            )
        }
    for item in defects:
        if not isinstance(item, dict):
            defect_errors.append("Each defect is an object with an error type and a quantity.")
            continue
        key = item.get("error_type")
        try:
            error_type = error_types.get(int(getattr(key, "pk", key)))
        except (TypeError, ValueError):
            error_type = None
        if error_type is None:
            defect_errors.append(f"Error type {key!r} is not defined for {part.part_type.part_number}.")
            continue
        quantity = whole_number(item.get("quantity", 1))
        if quantity < 1:
            defect_errors.append(f"{error_type}: the quantity must be a whole number of at least 1.")
            continue
        defect_errors.append("")
        prepared.defects.append(
            ReportDefect(
                error_type=error_type,
                quantity=quantity,
                location=str(item.get("location") or "")[:200],
                note=str(item.get("note") or ""),
            )
        )
    if any(defect_errors):
        errors["defects"] = defect_errors
    if not prepared.results and not prepared.defects and not errors:
        errors["results"] = ["Record at least one measurement or defect."]
    if errors:
        raise ValidationError(errors)
    required = [d.pk for d in definitions.values() if d.is_required]
    prepared.status = report_status(prepared.results, len(prepared.defects), required)
    return prepared


def write(prepared_reports, user=None, request=None):
    """Write prepared reports with bulk inserts (reports, results, defects), update the sampling
    state, and open an NCR for each failed report (the part quarantined). Returns the reports."""
    if not prepared_reports:
        return []
    with transaction.atomic():
        numbers = next_numbers(QualityReport, len(prepared_reports))
        reports = [
            QualityReport(
                number=number,
                part=item.part,
                step=item.step,
                work_order_id=item.part.work_order_id,
                inspector=item.inspector,
                equipment=item.equipment,
                status=item.status,
                inspected_at=item.inspected_at,
                notes=item.notes,
            )
            for number, item in zip(numbers, prepared_reports, strict=True)
        ]
        QualityReport.objects.bulk_create(reports)
        results, defects = [], []
        for report, item in zip(reports, prepared_reports, strict=True):
            item.report = report
            for result in item.results:
                result.report = report
                result.recorded_at = item.inspected_at
                results.append(result)
            for defect in item.defects:
                defect.report = report
                defects.append(defect)
        MeasurementResult.objects.bulk_create(results)
        if defects:
            ReportDefect.objects.bulk_create(defects)
        sampling.record_inspections(
            [(item.part, item.step, item.status == ReportStatusChoices.FAIL) for item in prepared_reports]
        )
        for item in prepared_reports:
            if item.status == ReportStatusChoices.FAIL:
                nonconformance.open_from_report(item.report, user=user, request=request)
    return reports


def record_report(
    part, step, inspector, results=(), defects=(), equipment=None, notes="", inspected_at=None, request=None
):
    """Record one quality report of ``part`` at ``step``; see ``prepare`` for the input. A failed
    report opens an NCR and quarantines the part. Returns the report."""
    prepared = prepare(part, step, inspector, results, defects, equipment, notes, inspected_at)
    return write([prepared], user=inspector, request=request)[0]


def record_reports(items, user, request=None):
    """Record many reports at once (the bulk API). ``items`` are dicts with ``part``, ``step`` and the
    arguments of ``prepare``. Every item is checked before anything is written; errors come back
    as ``{"reports": [{field: [messages]} or {}, ...]}``, one entry per item, and nothing is
    written."""
    cache = {}
    prepared, errors = [], []
    for item in items:
        try:
            prepared.append(
                prepare(
                    item.get("part"),
                    item.get("step"),
                    user,
                    item.get("results") or (),
                    item.get("defects") or (),
                    item.get("equipment"),
                    item.get("notes") or "",
                    item.get("inspected_at"),
                    cache=cache,
                )
            )
            errors.append({})
        except ValidationError as error:
            errors.append(error.message_dict)
    if any(errors):
        raise BulkValidationError(errors)
    return write(prepared, user=user, request=request)


class BulkValidationError(ValidationError):
    """A refused bulk request: ``item_errors`` has one ``{field: [messages]}`` per item (``{}`` for
    the items that were fine), in the order sent."""

    def __init__(self, item_errors):
        self.item_errors = item_errors
        bad = [index for index, errors in enumerate(item_errors) if errors]
        super().__init__(
            f"{len(bad)} of {len(item_errors)} reports have errors (first: report {bad[0] + 1}); nothing was recorded."
        )


# --- Routing revisions -------------------------------------------------------------------------


def copy_step_inspections(copies):
    """Copy the measurement definitions and sampling rule sets of old steps to their new copies
    (``{old step id: new step}``), as a routing is revised."""
    definitions = []
    for definition in MeasurementDefinition.objects.filter(step_id__in=copies, is_archived=False):
        definition.pk = None
        definition.id = None
        definition._state.adding = True
        definition.step = copies[definition.step_id]
        definitions.append(definition)
    MeasurementDefinition.objects.bulk_create(definitions)
    rule_sets = list(
        SamplingRuleSet.objects.filter(step_id__in=copies, is_archived=False).prefetch_related("rules")
    )
    mapping = {}
    for rule_set in rule_sets:
        rules = list(rule_set.rules.filter(is_archived=False))
        old_pk = rule_set.pk
        rule_set.pk = None
        rule_set.id = None
        rule_set._state.adding = True
        rule_set.step = copies[rule_set.step_id]
        rule_set.process = rule_set.step.process if rule_set.process_id else None
        rule_set.fallback = None
        rule_set.save()
        mapping[old_pk] = (rule_set, rules)
    for old_pk, (rule_set, rules) in mapping.items():
        original = SamplingRuleSet.objects.get(pk=old_pk)
        if original.fallback_id in mapping:
            rule_set.fallback = mapping[original.fallback_id][0]
            rule_set.save()
        copies_of_rules = []
        for rule in rules:
            rule.pk = None
            rule.id = None
            rule._state.adding = True
            rule.rule_set = rule_set
            copies_of_rules.append(rule)
        SamplingRule.objects.bulk_create(copies_of_rules)


def remove_step_inspections(step):
    """Delete a (draft) step's sampling rule sets and rules, and its measurement definitions,
    through the audited querysets, before the step itself is deleted."""
    rule_sets = SamplingRuleSet.objects.filter(step=step)
    SamplingRule.objects.filter(rule_set__in=rule_sets).delete()
    SamplingRuleSet.objects.filter(fallback__in=rule_sets).exclude(step=step).update(fallback=None)
    for rule_set in rule_sets.exclude(fallback=None):
        rule_set.fallback = None
        rule_set.save()
    rule_sets.delete()
    MeasurementDefinition.objects.filter(step=step).delete()
