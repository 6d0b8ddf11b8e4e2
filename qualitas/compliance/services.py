"""The clause library's services: syncing the catalogue into the database, the registry of
record types that give evidence, and the evidence and coverage an auditor reads.

Evidence is declared on the record models (see docs/architecture/clauses.md):

    class CalibrationRecord(PrimaryModel):
        evidence_for = ("iso9001:7.1.5.2", "iatf16949:7.1.5.2.1", "iso22000:8.7")
        evidence_date_field = "calibrated_on"      # the "latest" date; default "created"
        evidence_filter = {"result": "pass"}       # optional: only these records count

A record type whose records tag clauses themselves (documents) names the relation instead:
``clause_field = "clauses"`` (a many-to-many or foreign key to ``compliance.Clause``). Every
count and every record shown goes through ``objects.restrict(user, "view")``: a user sees the
evidence they may see, and nothing else.
"""

import datetime
import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from qualitas.compliance.catalogue import load
from qualitas.compliance.choices import ClauseOriginChoices, EvidenceStatusChoices
from qualitas.compliance.models import Clause, Standard
from qualitas.framework.context import change_context
from qualitas.framework.registry import get_entry
from qualitas.framework.scoping import permission_name

SYNC_REASON = "Clause catalogue synchronised from qualitas/compliance/catalogue"
#: Records listed per record type on a clause page.
LATEST_RECORDS = 10


# --- Syncing the catalogue ----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueChange:
    """One difference between the catalogue and the database."""

    kind: str  # "create", "update", "withdraw"
    key: str  # a clause key, or "standard:<code>"
    fields: dict = field(default_factory=dict)  # field -> (stored, catalogue) for updates

    def __str__(self):
        if self.kind != "update":
            return f"{self.kind} {self.key}"
        names = ", ".join(sorted(self.fields))
        return f"update {self.key} ({names})"


STANDARD_FIELDS = ("name", "edition", "title", "publisher", "summary", "base")
CLAUSE_FIELDS = (
    "title",
    "summary",
    "parent",
    "base_clause",
    "origin",
    "level",
    "sort_key",
    "is_heading",
    "is_withdrawn",
)


def _standard_values(spec):
    return {
        "name": spec.name,
        "edition": spec.edition,
        "title": spec.title,
        "publisher": spec.publisher,
        "summary": spec.summary,
        "base": spec.base,
    }


def _clause_values(spec):
    return {
        "title": spec.title,
        "summary": spec.summary,
        "parent": spec.parent_key,
        "base_clause": spec.base_key,
        "origin": spec.origin,
        "level": spec.level,
        "sort_key": spec.sort_key,
        "is_heading": spec.is_heading,
        "is_withdrawn": False,
    }


def _stored_standards():
    return {standard.code: standard for standard in Standard.objects.select_related("base")}


def _stored_clauses():
    clauses = Clause.objects.select_related("standard").order_by("pk")
    by_id = {clause.pk: clause for clause in clauses}
    return {clause.key: clause for clause in by_id.values()}, by_id


def _stored_clause_values(clause, by_id):
    parent = by_id.get(clause.parent_id)
    base = by_id.get(clause.base_clause_id)
    return {
        "title": clause.title,
        "summary": clause.summary,
        "parent": parent.key if parent else None,
        "base_clause": base.key if base else None,
        "origin": clause.origin,
        "level": clause.level,
        "sort_key": clause.sort_key,
        "is_heading": clause.is_heading,
        "is_withdrawn": clause.is_withdrawn,
    }


