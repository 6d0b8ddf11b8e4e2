"""Base models. Every Qualitas record derives from ``PrimaryModel`` (or ``AuditedModel``).

- Every save and delete writes an ObjectChange in the same transaction (``qualitas.core.audit``).
- Records are archived with a reason, not deleted, and can be restored.
- ``scope_queryset`` is the single hook that narrows what a user may see.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qualitas.core import audit
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.sequences import next_number
from qualitas.framework.context import change_reason, current_context
from qualitas.framework.models.querysets import AuditedQuerySet


class AuditedModel(models.Model):
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated = models.DateTimeField(auto_now=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditedQuerySet.as_manager()

    #: The path from this model to the customer Company, for customer scoping. None means customers
    #: never see this model.
    customer_scope: str | None = None

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Keep the loaded values as they are; they are turned into a snapshot only if the
        # instance is saved, so reading thousands of rows costs nothing extra.
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """Narrow ``queryset`` to what ``user`` may see. Override for model-specific rules."""
        if getattr(user, "is_customer", False):
            if cls.customer_scope is None:
                return queryset.none()
            return queryset.filter(**{cls.customer_scope: user.company_id})
        return queryset

    def save(self, *args, audit_action=None, **kwargs):
        adding = self._state.adding
        user = current_context().current_user()
        if user is not None and getattr(user, "pk", None):
            if adding and self.created_by_id is None:
                self.created_by = user
            self.updated_by = user
        with transaction.atomic(using=kwargs.get("using")):
            self.before_save(adding)
            before = None if adding else self._stored_snapshot()
            super().save(*args, **kwargs)
            after = audit.snapshot(self)
            action = audit_action or (ChangeActionChoices.CREATE if adding else ChangeActionChoices.UPDATE)
            audit.record_change(self, action, before=before, after=after)
            self._audit_before = after

    save.alters_data = True  # type: ignore[attr-defined]

    def before_save(self, adding):
        """Hook for derived values (numbers, defaults) computed inside the save transaction."""

    def _stored_snapshot(self):
        """The values as stored before this save: from the last save, from the load, or queried."""
        before = getattr(self, "_audit_before", None)
        if before is not None:
            return before
        loaded = getattr(self, "_audit_loaded", None)
        if loaded is not None:
            before = audit.snapshot_values(type(self), loaded)
            if before is not None:
                return before
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        return audit.snapshot(stored) if stored is not None else None

    def delete(self, *args, **kwargs):
        """Hard deletion. Only for GDPR erasure and records created in error; it is audited.
        Everything else is archived."""
        with transaction.atomic():
            before = self._stored_snapshot()
            audit.record_change(self, ChangeActionChoices.DELETE, before=before, after=None)
            return super().delete(*args, **kwargs)

    delete.alters_data = True  # type: ignore[attr-defined]

    def get_absolute_url(self):
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])
        except NoReverseMatch:
            return ""

    @property
    def history(self):
        return audit.history(self)


class ArchivableModel(AuditedModel):
    is_archived = models.BooleanField(default=False, db_index=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archive_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def archive(self, reason):
        if not (reason or "").strip():
            raise ValidationError({"reason": "Give a reason for archiving."})
        if self.is_archived:
            raise ValidationError(f"{self} is already archived.")
        user = current_context().current_user()
        self.is_archived = True
        self.archived_at = timezone.now()
        self.archived_by = user if getattr(user, "pk", None) else None
        self.archive_reason = reason.strip()
        with change_reason(reason.strip()):
            self.save(audit_action=ChangeActionChoices.ARCHIVE)

    archive.alters_data = True  # type: ignore[attr-defined]

    def restore(self, reason):
        if not (reason or "").strip():
            raise ValidationError({"reason": "Give a reason for restoring."})
        if not self.is_archived:
            raise ValidationError(f"{self} is not archived.")
        self.is_archived = False
        self.archived_at = None
        self.archived_by = None
        self.archive_reason = ""
        with change_reason(reason.strip()):
            self.save(audit_action=ChangeActionChoices.RESTORE)

    restore.alters_data = True  # type: ignore[attr-defined]


class PrimaryModel(ArchivableModel):
    """The base for ordinary records: audited, archivable, scoped."""

    class Meta:
        abstract = True


class NumberedModel(models.Model):
    """A record with a human-readable number from a configurable pattern (``NCR-{year}-{seq:04d}``)."""

    number = models.CharField(max_length=50, unique=True, editable=False)
    number_pattern = "{seq:06d}"

    class Meta:
        abstract = True

    def number_tokens(self):
        """Extra pattern tokens, e.g. ``{"type": "CA"}`` for ``CAPA-{type}-{year}-{seq:04d}``."""
        return {}

    def before_save(self, adding):
        super().before_save(adding)
        if adding and not self.number:
            self.number = next_number(type(self), **self.number_tokens())


class VersionedModel(models.Model):
    """Versioned records (documents, processes, plans, templates).

    All versions of one record share a ``lineage``; exactly one of them ``is_current``.
    """

    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    previous_version = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    is_current = models.BooleanField(default=True, editable=False)

    #: Fields that a new version does not copy (it starts from their defaults).
    version_reset_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def versions(self):
        return type(self)._base_manager.filter(lineage=self.lineage).order_by("version")

    def create_new_version(self, **changes):
        """A new, not yet current version copied from this one. ``make_current()`` releases it."""
        with transaction.atomic():
            latest = self.versions().order_by("-version").first()
            new = type(self)._base_manager.get(pk=self.pk)
            new.pk = None
            new.id = None
            new._state.adding = True
            new.previous_version = self
            new.version = latest.version + 1
            new.is_current = False
            # A new version is a new record: fresh timestamps and authors, reset workflow fields.
            for field in self._meta.concrete_fields:
                if field.name in {
                    "created",
                    "updated",
                    "created_by",
                    "updated_by",
                    *self.version_reset_fields,
                }:
                    setattr(new, field.attname, field.get_default())
            for name, value in changes.items():
                setattr(new, name, value)
            new.save()
            return new

    def make_current(self):
        """Make this version the current one and every other version of the lineage not current."""
        with transaction.atomic():
            for other in self.versions().filter(is_current=True).exclude(pk=self.pk):
                other.is_current = False
                other.save()
            if not self.is_current:
                self.is_current = True
                self.save()


class VersionedNumberedModel(VersionedModel, NumberedModel):
    """A numbered record whose versions share the number (``SOP-QA-0012`` revision 1, 2, ...).

    The number is unique per version instead of per row; a new version keeps its number.
    """

    number = models.CharField(max_length=50, editable=False, db_index=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["number", "version"], name="%(app_label)s_%(class)s_number_version"
            ),
        ]
