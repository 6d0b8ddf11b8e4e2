"""The canonical content of a record: exactly what a signature's SHA-256 covers.

    canonical_content(widget) == {
        "record": ["testapp", "widget"],
        "id": "12",
        "fields": {"name": "Bracket", "quantity": 5, "customer": 3, "specification": "Steel", ...},
    }

- ``fields`` holds the record's audited field values in the audit trail's stored form
  (``qualitas.core.audit.snapshot``: foreign keys as ids, dates as ISO 8601 in UTC, decimals as
  strings, secrets named in ``audit_redact_fields`` as a short digest), plus every many-to-many
  field as the sorted list of related ids.
- Left out, because they are bookkeeping rather than content: ``created``, ``created_by``,
  ``updated``, ``updated_by``, the archive fields (``is_archived``, ``archived_at``,
  ``archived_by``, ``archive_reason``), ``is_current`` of versioned records (releasing a new
  version does not change what the old one said), fields in the model's ``audit_ignore_fields``,
  and the state machine's status field: a status transition is not a change of content, so an
  approval does not break the signatures made before it. A model names further fields in
  ``signature_exclude_fields``.
- ``record`` and ``id`` bind the hash to the one record signed: the same values on another record
  give another hash.

The bytes hashed are ``qualitas.core.audit.canonical_bytes`` of that dict (JSON, keys sorted, no
whitespace, UTF-8), the encoding the audit trail's hash chain uses. A Signature stores them as
text, so an auditor recomputes ``sha256(signature.content)`` without Qualitas.
"""

import functools
import hashlib
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from qualitas.core import audit

#: Fields that never count as a record's content (see the module docstring).
BOOKKEEPING_FIELDS = frozenset(
    {
        "created",
        "created_by",
        "updated",
        "updated_by",
        "is_archived",
        "archived_at",
        "archived_by",
        "archive_reason",
        "is_current",
    }
)


@functools.cache
def excluded_fields(model):
    """The field names left out of ``model``'s canonical content."""
    excluded = set(BOOKKEEPING_FIELDS)
    machine = getattr(model, "state_machine", None)
    if machine is not None:
        excluded.add(machine.field)
    excluded.update(getattr(model, "signature_exclude_fields", ()))
    return frozenset(excluded)


def canonical_content(obj):
    """The record's content as signed: ``{"record": [app, model], "id": "<pk>", "fields": {...}}``."""
    model = obj._meta.concrete_model
    excluded = excluded_fields(model)
    fields = {name: value for name, value in audit.snapshot(obj).items() if name not in excluded}
    for field in model._meta.many_to_many:
        if field.name in excluded:
            continue
        related = field.value_from_object(obj) if obj.pk is not None else []
        fields[field.name] = sorted(audit.json_value(item.pk) for item in related)
    return {"record": [model._meta.app_label, model._meta.model_name], "id": str(obj.pk), "fields": fields}


def canonical_text(obj):
    """The canonical content as the exact text that is hashed."""
    return audit.canonical_bytes(canonical_content(obj)).decode()


def text_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(obj):
    """SHA-256 (hex) of the record's canonical content now."""
    return hashlib.sha256(audit.canonical_bytes(canonical_content(obj))).hexdigest()


def current_hashes(signatures):
    """``{(content_type_id, object_id): current content hash}`` of every record the signatures
    belong to that still exists. One query per record type (plus one per many-to-many field), so
    a list of signatures costs the same whatever its length."""
    wanted = defaultdict(set)
    for signature in signatures:
        wanted[signature.content_type_id].add(signature.object_id)
    hashes = {}
    for content_type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        many_to_many = [field.name for field in model._meta.many_to_many]
        rows = model._base_manager.filter(pk__in=sorted(object_ids)).prefetch_related(*many_to_many)
        for row in rows:
            hashes[(content_type_id, str(row.pk))] = content_hash(row)
    return hashes


def annotate_matches(signatures):
    """Set ``matches_current`` on each signature, computing each record's hash once. Returns the
    signatures as a list."""
    signatures = list(signatures)
    hashes = current_hashes(signatures)
    for signature in signatures:
        current = hashes.get((signature.content_type_id, signature.object_id))
        signature.matches_current = None if current is None else current == signature.content_hash
    return signatures
