"""The audit trail, the domain-event log, the access log and record-number sequences.

ObjectChange rows are append-only: the model refuses update and delete, and database triggers
(see migrations) refuse them as well. Integrity is protected by a SHA-256 hash chain kept in
``AuditChainLink``; see docs/architecture/audit-trail.md for why the chain is a separate table.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qualitas.core.choices import AccessKindChoices, ChangeActionChoices
from qualitas.framework.fields import ChoiceSetField
from qualitas.framework.scoping import RestrictedQuerySet


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an append-only audit row."""


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"core:{self._meta.model_name}_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only and cannot be deleted.")


class ObjectChange(AppendOnlyModel):
    """One create, update, archive, restore, transition or delete of one record."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint: the trail must outlive (and never be rewritten by) a user's removal.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_name = models.CharField(max_length=200, blank=True)
    # Not indexed: every index costs each audited write, and a request's changes are rarely
    # looked up by its id alone.
    request_id = models.UUIDField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = ChoiceSetField(max_length=20, choice_set=ChangeActionChoices)
    # Indexed through ``objectchange_object`` (content_type, object_id, time), which it leads.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    entry_hash = models.CharField(max_length=64, editable=False)

    # The audit trail is evidence of controlled changes and retention of records (clause library).
    evidence_for = ("iso9001:7.5.3.2", "iso22000:7.5.3.2")
    evidence_date_field = "time"

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"], name="objectchange_object")]
        verbose_name = "change"
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} by {self.user_name or 'system'}"

    def get_action_color(self):
        return ChangeActionChoices.color(self.action)


class AuditChainHead(models.Model):
    """A single row: the last sealed sequence number and chain hash. Locked only by the sealer."""

    seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"chain head {self.seq}: {self.chain_hash[:12]}"


class AuditChainLink(AppendOnlyModel):
    """Links one ObjectChange into the chain: chain_hash = SHA-256(previous chain_hash + entry_hash)."""

    seq = models.BigIntegerField(unique=True)
    entry = models.OneToOneField(ObjectChange, on_delete=models.PROTECT, related_name="link")
    entry_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    sealed = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        default_permissions = ()

    def __str__(self):
        return f"link {self.seq} -> change #{self.entry_id}"

    def get_absolute_url(self):
        return reverse("core:objectchange_detail", args=[self.entry_id])


class DomainEvent(AppendOnlyModel):
    """A readable business event (``capa.approved``) from a registered vocabulary."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    name = models.CharField(max_length=100, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_name = models.CharField(max_length=200, blank=True)
    request_id = models.UUIDField(null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="domainevent_object")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.name}: {self.message}"


class AccessLog(AppendOnlyModel):
    """Who viewed, downloaded or exported what, and when."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_name = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    kind = ChoiceSetField(max_length=20, choice_set=AccessKindChoices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    # Who viewed, downloaded and exported records is evidence of protected records (clause library).
    evidence_for = ("iso9001:7.5.3.1", "iso22000:7.5.3.1")
    evidence_date_field = "time"

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="accesslog_object")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_repr or self.content_type} by {self.user_name or 'anonymous'}"


class RecordSequence(models.Model):
    """The last number issued per key (e.g. ``ncr:2026``). Numbers are never reused."""

    key = models.CharField(max_length=100, unique=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.key} = {self.last_value}"
