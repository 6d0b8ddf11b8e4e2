"""Inspection packs: a complete, human-readable export of one record for an auditor.

    pack = collect_pack(obj, user)           # what ``user`` may see of the record
    pdf = render_pack_pdf(pack)              # RenderedPDF: the fields, related records, full
                                             # history, events, attachments, comments, signatures
    archive = build_pack_zip(pack, pdf.content)  # the PDF, every attached file, MANIFEST.csv and
                                             # SHA256SUMS (``sha256sum -c SHA256SUMS`` checks it)
    obj = resolve_record(user, "testapp.widget:12")   # 404 unless the user may view it
    job = request_inspection_pack(user, obj)           # all of it as a background job

Any record type the framework knows can be packed. Its fields come in the order of its detail
page's panels, then every other field; its related records are read through the related model's
``restrict(user, "view")``, so a pack never shows more than the user's own pages would.
"""

import csv
import datetime
import hashlib
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst, get_valid_filename

from qualitas.core import access, audit
from qualitas.core.background import start_job
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.history import ChangeValue, describe
from qualitas.core.models import DomainEvent
from qualitas.framework.models import AuditedModel, VersionedModel
from qualitas.framework.records import record_reference, resolve_reference, visible
from qualitas.framework.registry import get_entry
from qualitas.framework.ui.panels import FieldsPanel, RelatedPanel, TextPanel
from qualitas.reports import sources
from qualitas.reports.pdf import (
    RenderedPDF,
    approval_status,
    format_local,
    record_number,
    render_pdf_document,
    signature_manifest,
)

PACK_TEMPLATE = "reports/inspection_pack.html"
#: The job kind that builds a pack (declared in qualitas/reports/jobs.py).
JOB_KIND = "reports.inspection_pack"
#: Shown in the pack's title block, not again among the fields.
RECORD_INFO_FIELDS = (
    "created",
    "created_by",
    "updated",
    "updated_by",
    "is_archived",
    "archived_at",
    "archived_by",
    "archive_reason",
)
EMPTY = "—"


# --- Record references ----------------------------------------------------------------------------


