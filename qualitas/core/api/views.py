from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse

from qualitas.core import access, attachments, background, comments, services
from qualitas.core.api.serializers import (
    AccessLogSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CommentSerializer,
    DomainEventSerializer,
    JobSerializer,
    ObjectChangeSerializer,
    VerificationSerializer,
)
from qualitas.core.filtersets import (
    AccessLogFilterSet,
    AttachmentFilterSet,
    CommentFilterSet,
    DomainEventFilterSet,
    JobFilterSet,
    ObjectChangeFilterSet,
)
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.service_models import Attachment, Comment, Job
from qualitas.core.views import file_response
from qualitas.framework.api.serializers import ReasonSerializer
from qualitas.framework.api.viewsets import BaseRecordViewSet, ReadOnlyRecordViewSet
from qualitas.framework.records import (
    get_record,
    parse_reference,
    record_model,
    takes_record_services,
    visible,
)

LOG_ORDERING = ("time", "id", "user_name", "object_repr")


class ObjectChangeViewSet(ReadOnlyRecordViewSet):
    queryset = ObjectChange.objects.select_related("content_type", "link")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    ordering_fields = (*LOG_ORDERING, "action")


class DomainEventViewSet(ReadOnlyRecordViewSet):
    queryset = DomainEvent.objects.select_related("content_type")
    serializer_class = DomainEventSerializer
    filterset_class = DomainEventFilterSet
    ordering_fields = (*LOG_ORDERING, "name")


class AccessLogViewSet(ReadOnlyRecordViewSet):
    queryset = AccessLog.objects.select_related("content_type")
    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet
    ordering_fields = (*LOG_ORDERING, "kind")


class CanViewAuditTrail(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("core.view_objectchange"))


class AuditVerificationViewSet(viewsets.ViewSet):
    """Verify the audit trail now: every entry's hash and the whole chain."""

    permission_classes = (CanViewAuditTrail,)

    @extend_schema(responses=VerificationSerializer, operation_id="audit_verify")
    def list(self, request):
        """Verify now, inside the request, and answer with the result."""
        result, _event = services.verify_trail(source="api")
        return Response(result.as_dict())

    @extend_schema(request=None, responses={202: JobSerializer}, operation_id="audit_verify_as_job")
    def create(self, request):
        """Verify as a job (for a long trail): 202 with the job; poll its ``api_url`` until it has
        finished. The result is the job's JSON file and an ``audit.verified`` event."""
        job = background.start_job("core.verify_audit", user=request.user, params={"source": "api"})
        data = JobSerializer(job, context={"request": request}).data
        location = reverse("job-detail", args=[job.pk], request=request)
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class JobViewSet(ReadOnlyRecordViewSet):
    """Jobs: status, progress (0-100), the current step, the log and the result. People see the
    jobs they started; Admin and QA Manager see every job. Poll ``GET /jobs/<id>/`` to follow one.
    """

    queryset = Job.objects.select_related("started_by", "content_type").prefetch_related("files")
    serializer_class = JobSerializer
    filterset_class = JobFilterSet
    ordering_fields = ("created", "status", "progress", "kind", "finished_at")
    http_method_names = ["get", "head", "options", "post"]
    action_permissions = {**ReadOnlyRecordViewSet.action_permissions, "cancel": "view", "result": "view"}

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued or running job (the person who started it, or a job monitor)."""
        job = self.get_object()
        if job.is_finished:
            raise exceptions.ValidationError(
                {"status": [f"The job has already {job.get_status_display().lower()}."]}
            )
        if not background.may_cancel(job, request.user):
            raise exceptions.PermissionDenied("You may not cancel this job.")
        background.cancel_job(job, request.user)
        return Response(self.get_serializer(job).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, filters=False)
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        """Download the result file. Needs the job and, still, the record it was made from."""
        job = self.get_object()
        if not job.result or not background.may_download(job, request.user):
            raise exceptions.NotFound("This job has no result you can download.")
        return self._download(job, job.result, job.result_name, job.result_type)

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes},
        filters=False,
        parameters=[OpenApiParameter("file_pk", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_pk>[0-9]+)", url_name="file")
    def file(self, request, pk=None, file_pk=None):
        """Download one of the job's further result files."""
        job = self.get_object()
        if not background.may_download(job, request.user):
            raise exceptions.NotFound("This job has no result you can download.")
        extra = get_object_or_404(job.files, pk=file_pk)
        return self._download(job, extra.file, extra.name, extra.mime_type)

    def _download(self, job, stored, name, mime):
        response = file_response(stored, name, mime or "application/octet-stream")
        record = job.record
        access.record_download(record if record is not None else job, detail=f"{job}: {name}")
        return response


# --- Attachments and comments -------------------------------------------------------------------


