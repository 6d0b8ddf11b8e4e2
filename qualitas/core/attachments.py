"""Files kept with any record.

    attachment = attach(record, uploaded_file, user=request.user, description="Calibration certificate")
    attachments_for(record)   # its attachments, newest first (archived ones left out)

``attach`` checks the file before anything is stored, and raises ``AttachmentRejected`` with a
message for the person who uploaded it:

- the name: no folders, no ``..``, no control characters (the name is only ever shown; the file
  is stored under a generated path);
- the size: not empty, not over ``QUALITAS_ATTACHMENT_MAX_BYTES``;
- the type, read from the content with libmagic (never from the name), must be in
  ``QUALITAS_ATTACHMENT_TYPES``; and the name's extension must fit that type, so that an
  executable called ``report.pdf`` or a text file called ``page.html`` is refused.

STEP, IGES and STL files are plain text or bare binary to libmagic; they are recognised by
their own signatures (``model/step``, ``model/iges``, ``model/stl``). Office files that libmagic
sees only as a ZIP archive are recognised by the parts inside them.

The SHA-256 of the content is stored, the upload is audited (the ``Attachment`` row) and written
to the record's domain events. Attachments are archived with a reason, never deleted. A rejected
upload leaves nothing behind: no stored file, no row, no event.
"""

import datetime
import hashlib
import html
import mimetypes
import re
import struct
import unicodedata
import zipfile

import magic
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from qualitas.core.events import emit, register_event
from qualitas.core.service_models import Attachment, stored_path
from qualitas.core.services import acting_as

ADDED = register_event("attachment.added", "A file was attached to a record")
ARCHIVED = register_event("attachment.archived", "An attachment was archived")
RESTORED = register_event("attachment.restored", "An attachment was restored")

#: Bytes given to libmagic (its own default limit); enough for every type it knows.
SNIFF_BYTES = 1024 * 1024

#: Extensions a name may end in for each detected type (beyond ``mimetypes``' own).
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg", "jpe", "jfif"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "image/tiff": {"tif", "tiff"},
    "text/plain": {"txt", "text", "log", "md", "csv", "tsv", "dat", "asc"},
    "text/csv": {"csv", "txt", "tsv"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx", "docm"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx", "xlsm"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx", "pptm"},
    "application/msword": {"doc", "dot"},
    "application/vnd.ms-excel": {"xls", "xlt"},
    "application/vnd.ms-powerpoint": {"ppt", "pps", "pot"},
    # Older Office files that libmagic recognises only as an OLE container.
    "application/vnd.ms-office": {"doc", "xls", "ppt", "msg"},
    "application/x-ole-storage": {"doc", "xls", "ppt", "msg"},
    "application/CDFV2": {"doc", "xls", "ppt", "msg"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "application/vnd.oasis.opendocument.presentation": {"odp"},
    "application/vnd.oasis.opendocument.graphics": {"odg"},
    "application/zip": {"zip"},
    "model/step": {"step", "stp"},
    "model/iges": {"iges", "igs"},
    "model/stl": {"stl"},
}

#: Words for the messages.
DESCRIPTIONS = {
    "application/pdf": "a PDF document",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/tiff": "a TIFF image",
    "text/plain": "plain text",
    "text/csv": "CSV text",
    "text/html": "an HTML page",
    "image/svg+xml": "an SVG image (which can hold scripts)",
    "application/zip": "a ZIP archive",
    "application/x-executable": "a program",
    "application/x-sharedlib": "a program",
    "application/x-pie-executable": "a program",
    "application/x-dosexec": "a Windows program",
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "text/x-shellscript": "a shell script",
    "model/step": "a STEP model",
    "model/iges": "an IGES model",
    "model/stl": "an STL model",
}

#: Types shown inline on the page. Never HTML or SVG: both can carry scripts.
PREVIEW_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})

UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


