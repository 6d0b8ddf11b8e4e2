"""Readable history: an ObjectChange's stored values as a person reads them.

The trail stores raw values (choice codes, foreign-key ids, ISO dates) because that is what is
hashed and what an auditor checks. People read labels: the field's verbose name, "Supplier"
rather than ``supplier``, the related record's name rather than ``42``. This module turns the
stored ``changes`` into such rows, for a whole page of entries at once:

    entries = describe(page.object_list, user=request.user)
    for entry in entries:
        for row in entry.rows: row.label, row.before.text, row.after.text, row.before.raw

Related records are looked up in one query per related model for all the entries together, and
through ``restrict()``: a record the user may not see, or one that no longer exists, is shown by
its id.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst

from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.scoping import permission_name

REDACTED_PREFIX = "redacted:"
#: Many-to-many changes are stored as ``{"added": [ids], "removed": [ids], "cleared": []}``.
MEMBER_VERBS = {"added": "Added", "removed": "Removed", "cleared": "Cleared"}
#: Removed members belong in the "before" column, added ones in the "after" column.
MEMBER_SIDES = {"removed": "before", "cleared": "before"}


def is_empty(value):
    return value is None or value == "" or value == [] or value == {}


@dataclass
class ChangeValue:
    """One value: ``raw`` as stored (and hashed), ``text`` as read, ``url`` of a related record."""

    raw: object
    text: str = ""
    url: str = ""

    @property
    def is_empty(self):
        return is_empty(self.raw)


@dataclass
class ChangeMembers:
    """A many-to-many change: ``verb`` ("Added"), the members concerned, and the column it
    belongs in (``side``: "before" for removals, "after" for additions)."""

    verb: str
    members: list
    side: str = "after"


@dataclass
class ChangeRow:
    name: str
    label: str
    before: ChangeValue | None = None
    after: ChangeValue | None = None
    #: For many-to-many changes (``is_pair`` is then False).
    members: list = field(default_factory=list)
    #: The stored value of this field in ``changes``, untouched.
    raw: object = None

    @property
    def is_pair(self):
        return self.before is not None or self.after is not None

    @property
    def members_before(self):
        """Many-to-many removals, shown in the "before" column."""
        return [group for group in self.members if group.side == "before"]

    @property
    def members_after(self):
        """Many-to-many additions, shown in the "after" column."""
        return [group for group in self.members if group.side == "after"]

    @property
    def raw_json(self):
        return json.dumps(self.raw, ensure_ascii=False)


def describe(entries, user=None):
    """Set ``entry.rows`` (a list of ChangeRow) on each ObjectChange and return the entries.

    With ``user``, related records are named only when the user may see them. Queries: one per
    related model across all the entries, whatever their number.
    """
    entries = list(entries)
    plans = [_plan(entry) for entry in entries]
    wanted = defaultdict(set)
    for plan in plans:
        for _name, model_field, value in plan:
            for related_model, pk in _references(model_field, value):
                wanted[related_model].add(pk)
    names = {model: _lookup(model, pks, user) for model, pks in wanted.items()}
    for entry, plan in zip(entries, plans, strict=True):
        entry.rows = [_row(entry, name, model_field, value, names) for name, model_field, value in plan]
        entry.rows = [row for row in entry.rows if row is not None]
    return entries


def rows_for(entry, user=None):
    """The readable rows of one entry (reuses ``entry.rows`` when ``describe`` already ran)."""
    if not hasattr(entry, "rows"):
        describe([entry], user=user)
    return entry.rows


# --- Internals ---------------------------------------------------------------------------------


def _model_of(entry):
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _plan(entry):
    """(name, model field or None, stored value) per changed field, in the model's field order."""
    model = _model_of(entry)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    order = {}
    if model is not None:
        order = {f.name: index for index, f in enumerate(model._meta.get_fields())}
    plan = []
    for name, value in changes.items():
        model_field = None
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
        plan.append((name, model_field, value))
    plan.sort(key=lambda item: (order.get(item[0], len(order)), item[0]))
    return plan


def _is_pair(value):
    return isinstance(value, list) and len(value) == 2


