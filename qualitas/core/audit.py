"""Writing and verifying the audit trail.

Writers call ``record_change`` (through the framework's base model, queryset and actions); it
inserts one ObjectChange in the caller's transaction with the entry's own SHA-256. Nothing is
locked. ``seal()`` links committed entries into the hash chain later, in its own short
transaction; ``verify()`` walks the chain. The design and its trade-offs are written down in
docs/architecture/audit-trail.md.
"""

import datetime
import decimal
import functools
import hashlib
import json
import math
import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import AuditChainHead, AuditChainLink, ObjectChange
from qualitas.framework.context import current_context

GENESIS = "0" * 64
# Fields that change on every save and say nothing to an auditor.
IGNORED_FIELDS = frozenset({"updated", "updated_by"})


def json_value(value):
    """A JSON-native, stable form of a field value (the form stored and hashed)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            # JSON has no NaN or infinity, and PostgreSQL's jsonb refuses them.
            return str(value)
        if value.is_integer() and abs(value) >= 1e16:
            # Python writes these as 1e+16, which jsonb gives back as the integer 10000000000000000:
            # the stored value would no longer hash to the entry's hash. Store the integer itself.
            return int(value)
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


@functools.cache
def audited_fields(model):
    ignored = IGNORED_FIELDS | set(getattr(model, "audit_ignore_fields", ()))
    return [
        field for field in model._meta.concrete_fields if field.name not in ignored and not field.primary_key
    ]


def snapshot(instance):
    """The current values of the instance's audited fields, keyed by field name (FKs by id).

    Fields named in the model's ``audit_redact_fields`` (password hashes, secrets) are stored as a
    short digest, so the trail shows that they changed without holding their value.
    """
    return _snapshot(type(instance), lambda field: getattr(instance, field.attname))


def snapshot_values(model, values):
    """A snapshot from raw loaded values keyed by attname; None if some audited field is missing."""
    fields = audited_fields(model)
    if any(field.attname not in values for field in fields):
        return None
    return _snapshot(model, lambda field: values[field.attname])


def _snapshot(model, read):
    redacted = set(getattr(model, "audit_redact_fields", ()))
    values = {}
    for field in audited_fields(model):
        value = json_value(read(field))
        if field.name in redacted and value:
            value = "redacted:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]
        values[field.name] = value
    return values


def diff(before, after):
    """``{field: [before, after]}`` for every field whose value differs.

    A new record (no ``before``) lists only the fields that were given a value: an empty text
    or a null says nothing the absence of the field does not, and leaving them out keeps the
    most frequent entry small.
    """
    if before is None:
        return {key: [None, value] for key, value in sorted((after or {}).items()) if value not in (None, "")}
    keys = set(before) | set(after or {})
    return {
        key: [before.get(key), (after or {}).get(key)]
        for key in sorted(keys)
        if before.get(key) != (after or {}).get(key)
    }


def hashed_content(entry):
    """What an entry's hash covers, as JSON-native values. ``export_audit`` writes exactly this, so
    that ``offline_verify`` can recompute the hash without Qualitas."""
    return {
        "time": json_value(entry.time),
        "user": entry.user_id,
        "user_name": entry.user_name,
        "request_id": str(entry.request_id) if entry.request_id else None,
        "ip": entry.ip,
        "action": entry.action,
        "model": list(ContentType.objects.get_for_id(entry.content_type_id).natural_key()),
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "reason": entry.reason,
    }


def canonical_bytes(content):
    """The canonical encoding of ``hashed_content``. Changing this breaks every existing chain;
    qualitas/core/offline_verify.py repeats it and a test keeps the two identical."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical(entry):
    """The bytes that an entry's hash covers."""
    return canonical_bytes(hashed_content(entry))


def entry_digest(entry):
    return hashlib.sha256(canonical(entry)).hexdigest()


def chain_digest(previous, entry_hash):
    return hashlib.sha256(f"{previous}{entry_hash}".encode()).hexdigest()


def _build_entry(instance, action, changes, context, object_id=None):
    user = context.current_user()
    return ObjectChange(
        time=timezone.now(),
        user=user if user is not None and getattr(user, "pk", None) else None,
        user_name=_printed_name(user),
        request_id=context.request_id,
        ip=context.ip,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=True),
        object_id=str(object_id if object_id is not None else instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        reason=context.reason or "",
    )


def _printed_name(user):
    if user is None or not getattr(user, "pk", None):
        return ""
    return (getattr(user, "full_name", "") or user.get_username())[:200]


def _insert(entries):
    """Hash and insert entries. The id is not hashed (it is not known before the insert); the
    chain link binds each id to its hash instead."""
    for entry in entries:
        entry.entry_hash = entry_digest(entry)
    if len(entries) == 1 and isinstance(entries[0], ObjectChange):
        _insert_one(entries[0])
    elif entries:
        _insert_many(entries)
    return entries


