"""One base for every PDF Qualitas prints.

    pdf_bytes = render_pdf("reports/some_template.html", context, record=obj, title="...")

The template extends ``reports/base.html``, which gives every page of A4 a running header (the
organisation, the document title, the record number), a footer with the printed time in UTC and
local time and "Page X of Y", a diagonal DRAFT watermark on every page when the record is not
approved, and a final "Signature manifest" section whenever the record has electronic signatures
(printed name, meaning, time in UTC and whether each still matches the record's content).

Whether a record is approved (``approval_status``): the model's own ``is_approved`` (attribute,
property or method) when it has one; else its state machine (``approved_states`` when the machine
declares them, else a state called "approved", "released" or "effective", together with the states
reached from there without going back to the initial state, such as "obsolete"); else the
approvals app's outcome for the record. A record type with none of these cannot be approved and
never gets the watermark.

Rendering never reaches the network: only ``data:`` URLs are fetched, the fonts are the system's
DejaVu fonts, and the style sheet is part of the template.
"""

import datetime
import gc
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from weasyprint import HTML, URLFetcher

from qualitas.reports import sources

#: State names that mean "approved" when a state machine does not declare ``approved_states``.
APPROVED_STATE_NAMES = ("approved", "released", "effective")
UTC_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def url_fetcher():
    """Fetches only inline ``data:`` URLs: a PDF of a record never loads anything from outside
    (no file:// reads of the server's disk, no requests to the network)."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int


def render_pdf(template_name, context, *, record=None, title="", draft=None, user=None):
    """The PDF (bytes) of ``template_name`` rendered with ``context`` on the report base.

    ``record`` puts its number in the header and its signature manifest at the end; ``draft``
    forces the DRAFT watermark on (True) or off (False), and None decides from the record.
    ``user`` is named as the person who printed it.
    """
    return render_pdf_document(
        template_name, context, record=record, title=title, draft=draft, user=user
    ).content


def render_pdf_document(template_name, context, *, record=None, title="", draft=None, user=None):
    """Like ``render_pdf``, with the page count (``RenderedPDF``)."""
    html = render_html(template_name, context, record=record, title=title, draft=draft, user=user)
    with _collector_paused():
        document = HTML(string=html, url_fetcher=url_fetcher()).render()
        content = document.write_pdf()
    return RenderedPDF(content=content, pages=len(document.pages))


@contextmanager
def _collector_paused():
    """Layout builds hundreds of thousands of short-lived boxes; the cyclic garbage collector
    would walk the growing heap again and again (a third of the time of a long pack). Reference
    counting frees the boxes; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_html(template_name, context, *, record=None, title="", draft=None, user=None):
    """The HTML that ``render_pdf`` lays out (useful to look at a report in a browser)."""
    base = base_context(
        record=record, title=title, draft=draft, user=user, signatures=context.get("signatures")
    )
    return render_to_string(template_name, {**base, **context})


def base_context(*, record=None, title="", draft=None, user=None, signatures=None):
    """What ``reports/base.html`` reads. ``signatures`` (manifest rows) when the caller has them
    already; otherwise they are read for ``record``."""
    printed = timezone.now()
    local_zone = timezone.get_current_timezone()
    local = printed.astimezone(local_zone)
    context = {
        "organisation": settings.QUALITAS_REPORT_ORGANISATION,
        "document_title": title or (str(record) if record is not None else ""),
        "record": record,
        "record_type": capfirst(record._meta.verbose_name) if record is not None else "",
        "record_number": record_number(record) if record is not None else "",
        "printed_at": printed,
        "printed_utc": printed.astimezone(datetime.UTC).strftime(UTC_FORMAT),
        "printed_local": format_local(printed),
        "local_is_utc": local.utcoffset() == datetime.timedelta(0),
        "time_zone": str(local_zone),
        "printed_by": _person(user),
        "draft": is_draft(record) if draft is None else bool(draft),
        "signatures": [],
        "content_hash": "",
    }
    if record is not None:
        context["signatures"] = signature_manifest(record) if signatures is None else signatures
        if context["signatures"]:
            context["content_hash"] = sources.current_content_hash(record)
    return context


def record_number(record):
    """The record's number (``NCR-2026-0042``), or ``#<id>`` for record types without one."""
    number = getattr(record, "number", "")
    version = getattr(record, "version", None)
    if number and version and hasattr(record, "previous_version_id"):
        return f"{number} v{version}"
    return number or f"#{record.pk}"


def format_local(moment):
    """A time in the installation's time zone, with the zone's abbreviation."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "")


def format_utc(moment):
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).strftime(UTC_FORMAT)


def _person(user):
    if user is None or not getattr(user, "pk", None):
        return ""
    return getattr(user, "full_name", "") or user.get_username()


# --- Signatures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestRow:
    printed_name: str
    meaning: str
    signed_utc: str
    signed_local: str
    comment: str
    content_hash: str
    matches_current: bool | None


def signature_manifest(record):
    """The record's signatures, oldest first, as rows of the manifest."""
    rows = []
    for signature in sources.signatures_of(record):
        display = getattr(signature, "get_meaning_display", None)
        rows.append(
            ManifestRow(
                printed_name=signature.printed_name,
                meaning=str(display() if callable(display) else signature.meaning),
                signed_utc=format_utc(signature.signed_at),
                signed_local=format_local(signature.signed_at),
                comment=getattr(signature, "comment", "") or "",
                content_hash=getattr(signature, "content_hash", "") or "",
                matches_current=getattr(signature, "matches_current", None),
            )
        )
    return rows


# --- Approval ----------------------------------------------------------------------------------


def is_draft(record):
    """Whether a PDF of ``record`` carries the DRAFT watermark: it can be approved and is not."""
    return record is not None and approval_status(record) is False


def approval_status(record):
    """True when the record is approved, False when it is not yet, None when its type has no
    notion of approval. See the module docstring for the order of the rules."""
    declared = getattr(record, "is_approved", None)
    if declared is not None:
        return bool(declared() if callable(declared) else declared)
    machine = getattr(type(record), "state_machine", None)
    if machine is not None:
        approved = approved_states(type(record))
        if approved:
            return getattr(record, machine.field) in approved
    return sources.approval_outcome(record)


def approved_states(model):
    """The states in which a record of ``model`` (which has a state machine) counts as approved.

    ``state_machine.approved_states`` when declared. Otherwise the conventional names, plus every
    state reached from them without passing through the initial state (the status field's
    default): an approved widget made obsolete was approved; one sent back to draft is a draft.
    """
    machine = model.state_machine
    declared = getattr(machine, "approved_states", None)
    if declared is not None:
        return frozenset(declared)
    choices = machine.choices.values() if machine.choices is not None else []
    start = {state for state in choices if str(state).lower() in APPROVED_STATE_NAMES}
    if not start:
        return frozenset()
    field = model._meta.get_field(machine.field)
    initial = field.get_default() if field.has_default() else None
    table = machine.transitions()
    reached, frontier = set(start), list(start)
    while frontier:
        state = frontier.pop()
        for _name, target in table.get(state, []):
            if target is None or target == initial or target in reached:
                continue
            reached.add(target)
            frontier.append(target)
    return frozenset(reached)
