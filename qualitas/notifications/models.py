"""Notifications: in-app messages, their e-mail deliveries, preferences and reminders.

What is audited, and why
------------------------
- ``Preference`` is an ``AuditedModel``: a person's choice to stop e-mail of a kind is a setting
  an auditor may ask about ("why did nobody hear of this CCP deviation?"), and it changes rarely.
- ``Reminder`` is an ``AuditedModel``: it is scheduled against a quality record (a due date, an
  escalation role), and when it was cancelled and by whom is part of that record's story. The
  fields the reminder job moves on every run (``stage``, ``overdue_count``, ``last_sent_at``,
  ``next_run_at``) are ``audit_ignore_fields``, so firing a reminder writes no audit entry.
- ``Notification`` and ``Delivery`` are plain models. They are messages *about* quality records,
  not quality records: one event can write a thousand of each, and a delivery changes state
  several times on its way out. Auditing them would multiply the trail by the fan-out and hide
  the entries that matter. What happened to the record is in the record's own trail and in the
  domain-event log.
- The one delivery change a person makes, an administrator cancelling a mail or retrying it now,
  *is* audited: those are state-machine actions (``actions.py``) that require a reason (cancel)
  and write an ``ObjectChange`` (``transition``) plus a domain event, through
  ``Delivery.save(audit_action=...)`` below. The sender's own status updates do not pass an
  ``audit_action`` and are not audited.

E-mail modes and what "off" means
---------------------------------
A notification is always written in-app (the bell, /notifications/, the API); the preference
decides only the e-mail: ``immediate`` (one delivery per notification), ``daily`` or ``weekly``
(collected into one digest delivery per person, see ``services.send_digests``) or ``off`` (no
mail). Kinds registered as ``mandatory`` (``quality.alert``) cannot be set to ``off``, and an
urgent notification of a mandatory kind is mailed at once even to someone who chose a digest.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qualitas.core import audit
from qualitas.framework.fields import ChoiceSetField
from qualitas.framework.models import AuditedModel
from qualitas.framework.scoping import RestrictedQuerySet
from qualitas.notifications.actions import DeliveryStateMachine
from qualitas.notifications.choices import DeliveryStatusChoices, DigestChoices, ModeChoices
from qualitas.notifications.kinds import kind_label


class Delivery(models.Model):
    """One e-mail on its way out: a single notification, or a digest of several.

    It stays in the outbox (``queued``, ``sending`` or ``retrying``) until it is sent or an
    administrator cancels it; failures are retried with exponential backoff and never dropped.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField("to", max_length=254)
    kind = models.CharField(max_length=64, db_index=True)
    digest = ChoiceSetField(choice_set=DigestChoices, max_length=10, blank=True, default=DigestChoices.SINGLE)
    subject = models.CharField(max_length=200)
    status = ChoiceSetField(
        choice_set=DeliveryStatusChoices, max_length=10, default=DeliveryStatusChoices.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    #: When the sender may (next) pick the delivery up. While ``sending`` it is the end of the
    #: sender's lease: a delivery whose sender died is picked up again after it.
    next_attempt_at = models.DateTimeField("next attempt", default=timezone.now)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField("Message-ID", max_length=255, blank=True)
    cancel_reason = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    state_machine = DeliveryStateMachine
    #: Customers never see the outbox.
    customer_scope = None

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "e-mail delivery"
        verbose_name_plural = "e-mail deliveries"
        default_permissions = ("view",)
        permissions = [("cancel_delivery", "Can cancel or retry e-mail deliveries")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=DeliveryStatusChoices.PENDING),
                name="delivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_address}"

    def get_absolute_url(self):
        return reverse("notifications:delivery_detail", args=[self.pk])

    @property
    def kind_label(self):
        return DigestChoices.label(self.digest) if self.digest else kind_label(self.kind)

    @property
    def is_pending(self):
        return self.status in DeliveryStatusChoices.PENDING

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return queryset.none() if getattr(user, "is_customer", False) else queryset

    def save(self, *args, audit_action=None, **kwargs):
        """Saves as usual. With ``audit_action`` (the administrator's actions pass it) the change
        is also written to the audit trail, in the same transaction."""
        if audit_action is None:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            stored = type(self)._base_manager.filter(pk=self.pk).first() if self.pk else None
            before = audit.snapshot(stored) if stored is not None else None
            super().save(*args, **kwargs)
            audit.record_change(self, audit_action, before=before, after=audit.snapshot(self))
        return None

    save.alters_data = True  # type: ignore[attr-defined]


class Notification(models.Model):
    """One message to one person, shown in-app and (by preference) e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    #: Where the notification leads (a path on this site, usually the record's page).
    url = models.CharField(max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("record", max_length=200, blank=True)
    urgent = models.BooleanField(default=False)
    #: The e-mail mode that applied when the notification was written.
    email_mode = ChoiceSetField(choice_set=ModeChoices, max_length=10, default=ModeChoices.IMMEDIATE)
    #: The e-mail that carried it (its own, or a digest); empty while it waits for a digest.
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    #: Extra values for the kind's e-mail template.
    context = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        default_permissions = ()
        indexes = [
            # The list, the bell's count and the event stream: one person's notifications by id.
            models.Index(fields=["recipient", "-id"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # What the digest job collects.
            models.Index(
                fields=["email_mode", "created"],
                condition=Q(delivery__isnull=True, email_mode__in=(ModeChoices.DAILY, ModeChoices.WEEKLY)),
                name="notification_digest",
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        """Opening a notification marks it read and leads to its target."""
        return reverse("notifications:notification_open", args=[self.pk])

    @property
    def kind_label(self):
        return kind_label(self.kind)

    @property
    def is_read(self):
        return self.read_at is not None


class Preference(AuditedModel):
    """A person's e-mail mode for one kind. Without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    mode = ChoiceSetField(choice_set=ModeChoices, max_length=10, default=ModeChoices.IMMEDIATE)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = "notification preference"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_user_kind")]

    def __str__(self):
        return f"{self.user}: {kind_label(self.kind)} — {ModeChoices.label(self.mode)}"

    def get_absolute_url(self):
        return reverse("notifications:preferences")


class Reminder(AuditedModel):
    """Reminders about a record, sent by the reminder job (``services.fire_due_reminders``).

    - Fixed interval: ``every`` set, no ``due``: a notification of ``kind`` every interval.
    - Deadline: ``due`` with ``lead_times`` (7 days, 1 day, ...): one notification at each lead
      time before the due date; at the due date a ``task.overdue`` notification, also to the
      members of ``escalate_to_role``; with ``every`` set, the overdue notice repeats at that
      interval until the reminder is cancelled (``cancel_reminders``), otherwise it ends there.
    """

    kind = models.CharField(max_length=64)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    roles = models.ManyToManyField(Group, blank=True, related_name="+")
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("record", max_length=200, blank=True)
    subject = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    urgent = models.BooleanField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    every = models.DurationField(null=True, blank=True)
    #: Lead times before ``due``, in seconds, longest first.
    lead_times = models.JSONField(default=list, blank=True)
    escalate_to_role = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: How many lead-time notices have gone out.
    stage = models.PositiveSmallIntegerField(default=0)
    overdue_count = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    audit_ignore_fields = ("stage", "overdue_count", "last_sent_at", "next_run_at")

    class Meta:
        ordering = ["next_run_at", "id"]
        indexes = [
            models.Index(fields=["next_run_at"], condition=Q(is_active=True), name="reminder_due"),
            models.Index(fields=["content_type", "object_id"], name="reminder_record"),
        ]

    def __str__(self):
        return f"{kind_label(self.kind)}: {self.subject}"