class IsSignedIn(BasePermission):
    """Attachments and comments have no model permissions of their own: their rows are scoped by
    the record they belong to (``restrict``), and writing checks the record."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


def record_for(user, label, action="view"):
    """The record ``app_label.model:id`` for an attachment or a comment, or a field error."""
    try:
        model_label, pk = parse_reference(label)
    except ValidationError:
        model_label, pk = "", ""
    model = record_model(model_label)
    if model is None or not takes_record_services(model) or not pk:
        raise exceptions.ValidationError(
            {"record": [f"There is no record {label!r} (give app_label.model:id)."]}
        )
    try:
        obj = get_record(user, model_label, pk)
    except Http404:
        raise exceptions.ValidationError({"record": [f"There is no record {label!r} that you may see."]})
    if action != "view" and not visible(user, obj, action):
        raise exceptions.PermissionDenied(f"You may not {action} {obj}.")
    return obj


class AttachmentMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser with the attachment service's parser underneath, which keeps the
    file names Django would silently shorten (``../../etc/passwd``) so that they can be refused."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            parser = attachments.UploadParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as error:
            raise exceptions.ParseError(f"Multipart form parse error - {error}")
        request.unsafe_upload_names = parser.unsafe_names
        return parsers.DataAndFiles(data, files)


class AttachmentViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, BaseRecordViewSet
):
    """Files attached to records. List them with ``?record=app_label.model:id``; upload with a
    multipart POST (``record``, ``file``, ``description``); download with ``/download/``. A file
    is refused with a 4xx and a message in ``errors.file`` when it is empty, too large, of a type
    that is not accepted (read from its content), or named like a path."""

    queryset = Attachment.objects.select_related("content_type", "uploaded_by")
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilterSet
    permission_classes = (IsSignedIn,)
    parser_classes = (AttachmentMultiPartParser, parsers.JSONParser, parsers.FormParser)
    ordering_fields = ("created", "name", "size", "mime_type")
    http_method_names = ["get", "head", "options", "post"]
    restrict_action = {**BaseRecordViewSet.restrict_action, "archive": "change", "restore": "change"}

    def initial(self, request, *args, **kwargs):
        self.size_limit = attachments.SizeLimitHandler(request)
        request.upload_handlers.insert(0, self.size_limit)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = request.data  # parses the body (through the size limit)
        if self.size_limit.exceeded:
            message = attachments.too_large_message()
            return Response(
                {"status": 413, "code": "too_large", "detail": message, "errors": {"file": [message]}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        upload = AttachmentUploadSerializer(data=data)
        upload.is_valid(raise_exception=True)
        obj = record_for(request.user, upload.validated_data["record"], "change")
        if getattr(obj, "is_archived", False):
            raise exceptions.PermissionDenied("The record is archived; restore it before adding files.")
        try:
            attachments.refuse_unsafe_names(getattr(request, "unsafe_upload_names", ()))
            attachment = attachments.attach(
                obj,
                upload.validated_data["file"],
                user=request.user,
                description=upload.validated_data.get("description", ""),
            )
        except attachments.AttachmentRejected as error:
            field = "description" if error.code == "description" else "file"
            raise exceptions.ValidationError({field: [error.message]}, code=error.code)
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, filters=False)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file, with its recorded type; the download is written to the access log."""
        attachment = self.get_object()
        response = file_response(attachment.file, attachment.name, attachment.mime_type)
        access.record_download(
            attachment.record, detail=f"Attachment #{attachment.pk}: {attachment.name}"[:300]
        )
        return response

    @extend_schema(request=ReasonSerializer, responses=AttachmentSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._archive_or_restore(attachments.archive_attachment, archived=False)

    @extend_schema(request=ReasonSerializer, responses=AttachmentSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._archive_or_restore(attachments.restore_attachment, archived=True)

    def _archive_or_restore(self, operation, archived):
        attachment = self.get_object()
        reason = ReasonSerializer(data=self.request.data)
        reason.is_valid(raise_exception=True)
        if attachment.is_archived != archived:
            state = "archived" if attachment.is_archived else "not archived"
            raise exceptions.ValidationError({"non_field_errors": [f"The attachment is {state}."]})
        operation(attachment, reason.validated_data["reason"])
        return Response(self.get_serializer(attachment).data)


class CommentViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    BaseRecordViewSet,
):
    """Comments on records, threaded through ``parent``. List with ``?record=app_label.model:id``;
    comment with ``POST {record, body, parent}``; the author edits with ``PATCH {body}``; remove
    with ``POST /archive/ {reason}`` (the author, or whoever holds core.change_comment)."""

    queryset = Comment.objects.select_related("content_type", "author")
    serializer_class = CommentSerializer
    filterset_class = CommentFilterSet
    permission_classes = (IsSignedIn,)
    ordering_fields = ("created", "id")
    http_method_names = ["get", "head", "options", "post", "patch"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        obj = record_for(self.request.user, data["record_label"])
        try:
            serializer.instance = comments.add_comment(
                obj, self.request.user, data["body"], parent=data.get("parent")
            )
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict)

    def perform_update(self, serializer):
        comment = serializer.instance
        unchangeable = set(serializer.initial_data) - {"body"}
        if unchangeable:
            raise exceptions.ValidationError(
                {name: ["Only the text of a comment can be changed."] for name in sorted(unchangeable)}
            )
        try:
            comments.edit_comment(
                comment, self.request.user, serializer.validated_data.get("body", comment.body)
            )
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict)

    @extend_schema(request=ReasonSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Remove a comment (it stays in the thread as removed, and in the audit trail)."""
        comment = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        try:
            comments.remove_comment(comment, request.user, reason.validated_data["reason"])
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error))
        return Response(self.get_serializer(comment).data)
