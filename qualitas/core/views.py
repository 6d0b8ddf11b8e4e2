from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from qualitas.core import access, attachments, background, comments, services
from qualitas.core.filtersets import (
    AccessLogFilterSet,
    DomainEventFilterSet,
    JobFilterSet,
    ObjectChangeFilterSet,
)
from qualitas.core.forms import AttachmentForm, CommentForm
from qualitas.core.history import rows_for
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.service_models import Attachment, Comment, Job
from qualitas.core.tables import AccessLogTable, DomainEventTable, JobTable, ObjectChangeTable
from qualitas.framework.forms import ReasonForm
from qualitas.framework.records import get_record, record_label, record_model, takes_record_services, visible
from qualitas.framework.registry import get_entry
from qualitas.framework.ui.panels import FieldsPanel, Panel, display_value
from qualitas.framework.ui.tabs import Tab, register_tab
from qualitas.framework.views.generic import ModelViews, RecordTabView


class ChangesPanel(Panel):
    """The changed fields, readable (labels, names) beside the values exactly as stored."""

    template_name = "core/panels/changes.html"

    def context(self, obj, request):
        return {"rows": rows_for(obj, user=request.user)}


class ChangeSummaryPanel(FieldsPanel):
    """The change's fields in the words of the page, with a link to the changed record when it
    still exists and the reader may see it."""

    labels = {
        "user_name": "User",
        "ip": "IP address",
        "request_id": "Request",
        "content_type": "Record type",
        "object_id": "Record id",
        "object_repr": "Record",
    }

    def context(self, obj, request):
        rows = []
        for name in self.fields:
            value = display_value(obj, name)
            if name == "object_repr":
                url = _record_url(obj, request.user)
                value = format_html('<a href="{}">{}</a>', url, obj.object_repr) if url else value
            elif name == "content_type":
                model = obj.content_type.model_class()
                value = capfirst(model._meta.verbose_name) if model is not None else obj.content_type.model
            rows.append((self.labels.get(name) or obj._meta.get_field(name).verbose_name, value))
        return {"rows": rows}


class ChainPanel(Panel):
    """Where the entry sits in the hash chain (see docs/architecture/audit-trail.md)."""

    template_name = "framework/panels/fields.html"

    def context(self, obj, request):
        try:
            link = obj.link
        except ObjectDoesNotExist:
            link = None
        code = '<code class="small text-break">{}</code>'
        rows = [("Entry hash", format_html(code, obj.entry_hash))]
        if link is None:
            rows.append(("Sequence", "Not sealed yet: the sealing job links it into the chain shortly."))
        else:
            rows += [
                ("Sequence", str(link.seq)),
                ("Chain hash", format_html(code, link.chain_hash)),
                ("Sealed", date_format(link.sealed, "DATETIME_FORMAT")),
            ]
        return {"rows": rows}


def _record_url(entry, user):
    model = entry.content_type.model_class()
    if model is None or not hasattr(model._default_manager, "restrict"):
        return ""
    record = model._default_manager.restrict(user, "view").filter(pk=entry.object_id).first()
    return record.get_absolute_url() if record is not None and hasattr(record, "get_absolute_url") else ""


