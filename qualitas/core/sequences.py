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


def pattern_for(model):
    """The number pattern for a model: settings.QUALITAS_NUMBER_PATTERNS overrides the model's own."""
    overrides = getattr(settings, "QUALITAS_NUMBER_PATTERNS", {})
    return overrides.get(model._meta.label_lower, model.number_pattern)


def next_number(model, when=None, **tokens):
    """Format the model's pattern with ``{year}``, ``{month}``, ``{seq}`` and any extra tokens.

    One counter runs per distinct prefix, so ``CAPA-CA-2026-`` and ``CAPA-PA-2026-`` count
    separately and every year starts at 1.
    """
    when = when or timezone.now()
    values = {"year": when.year, "month": f"{when.month:02d}", **tokens}
    pattern = pattern_for(model)
    key = model._meta.label_lower + ":" + _SEQ.sub("#", pattern).format(**values)
    value = next_value(key)
    return pattern.format(seq=value, **values)