def plan_sync(catalogue=None):
    """What ``sync_catalogue`` would change, as a list of ``CatalogueChange``; writes nothing."""
    catalogue = catalogue or load()
    changes = []
    standards = _stored_standards()
    for spec in catalogue.standards:
        stored = standards.get(spec.code)
        key = f"standard:{spec.code}"
        if stored is None:
            changes.append(CatalogueChange("create", key))
            continue
        current = {name: getattr(stored, name) for name in STANDARD_FIELDS if name != "base"}
        current["base"] = stored.base.code if stored.base else None
        wanted = _standard_values(spec)
        differ = {
            name: (current[name], wanted[name]) for name in STANDARD_FIELDS if current[name] != wanted[name]
        }
        if differ:
            changes.append(CatalogueChange("update", key, differ))
    clauses, by_id = _stored_clauses()
    for spec in catalogue.clauses:
        stored = clauses.get(spec.key)
        if stored is None:
            changes.append(CatalogueChange("create", spec.key))
            continue
        current = _stored_clause_values(stored, by_id)
        wanted = _clause_values(spec)
        differ = {
            name: (current[name], wanted[name]) for name in CLAUSE_FIELDS if current[name] != wanted[name]
        }
        if differ:
            changes.append(CatalogueChange("update", spec.key, differ))
    for key, stored in clauses.items():
        if key not in catalogue.keys and not stored.is_withdrawn:
            changes.append(CatalogueChange("withdraw", key, {"is_withdrawn": (False, True)}))
    return changes


def sync_catalogue(catalogue=None):
    """Make the Standard and Clause rows match the catalogue; returns the changes made.

    Idempotent: a second run changes nothing. Every write is audited (with the reason
    ``SYNC_REASON``); clauses that left the catalogue are marked withdrawn, never deleted, so
    that records pointing at them stay valid.
    """
    catalogue = catalogue or load()
    changes = plan_sync(catalogue)
    if not changes:
        return changes
    with transaction.atomic(), change_context(reason=SYNC_REASON):
        standards = _apply_standards(catalogue)
        _apply_clauses(catalogue, standards)
    return changes


def _apply_standards(catalogue):
    standards = _stored_standards()
    for spec in catalogue.standards:  # base standards come first
        values = _standard_values(spec)
        values["base"] = standards[spec.base] if spec.base else None
        stored = standards.get(spec.code)
        if stored is None:
            standards[spec.code] = Standard.objects.create(code=spec.code, **values)
            continue
        changed = [name for name, value in values.items() if _differs(stored, name, value)]
        if changed:
            for name in changed:
                setattr(stored, name, values[name])
            stored.save()
    return standards


def _differs(obj, name, value):
    if isinstance(value, models.Model) or value is None and obj._meta.get_field(name).is_relation:
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _apply_clauses(catalogue, standards):
    clauses, by_id = _stored_clauses()
    new = [spec for spec in catalogue.clauses if spec.key not in clauses]
    order = {spec.code: index for index, spec in enumerate(catalogue.standards)}
    # Parents and ISO 9001 clauses must exist before the clauses that point at them.
    new.sort(key=lambda spec: (order[spec.standard], spec.level))
    batch = []
    for index, spec in enumerate(new):
        batch.append(spec)
        following = new[index + 1] if index + 1 < len(new) else None
        if following is None or (following.standard, following.level) != (spec.standard, spec.level):
            created = Clause.objects.bulk_create(
                [
                    Clause(
                        standard=standards[item.standard],
                        number=item.number,
                        key=item.key,
                        title=item.title,
                        summary=item.summary,
                        parent=clauses[item.parent_key] if item.parent_key else None,
                        base_clause=clauses[item.base_key] if item.base_key else None,
                        origin=item.origin,
                        level=item.level,
                        sort_key=item.sort_key,
                        is_heading=item.is_heading,
                    )
                    for item in batch
                ]
            )
            clauses.update({clause.key: clause for clause in created})
            batch = []
    changed = []
    changed_fields = set()
    for spec in catalogue.clauses:
        stored = clauses[spec.key]
        if stored.pk in by_id:  # existing before this sync
            wanted = _clause_values(spec)
            current = _stored_clause_values(stored, by_id)
            differ = [name for name in CLAUSE_FIELDS if current[name] != wanted[name]]
            if differ:
                for name in differ:
                    value = wanted[name]
                    if name in ("parent", "base_clause"):
                        value = clauses[value] if value else None
                    setattr(stored, name, value)
                changed.append(stored)
                changed_fields.update(differ)
    for key, stored in clauses.items():
        if key not in catalogue.keys and not stored.is_withdrawn:
            stored.is_withdrawn = True
            changed.append(stored)
            changed_fields.add("is_withdrawn")
    if changed:
        Clause.objects.bulk_update(changed, sorted(changed_fields))


# --- The evidence registry -----------------------------------------------------------------------


class EvidenceDeclarationError(ImproperlyConfigured):
    """A record model declares evidence the catalogue cannot accept (an unknown clause key ...)."""


