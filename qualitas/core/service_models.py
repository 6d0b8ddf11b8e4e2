"""Models of the record services: jobs, attachments and comments.

They live beside ``models.py`` rather than in it because they derive from the framework's audited
base classes, and those import the audit trail's models from ``models.py``; ``CoreConfig`` imports
this module once ``models.py`` is loaded. Import them from here:
``from qualitas.core.service_models import Attachment, Comment, Job``.

Attachments and comments belong to any record (``content_type`` + ``object_id``) and take their
permissions from it: whoever may view the record sees them, whoever may change the record may add
and archive attachments (see ``RecordChildQuerySet.restrict``).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qualitas.core.choices import JobStatusChoices
from qualitas.framework.fields import ChoiceSetField
from qualitas.framework.models import ArchivableModel, AuditedModel, AuditedQuerySet
from qualitas.framework.registry import get_entry


class RecordReference:
    """A model that points at "any record" through ``content_type`` and ``object_id`` (see
    qualitas/framework/records.py). ``record`` is the record itself, read without scoping: callers
    check the reader's permission with ``records.visible`` or ``records.get_record``."""

    @property
    def record(self):
        if not self.content_type_id or not self.object_id:
            return None
        if not hasattr(self, "_record_cache"):
            model = self.content_type.model_class()
            self._record_cache = (
                model._base_manager.filter(pk=self.object_id).first() if model is not None else None
            )
        return self._record_cache

    def record_url(self):
        """The record's page, reversed without loading the record ('' for unknown record types)."""
        if not self.content_type_id or not self.object_id:
            return ""
        model = self.content_type.model_class()
        entry = get_entry(model) if model is not None else None
        if entry is None or entry.views is None:
            return ""
        try:
            return entry.views.url("detail", self.object_id)
        except NoReverseMatch:
            return ""

    @property
    def record_label(self):
        """``app_label.model:pk`` of the record, as the API writes it; empty without a record."""
        if not self.content_type_id or not self.object_id:
            return ""
        return f"{self.content_type.app_label}.{self.content_type.model}:{self.object_id}"


def visible_records(queryset, user, action="view"):
    """Narrow a queryset of record references to those whose record ``user`` may ``action``.

    One subquery per record type present, each through that model's own ``restrict()``, so every
    scoping rule (customers, classifications) applies exactly as on the record's own pages.
    """
    condition = Q(pk__in=[])
    type_ids = queryset.order_by().values_list("content_type", flat=True).distinct()
    for type_id in type_ids:
        if type_id is None:
            continue
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or get_entry(model) is None or not hasattr(model.objects, "restrict"):
            continue
        ids = model.objects.restrict(user, action).annotate(_ref=Cast("pk", CharField())).values("_ref")
        condition |= Q(content_type_id=type_id, object_id__in=ids)
    return queryset.filter(condition)


def stored_path(prefix, extension=""):
    """A generated storage path (``attachments/2026/03/<uuid>.pdf``): never a name a user chose."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def job_result_path(instance, filename):
    return stored_path("jobs")


def attachment_path(instance, filename):
    return stored_path("attachments")


# --- Jobs ---------------------------------------------------------------------------------------


class Job(RecordReference, AuditedModel):
    """One run of long work (an import, an inspection pack, a mock recall), done by the job worker.

    Status, the result and the error are audited; progress, the current step, the log and the
    worker's heartbeat change all the time and are not (``audit_ignore_fields``). Jobs are started
    with ``qualitas.core.background.start_job`` and never edited through a form.
    """

    kind = models.CharField(max_length=100, db_index=True)
    label = models.CharField(max_length=200, help_text="What the job does, in words.")
    status = ChoiceSetField(
        max_length=20, choice_set=JobStatusChoices, default=JobStatusChoices.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, 0 to 100.")
    message = models.CharField(max_length=300, blank=True, help_text="The step the job is at.")
    log = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("record", max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.FileField(upload_to=job_result_path, max_length=255, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Written by the worker while the job runs; a running job with an old heartbeat lost its worker.
    heartbeat = models.DateTimeField(null=True, blank=True)
    #: When the job was last handed to the queue.
    dispatched = models.DateTimeField(null=True, blank=True)

    audit_ignore_fields = ("progress", "message", "log", "heartbeat", "dispatched")

    class Meta:
        ordering = ["-created", "-id"]
        default_permissions = ("view",)
        permissions = [("monitor_jobs", "Can see and cancel everyone's jobs")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="job_object")]

    def __str__(self):
        return f"Job #{self.pk}: {self.label or self.kind}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """People see the jobs they started; job monitors (Admin, QA Manager) see every job."""
        if user.is_superuser or user.has_perm("core.monitor_jobs"):
            return queryset
        return queryset.filter(started_by=user)

    @property
    def is_finished(self):
        return self.status in JobStatusChoices.FINISHED

    def get_status_color(self):
        return JobStatusChoices.color(self.status)

    def get_result_url(self):
        return reverse("core:job_result", args=[self.pk]) if self.result else ""


class JobFile(models.Model):
    """A further result file of a job, beside its main result."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=job_result_path, max_length=255)
    name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="jobfile_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("core:job_file", args=[self.job_id, self.pk])


# --- Attachments and comments -------------------------------------------------------------------


class RecordChildQuerySet(AuditedQuerySet):
    """Rows that belong to a record take their permissions from it: ``restrict(user, "view")``
    gives the rows on records the user may view, any other action those on records the user may
    change. There are no separate model permissions to grant."""

    def restrict(self, user, action="view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return visible_records(self, user, "view" if action in ("view", "export") else "change")


class Attachment(RecordReference, ArchivableModel):
    """A file kept with a record. The file's type is read from its content (libmagic) and checked
    against an allow-list; the SHA-256 proves later that it is the file that was uploaded. Files
    are archived with a reason, never deleted. See ``qualitas.core.attachments``."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255, help_text="The file's name as uploaded (for display only).")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    mime_type = models.CharField("type", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    description = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_object")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.get_download_url()

    def get_download_url(self):
        return reverse("core:attachment_download", args=[self.pk])

    def get_preview_url(self):
        return reverse("core:attachment_preview", args=[self.pk])


class Comment(RecordReference, ArchivableModel):
    """A comment on a record, optionally in reply to another comment on the same record. Edits
    keep their history in the audit trail; a comment is archived, not deleted."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    edited = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        # Who may comment is a permission (``core.add_comment``); who may remove other people's
        # comments is ``core.change_comment``. Reading follows the record.
        default_permissions = ("add", "change")
        indexes = [models.Index(fields=["content_type", "object_id"], name="comment_object")]

    def __str__(self):
        return f"Comment #{self.pk} by {self.author or 'a former user'}"

    def get_absolute_url(self):
        url = self.record_url()
        return f"{url}comments/#comment-{self.pk}" if url else ""