def _related_model(model_field):
    if model_field is None or not model_field.is_relation or model_field.related_model is None:
        return None
    if model_field.many_to_one or model_field.one_to_one or model_field.many_to_many:
        return model_field.related_model
    return None


def _references(model_field, value):
    """(related model, pk) pairs that a stored value points to."""
    related = _related_model(model_field)
    if related is None:
        return []
    if _is_pair(value) and not model_field.many_to_many:
        candidates = value
    elif isinstance(value, dict) and model_field.many_to_many:
        candidates = [pk for ids in value.values() if isinstance(ids, list) for pk in ids]
    else:
        return []
    pks = []
    for candidate in candidates:
        pk = _to_pk(related, candidate)
        if pk is not None:
            pks.append((related, pk))
    return pks


def _to_pk(model, value):
    if is_empty(value) or isinstance(value, bool | dict | list):
        return None
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


def _lookup(model, pks, user):
    """{str(pk): record} for the records that exist and that ``user`` may see."""
    if user is None or model is ContentType:
        # Record types are not secret (they name a kind of record, not a record).
        queryset = model._base_manager.all()
    elif hasattr(model._default_manager, "restrict"):
        # The same scoping as the related record's own pages.
        queryset = model._default_manager.restrict(user, "view")
    elif user.is_superuser or user.has_perm(permission_name(model, "view")):
        queryset = model._base_manager.all()
    else:
        return {}
    return {str(record.pk): record for record in queryset.filter(pk__in=pks)}


def _row(entry, name, model_field, value, names):
    verbose_name = getattr(model_field, "verbose_name", None)
    label = capfirst(str(verbose_name)) if verbose_name else name
    if _is_pair(value):
        before, after = value
        if entry.action == ChangeActionChoices.CREATE and is_empty(after):
            return None
        if entry.action == ChangeActionChoices.DELETE and is_empty(before):
            return None
        return ChangeRow(
            name=name,
            label=label,
            before=_value(model_field, before, names),
            after=_value(model_field, after, names),
            raw=value,
        )
    if isinstance(value, dict) and value and all(isinstance(ids, list) for ids in value.values()):
        members = [
            ChangeMembers(
                verb=MEMBER_VERBS.get(verb, capfirst(verb)),
                members=[_value(model_field, member, names, single=True) for member in ids],
                side=MEMBER_SIDES.get(verb, "after"),
            )
            for verb, ids in value.items()
            if ids or verb == "cleared"
        ]
        if not members:
            return None
        return ChangeRow(name=name, label=label, members=members, raw=value)
    # Any other shape is shown as stored.
    return ChangeRow(name=name, label=label, after=ChangeValue(value, _plain(value)), raw=value)


def _value(model_field, raw, names, single=False):
    if is_empty(raw):
        return ChangeValue(raw, "")
    if isinstance(raw, str) and raw.startswith(REDACTED_PREFIX):
        return ChangeValue(raw, "(changed; the value is not stored)")
    if model_field is None:
        return ChangeValue(raw, _plain(raw))
    related = _related_model(model_field)
    if related is not None and (single or not model_field.many_to_many):
        pk = _to_pk(related, raw)
        record = names.get(related, {}).get(str(pk)) if pk is not None else None
        if record is None:
            return ChangeValue(raw, _plain(raw))
        url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
        return ChangeValue(raw, str(record), url or "")
    if getattr(model_field, "flatchoices", None):
        return ChangeValue(raw, str(dict(model_field.flatchoices).get(raw, raw)))
    if isinstance(model_field, models.BooleanField) and isinstance(raw, bool):
        return ChangeValue(raw, "Yes" if raw else "No")
    if isinstance(model_field, models.DateTimeField) and isinstance(raw, str):
        moment = parse_datetime(raw)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return ChangeValue(raw, date_format(timezone.localtime(moment), "DATETIME_FORMAT"))
    elif isinstance(model_field, models.DateField) and isinstance(raw, str):
        day = parse_date(raw)
        if day is not None:
            return ChangeValue(raw, date_format(day, "DATE_FORMAT"))
    return ChangeValue(raw, _plain(raw))


def _plain(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