#: Entries per multi-row INSERT: about 13 parameters each, well under SQLite's limit of 32,766.
INSERT_BATCH = 500


def _insert_many(entries):
    """Multi-row INSERT ... RETURNING id with the same prepared parameters as ``_insert_one``
    (bulk audits: imports, bulk measurements), instead of the ORM's ``bulk_create``, which
    costs about two thirds of a bulk audit. Ids come back in the order of the rows, as Django's
    own ``bulk_create`` relies on for both databases."""
    alias = ObjectChange._base_manager.db
    connection = connections[alias]
    preparers = _preparers(alias)
    unnest = connection.vendor == "postgresql"
    for start in range(0, len(entries), INSERT_BATCH):
        chunk = entries[start : start + INSERT_BATCH]
        if unnest:
            # One array per column: the statement's text never changes, so the driver parses it
            # once (a long VALUES list is parsed anew on every call).
            sql = _insert_unnest_sql(alias)
            params = [[prepare(getattr(entry, attname)) for entry in chunk] for attname, prepare in preparers]
        else:
            sql = _insert_sql(alias, len(chunk))
            params = [prepare(getattr(entry, attname)) for entry in chunk for attname, prepare in preparers]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for entry, pk in zip(chunk, ids, strict=True):
            entry.pk = pk
            if isinstance(entry, ObjectChange):
                entry._state.adding = False
                entry._state.db = alias


def _insert_one(entry):
    """One INSERT ... RETURNING id, prepared once per database.

    This runs on every audited save, so it skips the ORM's per-call SQL compilation (about two
    thirds of the cost of an audited write on SQLite). Values still go through each field's
    own ``get_db_prep_save``, exactly as ``Model.save()`` would prepare them.
    """
    alias = ObjectChange._base_manager.db
    connection = connections[alias]
    params = [prepare(getattr(entry, attname)) for attname, prepare in _preparers(alias)]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(alias), params)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = alias


@functools.cache
def _preparers(alias):
    """For each inserted column, its attribute and how its value becomes a query parameter.

    The same conversions ``Model.save()`` applies (``get_db_prep_save``), looked up once: plain
    text and ids pass through, datetimes and addresses use the backend's adapters, and the few
    fields with their own preparation (JSON, UUID) keep it.
    """
    connection = connections[alias]
    preparers = []
    for field in _insert_fields():
        if isinstance(field, models.DateTimeField):
            prepare = connection.ops.adapt_datetimefield_value
        elif isinstance(field, models.GenericIPAddressField):
            prepare = connection.ops.adapt_ipaddressfield_value
        elif isinstance(field, models.ForeignKey | models.CharField | models.TextField):
            prepare = _as_is
        else:
            prepare = functools.partial(_field_prep, field, connection)
        preparers.append((field.attname, prepare))
    return preparers


def _as_is(value):
    return value


def _field_prep(field, connection, value):
    return field.get_db_prep_save(value, connection)


@functools.cache
def _insert_sql(alias, rows=1):
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _insert_fields())
    row = "(" + ", ".join(["%s"] * len(_insert_fields())) + ")"
    return (
        f"INSERT INTO {quote(ObjectChange._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)} "
        f"RETURNING {quote(ObjectChange._meta.pk.column)}"
    )