@dataclass(frozen=True)
class EvidenceSource:
    """A record type that gives evidence: for the clauses it declares, or for those its records tag."""

    model: type
    keys: tuple = ()
    date_field: str = "created"
    filters: dict = field(default_factory=dict, hash=False, compare=False)
    clause_field: str | None = None

    @property
    def label(self):
        return self.model._meta.label_lower

    @property
    def name(self):
        return str(self.model._meta.verbose_name_plural)

    @property
    def tags_clauses(self):
        return self.clause_field is not None

    @property
    def filter_description(self):
        """The ``evidence_filter`` in words: "kind: Supplier"."""
        parts = []
        for lookup, value in self.filters.items():
            try:
                model_field = self.model._meta.get_field(lookup.split("__")[0])
            except FieldDoesNotExist:
                parts.append(f"{lookup}: {value}")
                continue
            if model_field.choices:
                shown = dict(model_field.flatchoices).get(value, value)
            elif isinstance(value, bool):
                shown = "yes" if value else "no"
            else:
                shown = value
            label = str(model_field.verbose_name)
            parts.append(f"{label.removeprefix('is ')}: {shown}")
        return "; ".join(parts)

    def queryset(self, user):
        """The records of this type that count as evidence and that ``user`` may see."""
        return self.model.objects.restrict(user, "view").filter(**self.filters)

    def may_view(self, user):
        return bool(
            user is not None
            and user.is_authenticated
            and (user.is_superuser or user.has_perm(permission_name(self.model, "view")))
        )

    def list_url(self, clause=None):
        """The record type's list page, filtered to the records that count (when it has one)."""
        entry = get_entry(self.model)
        if entry is None or entry.views is None:
            return ""
        params = dict(self.filters)
        filters = entry.filterset.base_filters if entry.filterset is not None else {}
        if clause is not None and self.clause_field in filters:
            params[self.clause_field] = clause.pk
        url = entry.views.url("list")
        return f"{url}?{urlencode(params, doseq=True)}" if params else url


def declared_sources():
    sources = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        keys = tuple(getattr(model, "evidence_for", ()) or ())
        clause_field = getattr(model, "clause_field", None)
        if not keys and clause_field is None:
            continue
        sources.append(
            EvidenceSource(
                model=model,
                keys=keys,
                date_field=getattr(model, "evidence_date_field", "created"),
                filters=dict(getattr(model, "evidence_filter", {}) or {}),
                clause_field=clause_field,
            )
        )
    return sources


def check_sources(sources, catalogue=None):
    """The problems with ``sources``' declarations, as readable messages (empty when all is well)."""
    catalogue = catalogue or load()
    problems = []
    for source in sources:
        name = source.model._meta.label
        if isinstance(getattr(source.model, "evidence_for", ()), str):
            problems.append(f"{name}.evidence_for must be a tuple of clause keys, not a single string")
            continue
        for key in source.keys:
            spec = catalogue.by_key.get(key)
            if spec is None:
                problems.append(
                    f"{name} declares evidence for {key!r}, which is not a clause in the catalogue "
                    "(keys look like 'iso9001:7.1.5'; see qualitas/compliance/catalogue/)"
                )
            elif spec.is_heading:
                problems.append(
                    f"{name} declares evidence for {key!r}, a heading whose requirements are in its "
                    "sub-clauses: declare the sub-clauses instead"
                )
        for label, field_name in (
            ("evidence_date_field", source.date_field),
            ("clause_field", source.clause_field),
        ):
            if field_name is None:
                continue
            try:
                model_field = source.model._meta.get_field(field_name)
            except FieldDoesNotExist:
                problems.append(f"{name}.{label} names {field_name!r}, which is not a field of {name}")
                continue
            if label == "evidence_date_field" and not isinstance(model_field, models.DateField):
                problems.append(f"{name}.{label} names {field_name!r}, which is not a date or time field")
            if label == "clause_field" and getattr(model_field, "related_model", None) is not Clause:
                problems.append(
                    f"{name}.clause_field names {field_name!r}, which does not point at compliance.Clause"
                )
        if not hasattr(source.model.objects, "restrict"):
            problems.append(f"{name} declares evidence but its manager has no restrict() for scoping")
    return problems


