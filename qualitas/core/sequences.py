"""Record numbers: human-readable, unique, never reused (``NCR-2026-0042``)."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qualitas.core.models import RecordSequence

_SEQ = re.compile(r"\{seq(:[^}]*)?\}")


def next_value(key):
    """Take the next value of a counter. Holds a row lock on that one counter until the caller's
    transaction ends, so numbers are gap-free within a committed history."""
    with transaction.atomic():
        for _attempt in range(3):
            sequence = RecordSequence.objects.select_for_update().filter(key=key).first()
            if sequence is not None:
                break
            try:
                with transaction.atomic():
                    sequence = RecordSequence.objects.create(key=key, last_value=0)
                break
            except IntegrityError:  # another writer created it first
                continue
        RecordSequence.objects.filter(pk=sequence.pk).update(last_value=sequence.last_value + 1)
        return sequence.last_value + 1


def reserve_values(key, count):
    """Take ``count`` consecutive values of a counter at once (bulk creation); returns the first."""
    if count < 1:
        raise ValueError("Reserve at least one value.")
    with transaction.atomic():
        first = next_value(key)
        if count > 1:
            RecordSequence.objects.filter(key=key).update(last_value=first + count - 1)
        return first


def pattern_for(model):
    """The number pattern for a model: settings.QUALITAS_NUMBER_PATTERNS overrides the model's own."""
    overrides = getattr(settings, "QUALITAS_NUMBER_PATTERNS", {})
    return overrides.get(model._meta.label_lower, model.number_pattern)


def _counter(model, when, tokens):
    when = when or timezone.now()
    values = {"year": when.year, "month": f"{when.month:02d}", **tokens}
    pattern = pattern_for(model)
    return model._meta.label_lower + ":" + _SEQ.sub("#", pattern).format(**values), pattern, values


def next_number(model, when=None, **tokens):
    """Format the model's pattern with ``{year}``, ``{month}``, ``{seq}`` and any extra tokens.

    One counter runs per distinct prefix, so ``CAPA-CA-2026-`` and ``CAPA-PA-2026-`` count
    separately and every year starts at 1.
    """
    key, pattern, values = _counter(model, when, tokens)
    return pattern.format(seq=next_value(key), **values)


def next_numbers(model, count, when=None, **tokens):
    """``count`` consecutive record numbers for a bulk creation, with one counter update."""
    key, pattern, values = _counter(model, when, tokens)
    first = reserve_values(key, count)
    return [pattern.format(seq=first + offset, **values) for offset in range(count)]