class AttachmentRejected(Exception):
    """An upload that is refused; ``message`` says why, in words for the person who sent it."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def errors(self):
        return {"file": [self.message]}


def max_bytes():
    return int(settings.QUALITAS_ATTACHMENT_MAX_BYTES)


def allowed_types():
    return frozenset(settings.QUALITAS_ATTACHMENT_TYPES)


def describe(mime_type):
    return DESCRIPTIONS.get(mime_type) or f"of type {mime_type}"


# --- Checks -------------------------------------------------------------------------------------


def clean_name(name):
    """The uploaded name as it will be shown; refuses names that try to be paths."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise AttachmentRejected("The file has no name.")
    if UNSAFE_NAME.search(name) or name in (".", "..") or ".." in name.replace("\\", "/").split("/"):
        raise AttachmentRejected(
            "The file name may not contain folders, “..” or control characters; "
            f"rename the file and upload it again ({name!r} was sent)."
        )
    if len(name) > 255:
        raise AttachmentRejected("The file name is longer than 255 characters; shorten it.")
    return name


def extension(name):
    stem, dot, suffix = name.rpartition(".")
    return suffix.lower() if dot and stem else ""


def detect_type(upload, name=""):
    """The content's MIME type from libmagic, refined for CAD models and Office files that
    libmagic sees only as text or a ZIP archive."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    mime = magic.from_buffer(head, mime=True)
    suffix = extension(name)
    if mime == "text/plain":
        text = head[:4096].lstrip()
        if text.startswith(b"ISO-10303-21;"):
            return "model/step"
        if _is_iges(head):
            return "model/iges"
        if text[:6].lower() == b"solid " and b"facet" in head:
            return "model/stl"
    if mime == "application/octet-stream" and suffix == "stl" and _is_binary_stl(upload, head):
        return "model/stl"
    if mime == "application/zip":
        return _office_in_zip(upload) or mime
    return mime


def _is_iges(head):
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) == 80 and first[72:73] == b"S" and first[73:].strip().isdigit()


def _is_binary_stl(upload, head):
    if len(head) < 84:
        return False
    (triangles,) = struct.unpack_from("<I", head, 80)
    return 84 + 50 * triangles == _size(upload)


def _office_in_zip(upload):
    """OOXML and OpenDocument files whose parts libmagic did not reach."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for folder, mime in (
                    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                ):
                    if any(part.startswith(folder) for part in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def extensions_for(mime_type):
    known = set(EXTENSIONS.get(mime_type, ()))
    known |= {ext.lstrip(".").lower() for ext in mimetypes.guess_all_extensions(mime_type)}
    return known


def _size(upload):
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return size


def check(upload, name):
    """Check an upload; returns (clean name, size, MIME type) or raises ``AttachmentRejected``."""
    name = clean_name(name)
    size = _size(upload)
    if size == 0:
        raise AttachmentRejected("The file is empty (0 bytes).", code="empty")
    limit = max_bytes()
    if size > limit:
        raise AttachmentRejected(
            f"The file is {filesizeformat(size)}; attachments may be at most {filesizeformat(limit)}.",
            code="too_large",
        )
    mime = detect_type(upload, name)
    if mime not in allowed_types():
        raise AttachmentRejected(
            f"“{name}” is {describe(mime)}, which cannot be attached here. Accepted are PDF, images, "
            "text and CSV, Office and OpenDocument files, ZIP archives and STEP, IGES and STL models.",
            code="type_not_allowed",
        )
    suffix = extension(name)
    if suffix and suffix not in extensions_for(mime):
        raise AttachmentRejected(
            f"“{name}” is {describe(mime)}, but its name ends in .{suffix}. "
            "Give the file the extension of what it really is.",
            code="type_mismatch",
        )
    return name, size, mime


# --- The service --------------------------------------------------------------------------------


def attach(obj, uploaded_file, user=None, description="", name=None):
    """Attach ``uploaded_file`` (a Django ``File``/``UploadedFile``) to the record ``obj``.

    ``name`` overrides the file's own name (the name as the client sent it, before Django shortened
    it). Returns the ``core.Attachment``; raises ``AttachmentRejected``. Nothing is stored when the
    file is refused or when saving the row fails.
    """
    name, size, mime = check(uploaded_file, name if name is not None else uploaded_file.name)
    description = (description or "").strip()
    if len(description) > 500:
        raise AttachmentRejected("The description may be at most 500 characters.", code="description")
    digest = sha256_of(uploaded_file)
    suffix = extension(name)
    stored = default_storage.save(stored_path("attachments", f".{suffix}" if suffix else ""), uploaded_file)
    try:
        with acting_as(user), transaction.atomic():
            attachment = Attachment.objects.create(
                content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
                object_id=str(obj.pk),
                file=stored,
                name=name,
                size=size,
                mime_type=mime,
                sha256=digest,
                description=description,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
            emit(
                ADDED,
                obj=obj,
                message=f"Attached {name} ({filesizeformat(size)})",
                data={"attachment": attachment.pk, "name": name, "sha256": attachment.sha256, "size": size},
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment


def sha256_of(file):
    """SHA-256 (hex) of a file's whole content, read in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def attachments_for(obj, include_archived=False):
    """The record's attachments, newest first (unscoped: the caller has checked the record)."""
    queryset = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("uploaded_by")
    return queryset if include_archived else queryset.filter(is_archived=False)


def archive_attachment(attachment, reason):
    """Archive an attachment (the file stays in storage and in the trail) and say so on the record."""
    with transaction.atomic():
        attachment.archive(reason)
        _tell_record(attachment, ARCHIVED, f"Archived {attachment.name}: {reason.strip()}")


def restore_attachment(attachment, reason):
    with transaction.atomic():
        attachment.restore(reason)
        _tell_record(attachment, RESTORED, f"Restored {attachment.name}: {reason.strip()}")


def _tell_record(attachment, event, message):
    """Emit ``event`` on the attachment's record (if it still exists)."""
    record = attachment.record
    if record is not None:
        emit(event, obj=record, message=message, data={"attachment": attachment.pk})


def can_preview(attachment):
    return attachment.mime_type in PREVIEW_TYPES


def orphaned_files(older_than_seconds=86400):
    """Stored attachment files that no row refers to (left by a transaction that rolled back
    after the file was saved). Only files older than a day are considered."""
    known = set(Attachment.objects.values_list("file", flat=True))
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    found = []

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        for sub in folders:
            walk(f"{folder}/{sub}")
        for file_name in files:
            path = f"{folder}/{file_name}"
            if path in known:
                continue
            try:
                modified = default_storage.get_modified_time(path)
            except (NotImplementedError, OSError):
                continue
            if modified < cutoff:
                found.append(path)

    walk("attachments")
    return found


def remove_orphaned_files():
    """Delete the files ``orphaned_files`` finds. Returns how many were deleted."""
    found = orphaned_files()
    for path in found:
        default_storage.delete(path)
    return len(found)


# --- Reading uploads ----------------------------------------------------------------------------


class UploadParser(MultiPartParser):
    """Django's multipart parser, remembering file names that Django had to change.

    Django shortens ``../../etc/passwd`` to ``passwd`` and drops control characters without a word
    (or drops the file altogether); the attachment views refuse such names with a message instead.
    The name is never used as a storage path either way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: The names, as sent, that Django changed or refused.
        self.unsafe_names = []

    def sanitize_file_name(self, file_name):
        sent = html.unescape(file_name)
        sanitized = super().sanitize_file_name(file_name)
        if sanitized != sent:
            self.unsafe_names.append(sent)
        return sanitized


def refuse_unsafe_names(names):
    """Raise ``AttachmentRejected`` for the first name Django had to change that our own check
    refuses (folders, ``..``, control characters)."""
    for name in names:
        clean_name(name)


class SizeLimitHandler(FileUploadHandler):
    """Stops receiving a file once it passes the attachment limit: the rest of the body is read
    and dropped, so the person gets a clear message instead of a broken connection, and nothing
    oversized is buffered or written to a temporary file."""

    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = limit if limit is not None else max_bytes()
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large_message():
    return f"The file is larger than {filesizeformat(max_bytes())}, the most an attachment may be."