def may_follow_jobs(user):
    """A job's page and downloads need ``core.view_job``."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.has_perm("core.view_job")


def may_request_pack(user, obj):
    """Whether ``user`` may have a pack made of ``obj``: they may view the record and follow the
    job that makes it."""
    return may_follow_jobs(user) and visible(user, obj)


def request_inspection_pack(user, obj):
    """Start the job that builds ``obj``'s inspection pack for ``user``. Returns the ``core.Job``;
    the worker takes it when the current transaction commits. PermissionDenied when the user may
    view the record but not follow jobs."""
    if not may_follow_jobs(user):
        raise PermissionDenied("You cannot follow jobs, so you cannot have an inspection pack made.")
    if not visible(user, obj):
        raise PermissionDenied("You may not view this record.")
    return start_job(JOB_KIND, user=user, obj=obj, params={"record": record_reference(obj)})


@dataclass(frozen=True)
class PackSummary:
    history: int
    attachments: int
    signatures: int
    comments: int


def pack_summary(obj):
    """How much a pack of ``obj`` will hold (a few counts, for the page that starts it)."""
    history = audit.history(obj).count() if isinstance(obj, AuditedModel) else 0
    return PackSummary(
        history=history,
        attachments=len(sources.attachments_of(obj)),
        signatures=len(sources.signatures_of(obj)),
        comments=len(sources.comment_thread_of(obj)),
    )


def resolve_record(user, reference):
    """The record behind a reference if ``user`` may view it (``framework.records``)."""
    return resolve_reference(user, reference)


# --- Display values -------------------------------------------------------------------------------


@dataclass
class Value:
    """A field value as printed: ``text``, with a badge colour for choices of a ChoiceSet."""

    text: str
    color: str = ""
    is_long: bool = False

    @property
    def is_empty(self):
        return self.text in ("", EMPTY)


def display_value(obj, model_field):
    """Text for a field value: choice labels, related records by name, dates, Yes/No."""
    value = getattr(obj, model_field.name)
    if value is None or value == "":
        return Value(EMPTY)
    if model_field.choices:
        label = str(getattr(obj, f"get_{model_field.name}_display")())
        choice_set = getattr(model_field, "choice_set", None)
        return Value(label, choice_set.color(value) if choice_set else "secondary")
    if isinstance(value, bool):
        return Value("Yes" if value else "No")
    if isinstance(value, models.Model):
        return Value(str(value))
    if isinstance(value, datetime.datetime):
        return Value(format_local(value))
    if isinstance(value, datetime.date):
        return Value(date_format(value, "DATE_FORMAT"))
    if isinstance(model_field, models.FileField):
        return Value(value.name or EMPTY)
    if isinstance(model_field, models.JSONField):
        return Value(audit.canonical_bytes(value).decode(), is_long=True)
    return Value(str(value), is_long=isinstance(model_field, models.TextField))


def state_value(obj, machine):
    """The record's state by its state machine's label and colour (a user's ``is_active`` is
    "Active", not "Yes")."""
    state = getattr(obj, machine.field)
    choices = machine.choices
    if choices is not None and state in choices:
        return Value(str(choices.label(state)), choices.color(state))
    return display_value(obj, type(obj)._meta.get_field(machine.field))


# --- The pack -------------------------------------------------------------------------------------


@dataclass
class FieldRow:
    label: str
    value: Value


@dataclass
class FieldSection:
    title: str
    rows: list = field(default_factory=list)
    #: Long texts (TextPanel): (label, text).
    texts: list = field(default_factory=list)


@dataclass
class RelatedRow:
    text: str
    status: Value | None
    updated: str
    is_archived: bool


@dataclass
class RelatedGroup:
    title: str
    via: str
    rows: list
    total: int
    has_status: bool
    has_updated: bool

    @property
    def more(self):
        return self.total - len(self.rows)


@dataclass
class HistoryEntry:
    id: int
    time: str
    user: str
    kind: str
    action: str
    action_color: str
    reason: str
    rows: list
    hash_ok: bool

    @property
    def text(self):
        """The entry's body as lines of plain text: the reason, then one line per changed field
        ("Quantity: 20 → 30"). Plain text on purpose: every inline element costs the PDF
        layout more than the text in it, and a pack may hold thousands of these lines."""
        lines = [f"Reason: {self.reason}"] if self.reason else []
        for row in self.rows:
            if row.is_pair:
                before, after = _text(row.before), _text(row.after)
                if self.kind == ChangeActionChoices.CREATE:
                    lines.append(f"{row.label}: {after}")
                elif self.kind == ChangeActionChoices.DELETE:
                    lines.append(f"{row.label}: {before}")
                else:
                    lines.append(f"{row.label}: {before} → {after}")
            else:
                groups = [
                    f"{group.verb} " + (", ".join(_text(member) for member in group.members) or "all")
                    for group in row.members
                ]
                lines.append(f"{row.label}: {'; '.join(groups)}")
        if not lines:
            lines.append("No field changes recorded.")
        return "\n".join(lines)


def _text(value):
    """A value on one line: line breaks inside it are shown as ↵, so that each change stays one
    line of "before → after"."""
    if value is None or value.text == "":
        return EMPTY
    return " ↵ ".join(part.strip() for part in value.text.splitlines()) if "\n" in value.text else value.text


@dataclass
class AttachmentRow:
    attachment: object
    name: str
    content_type: str
    size: int
    size_text: str
    sha256: str
    uploaded_by: str
    uploaded_at: str


@dataclass
class CommentRow:
    number: int
    author: str
    time: str
    text: str
    depth: int = 0
    edited: str = ""
    removed: str = ""


@dataclass
class InspectionPack:
    record: object
    user: object
    generated_at: datetime.datetime
    record_type: str
    number: str
    title: str
    status: Value | None
    approval: bool | None
    info: list
    sections: list
    related: list
    empty_relations: list
    history: list
    events: list
    attachments: list
    comments: list
    signatures: list
    can_see_events: bool

    @property
    def history_hash_failures(self):
        return [entry.id for entry in self.history if not entry.hash_ok]

    @property
    def related_total(self):
        return sum(group.total for group in self.related)

    @property
    def base_name(self):
        """File names start with this: ``WID-2026-0001-v2-inspection-pack``, or
        ``company-12-inspection-pack`` for a record type without numbers."""
        if getattr(self.record, "number", ""):
            stem = self.number.replace(" ", "-")
        else:
            stem = f"{self.record._meta.model_name}-{self.record.pk}"
        return safe_file_name(f"{stem}-inspection-pack", fallback="inspection-pack")


def collect_pack(obj, user, progress=None):
    """Everything the pack prints about ``obj``, as ``user`` may see it.

    ``progress(percent, message)`` is called between the steps (a job's progress).
    """
    report = progress or (lambda percent, message: None)
    model = type(obj)
    machine = getattr(model, "state_machine", None)
    status = state_value(obj, machine) if machine else None
    report(10, "Reading the record's fields")
    sections = field_sections(obj)
    report(20, "Reading related records")
    related, empty_relations = related_groups(obj, user)
    report(30, "Reading the history")
    history = history_entries(obj, user)
    can_see_events = user.is_superuser or user.has_perm("core.view_domainevent")
    events = domain_events(obj) if can_see_events else []
    report(
        40,
        f"{counted(len(history), 'history entry', 'history entries')}; reading attachments, comments and signatures",
    )
    attachments = attachment_rows(obj)
    comments = comment_rows(obj)
    return InspectionPack(
        record=obj,
        user=user,
        generated_at=timezone.now(),
        record_type=capfirst(model._meta.verbose_name),
        number=record_number(obj),
        title=str(obj),
        status=status,
        approval=approval_status(obj),
        info=record_info(obj),
        sections=sections,
        related=related,
        empty_relations=empty_relations,
        history=history,
        events=events,
        attachments=attachments,
        comments=comments,
        signatures=signature_manifest(obj),
        can_see_events=can_see_events,
    )


def record_info(obj):
    """Who made the record and when, and its archive state: the title block's rows."""
    rows = []
    names = {f.name for f in type(obj)._meta.concrete_fields}

    def person_and_time(time_name, person_name):
        moment = getattr(obj, time_name, None) if time_name in names else None
        person = getattr(obj, person_name, None) if person_name in names else None
        parts = [format_local(moment)] if moment else []
        if person is not None:
            parts.append(f"by {person}")
        return " ".join(parts) or EMPTY

    if "created" in names:
        rows.append(FieldRow("Created", Value(person_and_time("created", "created_by"))))
    if "updated" in names:
        rows.append(FieldRow("Last changed", Value(person_and_time("updated", "updated_by"))))
    if isinstance(obj, VersionedModel):
        state = "current version" if obj.is_current else "not the current version"
        rows.append(FieldRow("Version", Value(f"{obj.version} ({state})")))
    if getattr(obj, "is_archived", False):
        text = person_and_time("archived_at", "archived_by")
        reason = getattr(obj, "archive_reason", "")
        rows.append(FieldRow("Archived", Value(f"{text}: {reason}" if reason else text, "warning")))
    return rows


def field_sections(obj):
    """The record's fields in the order of its detail page's panels, then every other field.

    Fields the audit trail redacts (password hashes, secrets) are never printed.
    """
    model = type(obj)
    hidden = set(RECORD_INFO_FIELDS) | set(getattr(model, "audit_redact_fields", ()))
    hidden.add(model._meta.pk.name)
    entry = get_entry(model)
    panels = entry.views.get_panels(obj) if entry is not None and entry.views is not None else []
    sections, shown = [], set(hidden)
    for panel in panels:
        if isinstance(panel, FieldsPanel) and panel.fields:
            section = FieldSection(str(panel.title))
            for name in panel.fields:
                if name in hidden:
                    continue
                model_field = model._meta.get_field(name)
                section.rows.append(_field_row(obj, model_field))
                shown.add(name)
            sections.append(section)
        elif isinstance(panel, TextPanel):
            model_field = model._meta.get_field(panel.field)
            if panel.field not in hidden:
                text = getattr(obj, panel.field) or ""
                sections.append(
                    FieldSection(str(panel.title), texts=[(capfirst(model_field.verbose_name), text)])
                )
                shown.add(panel.field)
        elif isinstance(panel, RelatedPanel):
            continue  # printed with the other related records
    rest = FieldSection("Other fields" if sections else "Fields")
    for model_field in model._meta.concrete_fields:
        if model_field.name in shown:
            continue
        row = _field_row(obj, model_field)
        if row.value.is_long and not row.value.is_empty:
            rest.texts.append((row.label, row.value.text))
        else:
            rest.rows.append(row)
    if rest.rows or rest.texts:
        sections.append(rest)
    return sections


def _field_row(obj, model_field):
    return FieldRow(capfirst(str(model_field.verbose_name)), display_value(obj, model_field))


def _relations(model):
    """(relation, accessor, label of the linking field) for every relation that holds other
    records: reverse foreign keys and one-to-ones, many-to-manys both ways, generic relations."""
    for relation in model._meta.get_fields():
        if not relation.is_relation or relation.related_model is None:
            continue
        if relation.many_to_one or (relation.one_to_one and relation.concrete):
            continue  # forward foreign keys and one-to-ones are fields, printed above
        if relation.auto_created and not relation.concrete:
            accessor = relation.get_accessor_name()
            via = capfirst(str(relation.field.verbose_name))
        else:
            accessor = relation.name
            via = capfirst(str(relation.verbose_name))
        if accessor is None:
            continue
        yield relation, accessor, via


def related_groups(obj, user):
    """Related records the user may view, per relation: ([RelatedGroup], [empty relation titles]).

    Each relation lists at most ``QUALITAS_INSPECTION_PACK_RELATED_LIMIT`` records and counts the
    rest. Related models without ``restrict()`` (not records) are left out.
    """
    limit = settings.QUALITAS_INSPECTION_PACK_RELATED_LIMIT
    model = type(obj)
    groups, empty = [], []
    candidates = []
    if isinstance(obj, VersionedModel):
        versions = (
            model._default_manager.restrict(user, "view").filter(lineage=obj.lineage).exclude(pk=obj.pk)
        )
        candidates.append(("Other versions", "", model, versions.order_by("version")))
    for relation, accessor, via in _relations(model):
        related_model = relation.related_model
        if isinstance(obj, VersionedModel) and accessor == "next_versions":
            continue  # the versions are listed together, above
        manager = getattr(related_model, "_default_manager", None)
        if not hasattr(manager, "restrict"):
            continue
        queryset = manager.restrict(user, "view")
        if relation.auto_created and not relation.concrete:
            queryset = queryset.filter(**{relation.field.name: obj})
        else:
            queryset = queryset.filter(pk__in=getattr(obj, accessor).all().values("pk"))
        title = capfirst(str(related_model._meta.verbose_name_plural))
        candidates.append((title, via, related_model, queryset))
    titles = Counter(title for title, *_ in candidates)
    for title, via, related_model, queryset in candidates:
        total = queryset.count()
        label = f"{title} ({via.lower()})" if via and titles[title] > 1 else title
        if not total:
            empty.append(label)
            continue
        machine = getattr(related_model, "state_machine", None)
        has_updated = any(f.name == "updated" for f in related_model._meta.concrete_fields)
        rows = []
        for record in queryset[:limit]:
            rows.append(
                RelatedRow(
                    text=str(record),
                    status=state_value(record, machine) if machine else None,
                    updated=format_local(record.updated) if has_updated else "",
                    is_archived=bool(getattr(record, "is_archived", False)),
                )
            )
        groups.append(RelatedGroup(label, via, rows, total, machine is not None, has_updated))
    return groups, empty


def history_entries(obj, user):
    """Every audit-trail entry of the record, oldest first, in readable form, each with its
    stored hash checked again. Queries: the entries, then one per related model named in them."""
    if not isinstance(obj, AuditedModel):
        return []
    entries = describe(audit.history(obj).order_by("time", "id"), user=user)
    time_fields = {f.name for f in type(obj)._meta.concrete_fields if isinstance(f, models.DateTimeField)}
    result = []
    for entry in entries:
        for row in entry.rows:
            if row.name in time_fields:
                # The same unambiguous form as every other time in the pack.
                row.before, row.after = _as_time(row.before), _as_time(row.after)
        result.append(
            HistoryEntry(
                id=entry.pk,
                time=format_local(entry.time),
                user=entry.user_name or "system",
                kind=entry.action,
                action=entry.get_action_display(),
                action_color=entry.get_action_color(),
                reason=entry.reason,
                rows=entry.rows,
                hash_ok=audit.entry_digest(entry) == entry.entry_hash,
            )
        )
    return result


def _as_time(value):
    if value is None or not isinstance(value.raw, str):
        return value
    moment = parse_datetime(value.raw)
    if moment is None:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return ChangeValue(value.raw, format_local(moment), value.url)


@dataclass
class EventRow:
    time: str
    user: str
    name: str
    message: str


def domain_events(obj):
    """The record's business events (``widget.approve``), oldest first."""
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
    events = DomainEvent.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by(
        "time", "id"
    )
    return [
        EventRow(format_local(event.time), event.user_name or "system", event.name, event.message)
        for event in events
    ]


def attachment_rows(obj):
    rows = []
    for attachment in sources.attachments_of(obj):
        uploaded_by = getattr(attachment, "uploaded_by", None)
        rows.append(
            AttachmentRow(
                attachment=attachment,
                name=attachment.name,
                content_type=attachment.mime_type or "",
                size=attachment.size,
                size_text=human_size(attachment.size),
                sha256=attachment.sha256,
                uploaded_by=str(uploaded_by) if uploaded_by is not None else EMPTY,
                uploaded_at=format_local(getattr(attachment, "created", None)),
            )
        )
    return rows


def comment_rows(obj):
    """The comment thread; a removed comment shows who removed it, when and why, not its text
    (as on the record's page; the text stays in the comment's own audit trail)."""
    rows = []
    for comment, depth in sources.comment_thread_of(obj):
        removed = ""
        if comment.is_archived:
            removed = "Comment removed"
            if comment.archived_by is not None:
                removed += f" by {comment.archived_by}"
            if comment.archived_at is not None:
                removed += f" on {format_local(comment.archived_at)}"
            removed += f": {comment.archive_reason}" if comment.archive_reason else ""
        rows.append(
            CommentRow(
                number=comment.pk,
                author=str(comment.author) if comment.author is not None else "A former user",
                time=format_local(comment.created),
                text="" if removed else comment.body,
                depth=min(depth, 3),
                edited=format_local(comment.edited) if comment.edited else "",
                removed=removed,
            )
        )
    return rows


def counted(number, singular, plural=""):
    """``1 page``, ``2 pages``."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def human_size(size):
    size = size or 0
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def safe_file_name(name, fallback="file"):
    """A file name safe in a ZIP on any system: no folders, no control or reserved characters."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # "", "." and ".."
        name = ""
    name = name.strip(".")
    return name[:150] or fallback


def unique_names(names):
    """The names, sanitised and made unique: ``report.pdf``, ``report-2.pdf``, ..."""
    seen, result = set(), []
    for name in names:
        safe = safe_file_name(name)
        stem, dot, ext = safe.rpartition(".")
        if not dot or not stem:
            stem, ext, dot = safe, "", ""
        candidate, number = safe, 2
        while candidate.lower() in seen:
            candidate = f"{stem}-{number}{dot}{ext}"
            number += 1
        seen.add(candidate.lower())
        result.append(candidate)
    return result


# --- Output ---------------------------------------------------------------------------------------


def render_pack_pdf(pack):
    """The pack's PDF (``RenderedPDF``: content and page count)."""
    return render_pdf_document(
        PACK_TEMPLATE,
        {
            "pack": pack,
            "reference": record_reference(pack.record),
            "signatures": pack.signatures,
            "show_empty_manifest": True,
        },
        record=pack.record,
        title=f"Inspection pack · {pack.title}",
        draft=pack.approval is False,
        user=pack.user,
    )


def build_pack_zip(pack, pdf_content):
    """The pack's ZIP as bytes (see ``write_pack_zip``)."""
    buffer = io.BytesIO()
    write_pack_zip(pack, pdf_content, buffer)
    return buffer.getvalue()


def write_pack_zip(pack, pdf_content, target):
    """Write the ZIP to the file object ``target``: the PDF, every attachment under
    ``attachments/`` (names made safe and unique), MANIFEST.csv and SHA256SUMS.

    Attachments are streamed from storage and hashed as they are read; MANIFEST.csv says for
    each whether that hash still equals the SHA-256 stored when it was uploaded.
    """
    pdf_name = f"{pack.base_name}.pdf"
    manifest = [("file", "bytes", "sha256", "what", "matches the sha256 stored at upload")]
    sums = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(pdf_name, pdf_content)
        pdf_hash = hashlib.sha256(pdf_content).hexdigest()
        manifest.append((pdf_name, len(pdf_content), pdf_hash, "Inspection pack (PDF)", ""))
        sums.append((pdf_hash, pdf_name))
        names = unique_names(row.name for row in pack.attachments)
        for row, name in zip(pack.attachments, names, strict=True):
            path = f"attachments/{name}"
            digest, size = _copy_into(archive, path, row.attachment)
            matches = "yes" if digest == row.sha256 else "NO"
            what = f"Attachment “{row.name}” uploaded by {row.uploaded_by} at {row.uploaded_at}"
            manifest.append((path, size, digest, what, matches))
            sums.append((digest, path))
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(manifest)
        archive.writestr("MANIFEST.csv", text.getvalue())
        archive.writestr("SHA256SUMS", "".join(f"{digest}  {path}\n" for digest, path in sums))


def _copy_into(archive, path, attachment, chunk_size=1024 * 1024):
    digest = hashlib.sha256()
    size = 0
    with attachment.file.open("rb") as source, archive.open(path, "w", force_zip64=True) as target:
        while chunk := source.read(chunk_size):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def log_pack(pack, job_id=None):
    """The access log records that the user exported the record as an inspection pack."""
    detail = "Inspection pack (PDF and ZIP)" + (f", job #{job_id}" if job_id else "")
    access.record_download(pack.record, detail=detail)


@dataclass
class PackFiles:
    pack: InspectionPack
    pdf: RenderedPDF
    pdf_name: str
    zip_name: str


def produce_inspection_pack(obj, user, archive, progress=None, job_id=None):
    """Collect, render and pack ``obj`` for ``user``: the ZIP is written to the file object
    ``archive``; returns ``PackFiles`` with the PDF. ``progress(percent, message)`` follows the
    steps. The access log records the export."""
    report = progress or (lambda percent, message: None)
    pack = collect_pack(obj, user, progress=report)
    report(50, f"Rendering the PDF ({counted(len(pack.history), 'history entry', 'history entries')})")
    pdf = render_pack_pdf(pack)
    report(
        80,
        f"{counted(pdf.pages, 'page')}; packing {counted(len(pack.attachments), 'attachment')} into the ZIP",
    )
    write_pack_zip(pack, pdf.content, archive)
    log_pack(pack, job_id=job_id)
    return PackFiles(pack=pack, pdf=pdf, pdf_name=f"{pack.base_name}.pdf", zip_name=f"{pack.base_name}.zip")