@functools.cache
def _insert_unnest_sql(alias):
    """PostgreSQL: INSERT ... SELECT * FROM unnest(one array per column) RETURNING id."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = _insert_fields()
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    return (
        f"INSERT INTO {quote(ObjectChange._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays}) "
        f"RETURNING {quote(ObjectChange._meta.pk.column)}"
    )


@functools.cache
def _insert_fields():
    return [field for field in ObjectChange._meta.concrete_fields if not field.primary_key]


def record_change(instance, action, before=None, after=None, changes=None):
    """Write one ObjectChange for ``instance`` in the current transaction and return it.

    ``before`` and ``after`` are snapshots (see ``snapshot``); ``changes`` overrides the diff
    (used for many-to-many changes). Returns None when the audit trail is switched off, which
    only the audit benchmark does.
    """
    context = current_context()
    if not context.audit_enabled:
        return None
    if changes is None:
        changes = diff(before, after)
    if action == ChangeActionChoices.UPDATE and not changes:
        return None
    return _insert([_build_entry(instance, action, changes, context)])[0]


def record_bulk(instances, action, befores=None, afters=None):
    """One audit row per instance, written with multi-row inserts; returns the ``BulkEntry`` rows."""
    context = current_context()
    if not context.audit_enabled:
        return []
    user = context.current_user()
    user_id = user.pk if user is not None and getattr(user, "pk", None) else None
    shared = {
        "user_id": user_id,
        "user_name": _printed_name(user),
        "request_id": context.request_id,
        "ip": context.ip,
        "action": action,
        "reason": context.reason or "",
    }
    content_types = {}
    entries = []
    for index, instance in enumerate(instances):
        before = befores[index] if befores is not None else None
        after = afters[index] if afters is not None else None
        changes = diff(before, after)
        if action == ChangeActionChoices.UPDATE and not changes:
            continue
        model = type(instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        entries.append(
            BulkEntry(
                time=timezone.now(),
                content_type_id=content_types[model],
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                changes=changes,
                **shared,
            )
        )
    return _insert(entries)


class BulkEntry:
    """One audit row of a bulk write: the values the insert and the hash read, without an
    ``ObjectChange`` model instance (building thousands of those is a third of a bulk audit's
    cost). ``record_bulk`` returns these; read the rows back as ``ObjectChange`` when needed."""

    __slots__ = (
        "time",
        "user_id",
        "user_name",
        "request_id",
        "ip",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "changes",
        "reason",
        "entry_hash",
        "pk",
    )

    def __init__(self, **values):
        self.entry_hash = ""
        self.pk = None
        for name, value in values.items():
            setattr(self, name, value)


def history(instance):
    content_type = ContentType.objects.get_for_model(type(instance), for_concrete_model=True)
    return ObjectChange.objects.filter(content_type=content_type, object_id=str(instance.pk))


# --- The chain ---------------------------------------------------------------------------------


SEAL_BATCH = 5000


def seal(limit=None):
    """Link committed, unlinked entries into the chain, in id order. Returns how many were sealed.

    Runs in its own short transaction and is the only code that locks anything: the single
    chain-head row. Writers never wait for it.
    """
    sealed = 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            batch = list(
                ObjectChange.objects.filter(link__isnull=True)
                .order_by("id")
                .only("id", "entry_hash")[: SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - sealed)]
            )
            if not batch:
                return sealed
            links = []
            seq, chain_hash = head.seq, head.chain_hash
            for entry in batch:
                seq += 1
                chain_hash = chain_digest(chain_hash, entry.entry_hash)
                links.append(
                    AuditChainLink(
                        seq=seq, entry_id=entry.pk, entry_hash=entry.entry_hash, chain_hash=chain_hash
                    )
                )
            AuditChainLink.objects.bulk_create(links)
            AuditChainHead.objects.filter(pk=1).update(seq=seq, chain_hash=chain_hash)
            sealed += len(links)
    return sealed


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    unsealed: int
    head_seq: int
    head_hash: str
    first_broken_entry: int | None = None
    first_broken_seq: int | None = None
    problem: str = ""

    def as_dict(self):
        return {
            "ok": self.ok,
            "checked": self.checked,
            "unsealed": self.unsealed,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_broken_entry": self.first_broken_entry,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
        }


def verify(seal_first=True, chunk=2000):
    """Recompute every entry's hash and the whole chain. Names the first broken entry."""
    if seal_first:
        seal()
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.chain_hash) if head else (0, GENESIS)
    previous, expected_seq, checked = GENESIS, 1, 0

    def broken(problem, link=None, entry_id=None):
        return VerifyResult(
            ok=False,
            checked=checked,
            unsealed=_unsealed_count(),
            head_seq=head_seq,
            head_hash=head_hash,
            first_broken_entry=entry_id if entry_id is not None else (link.entry_id if link else None),
            first_broken_seq=link.seq if link else None,
            problem=problem,
        )

    last_seq = 0
    while True:
        links = list(
            AuditChainLink.objects.filter(seq__gt=last_seq).order_by("seq").select_related("entry")[:chunk]
        )
        if not links:
            break
        for link in links:
            if link.seq != expected_seq:
                return broken(f"the chain skips from sequence {expected_seq - 1} to {link.seq}", link)
            entry = link.entry
            recomputed = entry_digest(entry)
            if recomputed != entry.entry_hash or recomputed != link.entry_hash:
                return broken(
                    f"change #{entry.pk} ({entry.object_repr}) was altered after it was written", link
                )
            chain_hash = chain_digest(previous, link.entry_hash)
            if chain_hash != link.chain_hash:
                return broken(f"the chain link for change #{entry.pk} was altered", link)
            previous = chain_hash
            expected_seq += 1
            checked += 1
            last_seq = link.seq
    if checked != head_seq or previous != (head_hash if head_seq else GENESIS):
        return broken(
            f"the chain head says {head_seq} entries ending {head_hash[:12]}, the links give {checked}"
        )
    return VerifyResult(
        ok=True, checked=checked, unsealed=_unsealed_count(), head_seq=head_seq, head_hash=head_hash
    )


def _unsealed_count():
    return ObjectChange.objects.filter(link__isnull=True).count()


def object_changes_for(model_or_instance):
    return models.Q(
        content_type=ContentType.objects.get_for_model(model_or_instance, for_concrete_model=True)
    )