class ObjectChangeViews(ModelViews):
    model = ObjectChange
    table = ObjectChangeTable
    filterset = ObjectChangeFilterSet
    can_create = can_edit = False
    panels = (
        ChangeSummaryPanel(
            "Change",
            (
                "time",
                "action",
                "user_name",
                "ip",
                "request_id",
                "content_type",
                "object_id",
                "object_repr",
                "reason",
            ),
        ),
        ChainPanel("Hash chain"),
        ChangesPanel("Field values"),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


class DomainEventViews(ModelViews):
    model = DomainEvent
    table = DomainEventTable
    filterset = DomainEventFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Event", ("time", "name", "user_name", "content_type", "object_id", "object_repr", "message")
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


class AccessLogViews(ModelViews):
    model = AccessLog
    table = AccessLogTable
    filterset = AccessLogFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Access",
            ("time", "kind", "user_name", "ip", "content_type", "object_id", "object_repr", "detail"),
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


class IntegrityView(View):
    """The audit trail's integrity: recent verification results and a "Verify now" button."""

    permission_required = "core.view_objectchange"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied("You do not have permission to verify the audit trail.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        wanted = request.GET.get("verification", "")
        context = {
            "verifications": services.recent_verifications(limit=20),
            "result": services.get_verification(int(wanted)) if wanted.isdigit() else None,
        }
        return render(request, "core/integrity.html", context)

    def post(self, request):
        # A long trail takes a while to verify: the work runs as a job, and its page follows it.
        job = background.start_job("core.verify_audit", user=request.user, params={"source": "page"})
        return redirect(job.get_absolute_url())


# --- Downloads ----------------------------------------------------------------------------------


def file_response(field_file, name, mime_type, inline=False):
    """A stored file as a download (``inline`` for previews). The type is the one recorded when
    the file was stored, and browsers are told not to guess another (``nosniff``)."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage.")
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class SignedInView(View):
    """A page for signed-in people; permissions are checked on the object it serves."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


# --- Jobs ---------------------------------------------------------------------------------------


def job_context(job, user):
    """What the job's page and its live progress fragment show."""
    record = job.record
    return {
        "job": job,
        "record": record,
        "record_url": record.get_absolute_url() if record is not None and visible(user, record) else "",
        "can_cancel": background.may_cancel(job, user),
        "can_download": background.may_download(job, user),
        "files": list(job.files.all()),
        "log_lines": job.log.splitlines(),
    }


class JobProgressPanel(Panel):
    """Status, progress bar, current step, result and log; refreshed by htmx while the job runs."""

    template_name = "core/panels/job_progress.html"

    def context(self, obj, request):
        return job_context(obj, request.user)


class JobViews(ModelViews):
    model = Job
    table = JobTable
    filterset = JobFilterSet
    can_create = can_edit = False
    detail_template = "core/job_detail.html"
    panels = (
        JobProgressPanel("Progress"),
        FieldsPanel(
            "Job",
            ("label", "kind", "started_by", "created"),
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


def _visible_job(request, pk):
    if not request.user.has_perm("core.view_job"):
        raise PermissionDenied("You do not have permission to view jobs.")
    return get_object_or_404(Job.objects.restrict(request.user, "view").select_related("started_by"), pk=pk)


class JobProgressView(SignedInView):
    """The live part of a job's page, polled by htmx until the job has finished."""

    def get(self, request, pk):
        job = _visible_job(request, pk)
        return render(request, "core/_job_progress.html", job_context(job, request.user))


class JobCancelView(SignedInView):
    def post(self, request, pk):
        job = _visible_job(request, pk)
        if not background.may_cancel(job, request.user):
            raise PermissionDenied("This job cannot be cancelled.")
        background.cancel_job(job, request.user)
        if request.htmx:
            return render(request, "core/_job_progress.html", job_context(job, request.user))
        return redirect(job.get_absolute_url())


class JobResultView(SignedInView):
    """A job's result file, for people who may see the job and still see its record."""

    def get(self, request, pk, file_pk=None):
        job = _visible_job(request, pk)
        if not background.may_download(job, request.user):
            raise Http404("No result")
        if file_pk is None:
            stored, name, mime = job.result, job.result_name, job.result_type
        else:
            extra = get_object_or_404(job.files, pk=file_pk)
            stored, name, mime = extra.file, extra.name, extra.mime_type
        if not stored:
            raise Http404("No result")
        response = file_response(stored, name, mime or "application/octet-stream")
        record = job.record
        access.record_download(record if record is not None else job, detail=f"{job}: {name}")
        return response


# --- Attachments --------------------------------------------------------------------------------


class AttachmentsTab(RecordTabView):
    """A record's files: list, previews, upload (for people who may change the record)."""

    tab_name = "attachments"
    template_name = "core/attachments_tab.html"

    def get_context(self, obj):
        show_archived = self.request.GET.get("archived") == "1"
        files = list(attachments.attachments_for(obj, include_archived=show_archived))
        can_change = self.queryset("change").filter(pk=obj.pk).exists()
        return {
            "attachments": files,
            "show_archived": show_archived,
            "archived_count": attachments.attachments_for(obj, include_archived=True)
            .filter(is_archived=True)
            .count(),
            "can_upload": can_change and not getattr(obj, "is_archived", False),
            "can_archive": can_change,
            "upload_url": reverse("core:attachment_upload", args=[record_label(obj), obj.pk]),
            "max_bytes": attachments.max_bytes(),
            "previewable": attachments.PREVIEW_TYPES,
            "upload_form": AttachmentForm(),
        }


@method_decorator(csrf_exempt, name="dispatch")
class AttachmentUploadView(SignedInView):
    """Receives an upload for a record and answers with the record's Attachments tab.

    The body is read here, not by the CSRF middleware, so that the upload goes through the size
    limit (an oversized file is dropped while it arrives) and keeps the file name as it was sent;
    the CSRF check then runs on what was read (``csrf_protect``)."""

    def post(self, request, label, pk):
        limit = attachments.SizeLimitHandler(request)
        request.upload_handlers.insert(0, limit)
        unsafe_names = []
        if request.content_type == "multipart/form-data":
            parser = attachments.UploadParser(
                request.META, request, request.upload_handlers, request.encoding
            )
            try:
                request._post, request._files = parser.parse()
            except RequestDataTooBig:
                # The fields besides the file passed DATA_UPLOAD_MAX_MEMORY_SIZE; nothing was read
                # into the form (the CSRF token neither), so only the message is shown.
                request._post, request._files = QueryDict(), MultiValueDict()
                return self.rejected(request, label, pk, "The form is too large to be read.", status=413)
            unsafe_names = parser.unsafe_names
        return csrf_protect(self.upload)(request, label, pk, limit, unsafe_names)

    def record(self, request, label, pk, action):
        model = record_model(label)
        if model is None or not takes_record_services(model):
            raise Http404("No such record type")
        return get_record(request.user, label, pk, action)

    def upload(self, request, label, pk, limit, unsafe_names):
        obj = self.record(request, label, pk, "view")
        if not visible(request.user, obj, "change"):
            raise PermissionDenied("You may not add files to this record.")
        if getattr(obj, "is_archived", False):
            raise PermissionDenied("The record is archived; restore it before adding files.")
        form = AttachmentForm(request.POST, request.FILES)
        try:
            if limit.exceeded:
                raise attachments.AttachmentRejected(attachments.too_large_message())
            attachments.refuse_unsafe_names(unsafe_names)
        except attachments.AttachmentRejected as error:
            form.add_error("file", error.message)
        if form.is_valid():
            try:
                attachments.attach(
                    obj,
                    form.cleaned_data["file"],
                    user=request.user,
                    description=form.cleaned_data["description"],
                )
            except attachments.AttachmentRejected as error:
                form.add_error("file", error.message)
            else:
                return redirect(f"{obj.get_absolute_url()}attachments/")
        return self.render_tab(request, obj, form)

    def render_tab(self, request, obj, form, status=400):
        tab = AttachmentsTab(viewset=get_entry(type(obj)).views)
        tab.setup(request, pk=obj.pk)
        return tab.render_tab(obj, status=status, upload_form=form)

    def rejected(self, request, label, pk, message, status=400):
        obj = self.record(request, label, pk, "view")
        tab = AttachmentsTab(viewset=get_entry(type(obj)).views)
        tab.setup(request, pk=obj.pk)
        return tab.render_tab(obj, status=status, upload_error=message)


def _visible_attachment(request, pk, action="view"):
    return get_object_or_404(Attachment.objects.restrict(request.user, action), pk=pk)


class AttachmentDownloadView(SignedInView):
    """The file, as a download, for people who may see its record; every download is logged."""

    def get(self, request, pk):
        attachment = _visible_attachment(request, pk)
        response = file_response(attachment.file, attachment.name, attachment.mime_type)
        access.record_download(
            attachment.record, detail=f"Attachment #{attachment.pk}: {attachment.name}"[:300]
        )
        return response


@method_decorator(xframe_options_sameorigin, name="dispatch")
class AttachmentPreviewView(SignedInView):
    """Images and PDFs shown in the page (``<img>``, ``<iframe>``), with their stored type and no
    sniffing. Other types have no preview: they could be rendered as something else."""

    def get(self, request, pk):
        attachment = _visible_attachment(request, pk)
        if not attachments.can_preview(attachment):
            raise Http404("No preview for this type")
        response = file_response(attachment.file, attachment.name, attachment.mime_type, inline=True)
        if attachment.mime_type.startswith("image/"):
            response["Content-Security-Policy"] = (
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
            )
        access.record_view(attachment.record)
        return response


class AttachmentArchiveView(SignedInView):
    """Archive (or restore) an attachment with a reason; for people who may change its record."""

    operation = "archive"

    def post(self, request, pk):
        attachment = _visible_attachment(request, pk, "change")
        record = attachment.record
        form = ReasonForm(request.POST)
        if (self.operation == "archive") == attachment.is_archived:
            raise Http404("Nothing to do")
        if form.is_valid():
            action = (
                attachments.archive_attachment
                if self.operation == "archive"
                else attachments.restore_attachment
            )
            action(attachment, form.cleaned_data["reason"])
            return redirect(f"{record.get_absolute_url()}attachments/")
        tab = AttachmentsTab(viewset=get_entry(type(record)).views)
        tab.setup(request, pk=record.pk)
        return tab.render_tab(record, status=400, reason_errors={attachment.pk: form.errors.get("reason")})


# --- Comments -----------------------------------------------------------------------------------


class CommentsTab(RecordTabView):
    """A record's comments, threaded, with a form to comment and to reply."""

    tab_name = "comments"
    template_name = "core/comments_tab.html"

    def get_context(self, obj):
        user = self.request.user
        thread = [
            (comment, depth, comments.may_edit(user, comment), comments.may_remove(user, comment))
            for comment, depth in comments.comment_thread(obj)
        ]
        return {
            "thread": thread,
            "can_comment": comments.may_comment(user, obj),
            "comment_form": CommentForm(),
        }

    def post(self, request, pk):
        self.require("view")
        obj = self.get_object()
        if not comments.may_comment(request.user, obj):
            raise PermissionDenied("You may not comment on this record.")
        form = CommentForm(request.POST)
        if form.is_valid():
            parent_id = form.cleaned_data.get("parent")
            parent = comments.comments_for(obj).filter(pk=parent_id).first() if parent_id else None
            if parent_id and parent is None:
                form.add_error(None, "The comment you replied to is not on this record.")
            else:
                try:
                    comment = comments.add_comment(
                        obj, request.user, form.cleaned_data["body"], parent=parent
                    )
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
                else:
                    return redirect(f"{obj.get_absolute_url()}comments/#comment-{comment.pk}")
        return self.render_tab(obj, status=400, comment_form=form, reply_to=request.POST.get("parent", ""))


def _visible_comment(request, pk):
    return get_object_or_404(Comment.objects.restrict(request.user, "view"), pk=pk)


class CommentEditView(SignedInView):
    def get(self, request, pk):
        comment = _visible_comment(request, pk)
        if not comments.may_edit(request.user, comment):
            raise PermissionDenied("Only the author may edit this comment.")
        return self.render(request, comment, CommentForm(initial={"body": comment.body}))

    def post(self, request, pk):
        comment = _visible_comment(request, pk)
        if not comments.may_edit(request.user, comment):
            raise PermissionDenied("Only the author may edit this comment.")
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                comments.edit_comment(comment, request.user, form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error("body", error.message_dict.get("body"))
            else:
                return redirect(comment.get_absolute_url())
        return self.render(request, comment, form, status=400)

    def render(self, request, comment, form, status=200):
        record = comment.record
        tab = CommentsTab(viewset=get_entry(type(record)).views)
        tab.setup(request, pk=record.pk)
        return tab.render_tab(record, status=status, editing=comment, edit_form=form)


class CommentRemoveView(SignedInView):
    def post(self, request, pk):
        comment = _visible_comment(request, pk)
        if not comments.may_remove(request.user, comment):
            raise PermissionDenied("You may not remove this comment.")
        form = ReasonForm(request.POST)
        if form.is_valid():
            comments.remove_comment(comment, request.user, form.cleaned_data["reason"])
            return redirect(comment.get_absolute_url())
        record = comment.record
        tab = CommentsTab(viewset=get_entry(type(record)).views)
        tab.setup(request, pk=record.pk)
        return tab.render_tab(record, status=400, remove_errors={comment.pk: form.errors.get("reason")})


register_tab(
    Tab(
        "attachments",
        "Attachments",
        "attachments/",
        applies_to=takes_record_services,
        view=AttachmentsTab,
        weight=40,
    )
)
register_tab(
    Tab(
        "comments",
        "Comments",
        "comments/",
        applies_to=takes_record_services,
        view=CommentsTab,
        weight=50,
    )
)