@functools.cache
def evidence_sources():
    """Every record type that gives evidence, checked against the catalogue.

    Raises ``EvidenceDeclarationError`` naming each model and key that is wrong."""
    sources = declared_sources()
    problems = check_sources(sources)
    if problems:
        raise EvidenceDeclarationError("Wrong clause evidence declarations:\n" + "\n".join(problems))
    return tuple(sorted(sources, key=lambda source: source.label))


def reset_registry():
    """Forget the registry (tests that add declarations call this)."""
    evidence_sources.cache_clear()
    _declared_by_key.cache_clear()


@functools.cache
def _declared_by_key():
    """clause key -> [(source, via)]: the sources declaring that clause, ``via`` None, and those
    declaring the ISO 9001 clause it takes over, ``via`` the ISO 9001 key."""
    catalogue = load()
    inherited = {}
    for spec in catalogue.clauses:
        if spec.base_key:
            inherited.setdefault(spec.base_key, []).append(spec.key)
    mapping = {}
    for source in evidence_sources():
        for key in source.keys:
            mapping.setdefault(key, []).append((source, None))
            for sector_key in inherited.get(key, ()):
                mapping.setdefault(sector_key, []).append((source, key))
    return mapping


def declarations_for(clause_key):
    """[(source, via)] declared for a clause key (directly, or through its ISO 9001 clause)."""
    return list(_declared_by_key().get(clause_key, ()))


def clause_keys_of(source):
    """Every clause key a declaring source gives evidence for, inherited ones included."""
    order = {spec.key: index for index, spec in enumerate(load().clauses)}
    keys = [key for key, pairs in _declared_by_key().items() if any(s is source for s, _via in pairs)]
    return sorted(keys, key=lambda key: order.get(key, len(order)))


# --- Evidence, as one user may see it -----------------------------------------------------------


@dataclass
class EvidenceRow:
    """One record type's evidence for one clause."""

    source: EvidenceSource
    count: int = 0
    latest: object = None
    via: str | None = None  # the ISO 9001 key the evidence is declared on, when inherited
    tagged: bool = False  # records tag the clause themselves
    permitted: bool = True
    records: list = field(default_factory=list)
    list_url: str = ""


@dataclass
class EvidenceStats:
    """Aggregates computed once per user and request: one query per declaring record type, one
    grouped query per clause-tagging record type."""

    user: object
    declared: dict = field(default_factory=dict)  # source label -> (count, latest)
    tagged: dict = field(default_factory=dict)  # source label -> {clause id: (count, latest)}
    permitted: dict = field(default_factory=dict)  # source label -> bool


def evidence_stats(user):
    stats = EvidenceStats(user=user)
    for source in evidence_sources():
        stats.permitted[source.label] = source.may_view(user)
        queryset = source.queryset(user)
        if source.keys:
            result = queryset.order_by().aggregate(count=Count("pk"), latest=Max(source.date_field))
            stats.declared[source.label] = (result["count"], result["latest"])
        if source.tags_clauses:
            rows = (
                queryset.filter(**{f"{source.clause_field}__isnull": False})
                .order_by()
                .values(source.clause_field)
                .annotate(count=Count("pk", distinct=True), latest=Max(source.date_field))
            )
            stats.tagged[source.label] = {
                row[source.clause_field]: (row["count"], row["latest"]) for row in rows
            }
    return stats


def _latest(*dates):
    """The latest of dates and times (record types differ: a calibration date, a change's time)."""
    dates = [date for date in dates if date is not None]
    if not dates:
        return None
    if len({isinstance(date, datetime.datetime) for date in dates}) > 1:
        dates = [_as_time(date) for date in dates]
    return max(dates)


def _as_time(value):
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def _tagged_row(source, stats, clause_id, base_id):
    """A clause-tagging source's count for a clause, including records tagging its ISO 9001
    clause; a record tagging both is counted once (one extra query, only in that case)."""
    groups = stats.tagged.get(source.label, {})
    own = groups.get(clause_id, (0, None))
    base = groups.get(base_id, (0, None)) if base_id else (0, None)
    count = own[0] + base[0]
    if own[0] and base[0]:
        count = (
            source.queryset(stats.user)
            .filter(**{f"{source.clause_field}__in": [clause_id, base_id]})
            .order_by()
            .values("pk")
            .distinct()
            .count()
        )
    return count, _latest(own[1], base[1])


