"""Serializers of the core API: the three logs (read-only: the API never writes to the audit trail),
jobs, attachments and comments."""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from rest_framework import serializers

from qualitas.core.attachments import PREVIEW_TYPES
from qualitas.core.comments import MAX_LENGTH
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.service_models import Attachment, Comment, Job, JobFile


class LogSerializer(serializers.ModelSerializer):
    """``url`` is the entry's page; ``model`` names the record type as ``app_label.model``."""

    url = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_model(self, obj) -> str | None:
        if obj.content_type_id is None:
            return None
        return ".".join(obj.content_type.natural_key())

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class ObjectChangeSerializer(LogSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    sequence = serializers.SerializerMethodField(
        help_text="The entry's place in the hash chain, once sealed."
    )

    class Meta:
        model = ObjectChange
        fields = (
            "id",
            "url",
            "time",
            "action",
            "action_display",
            "user",
            "user_name",
            "request_id",
            "ip",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "changes",
            "reason",
            "entry_hash",
            "sequence",
        )

    def get_fields(self):
        fields = super().get_fields()
        # A record's history is open to whoever sees the record (a customer, for instance); the
        # client addresses of the people who changed it are only for those who read the trail.
        if self.context.get("hide_ip"):
            fields.pop("ip", None)
        return fields

    def get_sequence(self, obj) -> int | None:
        try:
            return obj.link.seq
        except ObjectDoesNotExist:
            return None


class DomainEventSerializer(LogSerializer):
    class Meta:
        model = DomainEvent
        fields = (
            "id",
            "url",
            "time",
            "name",
            "user",
            "user_name",
            "request_id",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "message",
            "data",
        )


class AccessLogSerializer(LogSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = AccessLog
        fields = (
            "id",
            "url",
            "time",
            "kind",
            "kind_display",
            "user",
            "user_name",
            "ip",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "detail",
        )


class VerificationSerializer(serializers.Serializer):
    """The result of ``audit.verify()`` (see ``VerifyResult.as_dict``)."""

    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="Sealed entries whose hashes were recomputed.")
    unsealed = serializers.IntegerField(help_text="Entries written but not yet linked into the chain.")
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    first_broken_entry = serializers.IntegerField(allow_null=True)
    first_broken_seq = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField(allow_blank=True)


def absolute(request, path):
    return request.build_absolute_uri(path) if request is not None and path else path


class JobFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download (the same check as the job's result).")

    class Meta:
        model = JobFile
        fields = ("id", "name", "mime_type", "size", "url")
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), reverse("job-file", args=[obj.job_id, obj.pk]))


class JobSerializer(serializers.ModelSerializer):
    """A job as the API shows it. Everything is read-only: jobs are started by the features that
    need them and cancelled with ``POST /jobs/<id>/cancel/``."""

    url = serializers.SerializerMethodField(help_text="The job's page, with its live progress bar.")
    display = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    started_by_name = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField(help_text="The related record as app_label.model:id.")
    result_url = serializers.SerializerMethodField(help_text="Download of the result file, if any.")
    files = JobFileSerializer(many=True, read_only=True)
    is_finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = Job
        fields = (
            "id",
            "url",
            "display",
            "kind",
            "label",
            "status",
            "status_display",
            "is_finished",
            "progress",
            "message",
            "log",
            "started_by",
            "started_by_name",
            "record",
            "object_repr",
            "params",
            "result_name",
            "result_type",
            "result_size",
            "result_url",
            "files",
            "attempts",
            "error",
            "created",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), obj.get_absolute_url())

    def get_display(self, obj) -> str:
        return str(obj)

    def get_started_by_name(self, obj) -> str:
        user = obj.started_by
        return (user.full_name or user.email) if user is not None else ""

    def get_record(self, obj) -> str:
        return obj.record_label

    def get_result_url(self, obj) -> str:
        if not obj.result:
            return ""
        return absolute(self.context.get("request"), reverse("job-result", args=[obj.pk]))


def _user_name(user):
    return (user.full_name or user.email) if user is not None else ""


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment. ``download_url`` serves the file through the record's permission check."""

    url = serializers.SerializerMethodField(help_text="The record's Attachments tab.")
    display = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField(help_text="The record as app_label.model:id.")
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField(help_text="Inline view (PDF and images only).")

    class Meta:
        model = Attachment
        fields = (
            "id",
            "url",
            "display",
            "record",
            "name",
            "size",
            "mime_type",
            "sha256",
            "description",
            "uploaded_by",
            "uploaded_by_name",
            "created",
            "download_url",
            "preview_url",
            "is_archived",
            "archived_at",
            "archive_reason",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        page = obj.record_url()
        return absolute(self.context.get("request"), f"{page}attachments/" if page else "")

    def get_display(self, obj) -> str:
        return str(obj)

    def get_record(self, obj) -> str:
        return obj.record_label

    def get_uploaded_by_name(self, obj) -> str:
        return _user_name(obj.uploaded_by)

    def get_download_url(self, obj) -> str:
        return absolute(self.context.get("request"), reverse("attachment-download", args=[obj.pk]))

    def get_preview_url(self, obj) -> str:
        if obj.mime_type not in PREVIEW_TYPES:
            return ""
        return absolute(self.context.get("request"), obj.get_preview_url())


class AttachmentUploadSerializer(serializers.Serializer):
    record = serializers.CharField(help_text="The record to attach the file to, as app_label.model:id.")
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer):
    """A comment. A removed (archived) comment keeps its place in the thread; its text is in the
    audit trail only."""

    url = serializers.SerializerMethodField(help_text="The comment on the record's Comments tab.")
    record = serializers.CharField(
        source="record_label", help_text="The record as app_label.model:id (given when commenting)."
    )
    author_name = serializers.SerializerMethodField()
    body = serializers.CharField(max_length=MAX_LENGTH)

    class Meta:
        model = Comment
        fields = (
            "id",
            "url",
            "record",
            "parent",
            "author",
            "author_name",
            "body",
            "created",
            "edited",
            "is_archived",
            "archived_at",
            "archive_reason",
        )
        read_only_fields = (
            "id",
            "url",
            "author",
            "author_name",
            "created",
            "edited",
            "is_archived",
            "archived_at",
            "archive_reason",
        )
        extra_kwargs = {"parent": {"queryset": Comment.objects.all(), "required": False, "allow_null": True}}

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), obj.get_absolute_url())

    def get_author_name(self, obj) -> str:
        return _user_name(obj.author)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_archived:
            data["body"] = ""
        return data
