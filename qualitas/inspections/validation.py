"""Rules on inspection configuration that the models do not check themselves, written once and
called by the forms (``clean``) and the serializers (``validate``) alike.

Each function takes the record's values as a dict (the form's cleaned data, or the serializer's
attributes over the stored record) and returns ``{field: message}``, with ``None`` as the key of
a message about the record as a whole. An empty dict means the values are fine.
"""

from .choices import MeasurementKindChoices, SamplingRuleKindChoices

LIMIT_FIELDS = ("nominal", "lower_tolerance", "upper_tolerance", "lower_limit", "upper_limit")


def _given(value):
    return value not in (None, "")


def specification_limits(data):
    """(lower, upper) specification limits as the definition computes them: an explicit limit, or
    nominal plus tolerance (see ``MeasurementDefinition.lsl`` and ``usl``)."""
    nominal = data.get("nominal")
    lower, upper = data.get("lower_limit"), data.get("upper_limit")
    if lower is None and nominal is not None and data.get("lower_tolerance") is not None:
        lower = nominal + data["lower_tolerance"]
    if upper is None and nominal is not None and data.get("upper_tolerance") is not None:
        upper = nominal + data["upper_tolerance"]
    return lower, upper


def definition_problems(data):
    """A measurement definition: a numeric characteristic has a unit and at least one limit
    (nominal with a tolerance, or a lower or upper specification limit), and its lower limit is
    below its upper limit; an attribute check (pass / fail) has no unit, nominal or limits."""
    problems = {}
    kind = data.get("kind") or MeasurementKindChoices.NUMERIC
    if kind == MeasurementKindChoices.ATTRIBUTE:
        for name in LIMIT_FIELDS:
            if data.get(name) is not None:
                problems[name] = "An attribute check is passed or failed: it has no nominal or limits."
        if _given((data.get("unit") or "").strip()):
            problems["unit"] = "An attribute check is passed or failed: it has no unit."
        return problems
    if not (data.get("unit") or "").strip():
        problems["unit"] = "Give the unit the characteristic is measured in (mm, µm, N·m, ...)."
    has_tolerance = data.get("lower_tolerance") is not None or data.get("upper_tolerance") is not None
    if has_tolerance and data.get("nominal") is None:
        problems["nominal"] = "A tolerance is counted from the nominal value: give the nominal."
    lower, upper = specification_limits(data)
    if lower is None and upper is None:
        if "nominal" not in problems:
            problems[None] = (
                "Give at least one limit: the nominal with a tolerance, or a lower or upper "
                "specification limit."
            )
    elif lower is not None and upper is not None and lower >= upper:
        problems["lower_limit" if data.get("lower_limit") is not None else "lower_tolerance"] = (
            f"The lower limit ({lower:g}) must be below the upper limit ({upper:g})."
        )
    return problems


def rule_set_problems(data, instance=None):
    """A sampling rule set: its routing is one of the part type's, its step one of that routing's
    (or of one of the part type's routings), and its fallback another rule set of the same step,
    with the defect threshold that switches to it."""
    problems = {}
    part_type, process, step = data.get("part_type"), data.get("process"), data.get("step")
    if part_type is not None and process is not None and process.part_type.lineage != part_type.lineage:
        problems["process"] = (
            f"{process} is a routing of {process.part_type.part_number}, not of {part_type.part_number}."
        )
    if step is not None:
        if process is not None and step.process_id != process.pk:
            problems["step"] = f"“{step}” is not a step of {process}."
        elif (
            part_type is not None and process is None and step.process.part_type.lineage != part_type.lineage
        ):
            problems["step"] = (
                f"“{step}” is a step of {step.process}, not of a routing of {part_type.part_number}."
            )
    fallback = data.get("fallback")
    threshold = data.get("fallback_threshold")
    if fallback is not None:
        if instance is not None and instance.pk is not None and fallback.pk == instance.pk:
            problems["fallback"] = "A rule set cannot be its own fallback."
        elif step is not None and fallback.step_id != step.pk:
            problems["fallback"] = f"The fallback must be a rule set of the same step (“{step}”)."
        if threshold is None:
            problems["fallback_threshold"] = (
                "Give the number of defective parts that switches to the fallback."
            )
    elif threshold is not None:
        problems["fallback"] = "Choose the rule set to fall back to, or leave the threshold empty."
    window = data.get("fallback_window")
    if threshold is not None and window is not None and threshold > window:
        problems["fallback_threshold"] = (
            f"The threshold ({threshold}) cannot be more than the parts it is counted in ({window})."
        )
    return problems


#: The fields each rule kind needs.
RULE_FIELDS = {
    SamplingRuleKindChoices.ALL: (),
    SamplingRuleKindChoices.EVERY_NTH: ("n",),
    SamplingRuleKindChoices.PERCENTAGE: ("percentage",),
    SamplingRuleKindChoices.FIRST_N_THEN_EVERY_M: ("n", "m"),
    SamplingRuleKindChoices.FIRST_N: ("n",),
}
RULE_FIELD_WORDS = {"n": "N", "m": "M", "percentage": "the percentage"}


def rule_problems(data):
    """A sampling rule: the numbers its kind needs (N, M or the percentage) are given."""
    kind = data.get("kind")
    label = SamplingRuleKindChoices.label(kind) if kind else ""
    return {
        name: f"“{label}” needs {RULE_FIELD_WORDS[name]}."
        for name in RULE_FIELDS.get(kind, ())
        if data.get(name) is None
    }