def rows_for(clause_key, clause_id, base_id, stats):
    """The evidence rows of one clause from precomputed ``stats`` (no queries, except the rare
    overlap count in ``_tagged_row``)."""
    rows = []
    for source, via in declarations_for(clause_key):
        count, latest = stats.declared.get(source.label, (0, None))
        rows.append(
            EvidenceRow(
                source=source, count=count, latest=latest, via=via, permitted=stats.permitted[source.label]
            )
        )
    for source in evidence_sources():
        if not source.tags_clauses:
            continue
        count, latest = _tagged_row(source, stats, clause_id, base_id)
        if count:
            rows.append(
                EvidenceRow(
                    source=source,
                    count=count,
                    latest=latest,
                    tagged=True,
                    permitted=stats.permitted[source.label],
                )
            )
    return rows


#: Badge styles per status: evidence stands out, the gaps are visible without shouting.
BADGE_CLASSES = {
    EvidenceStatusChoices.EVIDENCE: "text-bg-success",
    EvidenceStatusChoices.NO_RECORDS: "bg-warning-subtle text-warning-emphasis border border-warning-subtle",
    EvidenceStatusChoices.NO_EVIDENCE: "bg-danger-subtle text-danger-emphasis border border-danger-subtle",
    EvidenceStatusChoices.HEADING: "text-bg-light border",
}


def badge_class(status):
    return BADGE_CLASSES.get(status, "text-bg-secondary")


def status_of(is_heading, rows):
    if is_heading:
        return EvidenceStatusChoices.HEADING
    if any(row.count for row in rows):
        return EvidenceStatusChoices.EVIDENCE
    if rows:
        return EvidenceStatusChoices.NO_RECORDS
    return EvidenceStatusChoices.NO_EVIDENCE


@dataclass
class ClauseCoverage:
    clause: Clause
    rows: list
    status: str
    children: list = field(default_factory=list)
    covered: int = 0  # requirement clauses with evidence in this subtree (self included)
    total: int = 0  # requirement clauses in this subtree (self included)

    @property
    def count(self):
        return sum(row.count for row in self.rows)

    @property
    def latest(self):
        return _latest(*(row.latest for row in self.rows))

    @property
    def record_types(self):
        return [row for row in self.rows if row.count]

    @property
    def percent(self):
        return round(100 * self.covered / self.total) if self.total else None

    @property
    def status_label(self):
        return EvidenceStatusChoices.label(self.status)

    @property
    def status_color(self):
        return EvidenceStatusChoices.color(self.status)

    @property
    def badge_class(self):
        return badge_class(self.status)


@dataclass
class StandardCoverage:
    standard: Standard
    roots: list
    nodes: list  # every clause in document order

    @property
    def covered(self):
        return sum(root.covered for root in self.roots)

    @property
    def total(self):
        return sum(root.total for root in self.roots)

    @property
    def percent(self):
        return round(100 * self.covered / self.total) if self.total else 0

    @property
    def without_evidence(self):
        return [
            node
            for node in self.nodes
            if node.status in (EvidenceStatusChoices.NO_EVIDENCE, EvidenceStatusChoices.NO_RECORDS)
        ]

    @property
    def counts_by_status(self):
        counts = dict.fromkeys(EvidenceStatusChoices.values(), 0)
        for node in self.nodes:
            counts[node.status] += 1
        return counts


def standard_coverage(standard, user, stats=None, clauses=None):
    """The clause tree of ``standard`` with each clause's evidence as ``user`` may see it.

    Queries: the clauses (one), plus ``evidence_stats`` (one per evidence record type) unless
    ``stats`` is given; never one per clause."""
    stats = stats or evidence_stats(user)
    if clauses is None:
        clauses = list(
            Clause.objects.filter(standard=standard, is_withdrawn=False)
            .select_related("standard", "base_clause")
            .order_by("sort_key")
        )
    nodes = {}
    roots = []
    ordered = []
    for clause in clauses:
        rows = rows_for(clause.key, clause.pk, clause.base_clause_id, stats)
        node = ClauseCoverage(clause=clause, rows=rows, status=status_of(clause.is_heading, rows))
        nodes[clause.pk] = node
        ordered.append(node)
        parent = nodes.get(clause.parent_id)
        (parent.children if parent else roots).append(node)
    for node in reversed(ordered):  # children before parents
        if node.status != EvidenceStatusChoices.HEADING:
            node.total += 1
            node.covered += node.status == EvidenceStatusChoices.EVIDENCE
        parent = nodes.get(node.clause.parent_id)
        if parent is not None:
            parent.total += node.total
            parent.covered += node.covered
    return StandardCoverage(standard=standard, roots=roots, nodes=ordered)


def all_coverage(user, stats=None):
    """Coverage of every standard, sharing one set of aggregates and one clause query."""
    stats = stats or evidence_stats(user)
    standards = list(Standard.objects.select_related("base"))
    by_standard = {standard.pk: [] for standard in standards}
    clauses = (
        Clause.objects.filter(is_withdrawn=False)
        .select_related("standard", "base_clause")
        .order_by("standard_id", "sort_key")
    )
    for clause in clauses:
        by_standard[clause.standard_id].append(clause)
    order = {spec.code: index for index, spec in enumerate(load().standards)}
    standards.sort(key=lambda standard: (order.get(standard.code, len(order)), standard.name))
    return [
        standard_coverage(standard, user, stats=stats, clauses=by_standard[standard.pk])
        for standard in standards
    ]


def covered_clause_ids(user):
    """Ids of the clauses with evidence ``user`` may see (for the API's ``has_evidence`` filter)."""
    return {
        node.clause.pk
        for coverage in all_coverage(user)
        for node in coverage.nodes
        if node.status == EvidenceStatusChoices.EVIDENCE
    }


def clause_evidence(clause, user, limit=LATEST_RECORDS):
    """Every record type giving evidence for ``clause``, with counts, the latest date and the
    latest ``limit`` records, all scoped to what ``user`` may see."""
    rows = []
    base_id = clause.base_clause_id
    for source, via in declarations_for(clause.key):
        queryset = source.queryset(user)
        rows.append(_detailed_row(source, queryset, user, limit, via=via))
    for source in evidence_sources():
        if not source.tags_clauses:
            continue
        ids = [clause.pk, base_id] if base_id else [clause.pk]
        queryset = source.queryset(user).filter(
            pk__in=source.model._base_manager.filter(**{f"{source.clause_field}__in": ids}).values("pk")
        )
        row = _detailed_row(source, queryset, user, limit, tagged=True, clause=clause)
        if row.count:
            rows.append(row)
    return rows


def _detailed_row(source, queryset, user, limit, via=None, tagged=False, clause=None):
    result = queryset.order_by().aggregate(count=Count("pk"), latest=Max(source.date_field))
    records = list(queryset.order_by(f"-{source.date_field}", "-pk")[:limit]) if result["count"] else []
    return EvidenceRow(
        source=source,
        count=result["count"],
        latest=result["latest"],
        via=via,
        tagged=tagged,
        permitted=source.may_view(user),
        records=[(record, getattr(record, source.date_field)) for record in records],
        list_url=source.list_url(clause) if source.may_view(user) else "",
    )


def related_clauses(clause):
    """The same requirement in the other standards: the ISO 9001 clause a sector clause takes
    over, or the sector clauses that take over an ISO 9001 clause."""
    if clause.base_clause_id:
        return list(Clause.objects.filter(pk=clause.base_clause_id).select_related("standard")) + list(
            Clause.objects.filter(base_clause_id=clause.base_clause_id, is_withdrawn=False)
            .exclude(pk=clause.pk)
            .select_related("standard")
        )
    if clause.origin == ClauseOriginChoices.OWN:
        return list(clause.sector_clauses.filter(is_withdrawn=False).select_related("standard"))
    return []


def ancestors(clause):
    """The clause's parents, top-level first (one query for the whole standard's numbers)."""
    numbers = []
    number = clause.number
    while "." in number:
        number = number.rsplit(".", 1)[0]
        numbers.append(number)
    found = {c.number: c for c in Clause.objects.filter(standard_id=clause.standard_id, number__in=numbers)}
    return [found[number] for number in reversed(numbers) if number in found]
