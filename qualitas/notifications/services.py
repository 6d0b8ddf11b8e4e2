"""Notifications: the service API other modules call, and the work of the periodic jobs.

    from qualitas.notifications.services import notify, register_kind, schedule_reminder, cancel_reminders

    register_kind("capa.due", "CAPA due")                    # once, at import time of the module
    notify("approval.request", recipients=[user, ...], subject="Approve SOP-QA-0012",
           message="Quinn asks you to approve ...", obj=document)   # -> [Notification, ...]
    schedule_reminder("task.reminder", [owner], capa, due=capa.due_at, subject="CAPA-2026-0007",
                      lead_times=(timedelta(days=7), timedelta(days=1)), escalate_to_role="QA Manager")
    cancel_reminders(capa)                                    # when the task is done

Fan-out is a handful of queries whatever the number of recipients: one for their preferences, one
bulk insert of e-mail deliveries, one of notifications, then (after the commit) one Celery
message per batch of deliveries. See ``benchmarks/notifications.py`` for the figures.

E-mail preferences, digests and what "off" means are described in ``models.py``; sending,
retries and backoff in ``sending.py``; the event stream in ``stream.py``.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.core.events import register_event
from qualitas.framework.records import visible
from qualitas.notifications.choices import DeliveryStatusChoices, DigestChoices, ModeChoices
from qualitas.notifications.kinds import (
    TASK_OVERDUE,
    NotificationKind,
    UnknownKind,
    get_kind,
    register_kind,
    registered_kinds,
)
from qualitas.notifications.models import Delivery, Notification, Preference, Reminder
from qualitas.notifications.sending import dispatch

__all__ = (
    "NotificationKind",
    "UnknownKind",
    "cancel_reminders",
    "get_kind",
    "mark_read",
    "notify",
    "register_kind",
    "registered_kinds",
    "schedule_reminder",
    "set_preferences",
    "unread_count",
)

logger = logging.getLogger(__name__)

register_event("notifications.delivery_cancelled", "An e-mail notification was cancelled")
register_event("notifications.delivery_retried", "An e-mail notification was queued again")


# --- Recipients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str


def resolve_recipients(recipients):
    """Active people from users, user ids, roles (``Group`` or role name) and querysets of users,
    without duplicates, in the order given. Inactive people are left out."""
    User = get_user_model()
    if recipients is None:
        return []
    if isinstance(recipients, User | Group | str | int):
        recipients = [recipients]
    found, ids, groups, names = {}, [], [], []
    order = []
    if isinstance(recipients, models.QuerySet) and recipients.model is User:
        for pk, email in recipients.filter(is_active=True).values_list("pk", "email"):
            found[pk] = Recipient(pk, email)
            order.append(pk)
    else:
        for item in recipients:
            if isinstance(item, User):
                if item.is_active and item.pk is not None:
                    found.setdefault(item.pk, Recipient(item.pk, item.email))
                    order.append(item.pk)
            elif isinstance(item, Group):
                groups.append(item.pk)
            elif isinstance(item, str):
                names.append(item)
            elif isinstance(item, int) and not isinstance(item, bool):
                ids.append(item)
                order.append(item)
            else:
                raise TypeError(f"A recipient is a user, a user id, a role or a role name, not {item!r}.")
    if names:
        known = dict(Group.objects.filter(name__in=names).values_list("name", "pk"))
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise ValueError(f"Unknown role(s): {', '.join(unknown)}.")
        groups.extend(known.values())
    query = models.Q(pk__in=[pk for pk in ids if pk not in found])
    if groups:
        query |= models.Q(groups__in=groups)
    if ids or groups:
        for pk, email in (
            User.objects.filter(query, is_active=True).order_by("pk").distinct().values_list("pk", "email")
        ):
            found.setdefault(pk, Recipient(pk, email))
            order.append(pk)
    seen, result = set(), []
    for pk in order:
        if pk in found and pk not in seen:
            seen.add(pk)
            result.append(found[pk])
    return result


# --- Notify -------------------------------------------------------------------------------------


def notify(kind, recipients, subject, message="", obj=None, url="", urgent=None, context=None):
    """Notify ``recipients`` (users, user ids, roles or role names) of ``kind``. Returns the new
    ``Notification`` rows (one per active recipient).

    Every recipient gets the in-app notification. E-mail follows each person's preference for the
    kind: at once (a ``Delivery`` queued now and dispatched after the commit), in the daily or
    weekly digest, or not at all. ``urgent`` (default: the kind's) notifications are also pushed
    to open pages over the event stream. ``obj`` is the record it is about: its page is the default
    ``url``. ``context`` adds values for the kind's e-mail templates (JSON-serialisable).

    Raises ``UnknownKind`` for a kind no module registered, ``ValueError`` for an empty subject.
    """
    definition = get_kind(kind)
    subject = " ".join(str(subject or "").split())[:200]
    if not subject:
        raise ValueError("A notification needs a subject.")
    people = resolve_recipients(recipients)
    if obj is not None:
        people = readers(people, obj)
    if not people:
        return []
    urgent = definition.urgent if urgent is None else bool(urgent)
    content_type, object_id, object_repr = record_reference(obj)
    if not url and obj is not None and hasattr(obj, "get_absolute_url"):
        url = obj.get_absolute_url() or ""
    modes = email_modes(definition, [person.id for person in people], urgent)
    now = timezone.now()
    with transaction.atomic():
        deliveries = {
            person.id: Delivery(
                recipient_id=person.id,
                to_address=person.email,
                kind=definition.code,
                subject=subject,
                next_attempt_at=now,
                created=now,
            )
            for person in people
            if modes[person.id] == ModeChoices.IMMEDIATE and person.email
        }
        Delivery.objects.bulk_create(deliveries.values())
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=person.id,
                    kind=definition.code,
                    subject=subject,
                    message=str(message or ""),
                    url=str(url or "")[:500],
                    content_type=content_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    urgent=urgent,
                    email_mode=modes[person.id] if person.email else ModeChoices.OFF,
                    delivery=deliveries.get(person.id),
                    context=context or {},
                    created=now,
                )
                for person in people
            ]
        )
        if deliveries:
            transaction.on_commit(partial(dispatch, [delivery.pk for delivery in deliveries.values()]))
    return notifications


def readers(people, obj):
    """The recipients who may open ``obj``: nobody is told about a record (its name, its subject,
    a link) that they may not see. One query finds who holds the view permission; the record's
    row scoping is checked person by person only for the people it narrows (customers), so a
    fan-out to many staff stays a fixed number of queries."""
    model = type(obj)
    if not hasattr(model._default_manager, "restrict"):
        return people
    User = get_user_model()
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    permission = Permission.objects.filter(
        content_type=content_type, codename=f"view_{model._meta.model_name}"
    ).first()
    holders = models.Q(is_superuser=True)
    if permission is not None:
        holders |= models.Q(groups__permissions=permission) | models.Q(user_permissions=permission)
    holding = User.objects.filter(pk__in=[person.id for person in people]).filter(holders).distinct()
    customers = set(
        holding.filter(is_superuser=False, company__kind=CompanyKindChoices.CUSTOMER).values_list(
            "pk", flat=True
        )
    )
    allowed = set(holding.values_list("pk", flat=True)) - customers
    # Customers see their own company's records only: checked one by one (they are few).
    allowed |= {user.pk for user in User.objects.filter(pk__in=customers) if visible(user, obj)}
    return [person for person in people if person.id in allowed]


def record_reference(obj):
    """(content type, object id, text) for a record, or (None, "", "")."""
    if obj is None:
        return None, "", ""
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
    return content_type, str(obj.pk), str(obj)[:200]


def email_modes(definition, user_ids, urgent=False):
    """{user id: e-mail mode} for a kind: each person's preference, else the kind's default.
    An urgent notification of a mandatory kind is always mailed at once."""
    if urgent and definition.mandatory:
        return dict.fromkeys(user_ids, ModeChoices.IMMEDIATE)
    stored = dict(
        Preference.objects.filter(kind=definition.code, user_id__in=user_ids).values_list("user_id", "mode")
    )
    modes = {}
    for user_id in user_ids:
        mode = stored.get(user_id, definition.default_mode)
        if definition.mandatory and mode == ModeChoices.OFF:
            mode = ModeChoices.IMMEDIATE
        modes[user_id] = mode
    return modes


# --- Reading ------------------------------------------------------------------------------------


def notifications_for(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user):
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, notifications=None):
    """Mark ``user``'s notifications read: the given ones (rows or ids), or all of them.
    Others' notifications are never touched. Returns how many were unread."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notifications is not None:
        ids = [getattr(item, "pk", item) for item in notifications]
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def settle(kind, obj, url=None):
    """Mark read everyone's unread ``kind`` notifications about ``obj`` (only those linking to
    ``url`` when given): what they asked for has been done, e.g. an approval step was answered by
    someone, so the bell stops counting it. Returns how many were unread."""
    content_type, object_id, _text = record_reference(obj)
    queryset = Notification.objects.filter(
        kind=kind, content_type=content_type, object_id=object_id, read_at__isnull=True
    )
    if url is not None:
        queryset = queryset.filter(url=url)
    return queryset.update(read_at=timezone.now())


def mark_unread(user, notifications):
    ids = [getattr(item, "pk", item) for item in notifications]
    return Notification.objects.filter(recipient=user, pk__in=ids, read_at__isnull=False).update(read_at=None)


# --- Preferences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindPreference:
    kind: NotificationKind
    mode: str
    is_default: bool

    @property
    def modes(self):
        return self.kind.modes


def preferences_for(user):
    """Every registered kind with ``user``'s e-mail mode (their choice or the kind's default)."""
    stored = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    result = []
    for kind in registered_kinds():
        mode = stored.get(kind.code)
        if mode is None or mode not in kind.modes:
            result.append(KindPreference(kind, kind.default_mode, mode is None))
        else:
            result.append(KindPreference(kind, mode, False))
    return result


def set_preferences(user, modes):
    """Set ``user``'s e-mail mode per kind (``{kind: mode}``), all or nothing. Only changes are
    saved (each audited). Raises ``ValidationError`` keyed by kind for an unknown kind or a mode
    the kind does not allow (``off`` for a mandatory kind)."""
    errors = {}
    for code, mode in modes.items():
        try:
            kind = get_kind(code)
        except UnknownKind:
            errors[code] = [f"Unknown notification kind {code!r}."]
            continue
        if mode not in ModeChoices:
            errors[code] = [f"Choose one of: {', '.join(kind.modes)}."]
        elif mode not in kind.modes:
            errors[code] = [
                f"{kind.label} e-mails cannot be turned off: urgent quality alerts must reach you."
            ]
    if errors:
        raise ValidationError(errors)
    changed = []
    with transaction.atomic():
        existing = {pref.kind: pref for pref in Preference.objects.select_for_update().filter(user=user)}
        for code, mode in modes.items():
            preference = existing.get(code)
            if preference is None:
                if mode == get_kind(code).default_mode:
                    continue  # the default already applies; nothing to record
                preference = Preference(user=user, kind=code, mode=mode)
            elif preference.mode == mode:
                continue
            else:
                preference.mode = mode
            preference.save()
            changed.append(preference)
    return changed


# --- Digests ------------------------------------------------------------------------------------


def digest_moment(frequency, now=None):
    """The latest digest time at or before ``now``: today (or yesterday) at the digest hour for
    daily digests; the digest weekday at that hour for weekly ones (local time)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    hour = settings.QUALITAS_NOTIFICATIONS_DIGEST_HOUR
    day = local.date()
    if frequency == DigestChoices.WEEKLY:
        day -= datetime.timedelta(days=(day.weekday() - settings.QUALITAS_NOTIFICATIONS_DIGEST_WEEKDAY) % 7)
        step = datetime.timedelta(days=7)
    else:
        step = datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), local.tzinfo)
    if moment > now:
        moment = timezone.make_aware(datetime.datetime.combine(day - step, datetime.time(hour)), local.tzinfo)
    return moment


def send_digests(now=None):
    """Collect the notifications waiting for a digest into one e-mail per person and queue it.

    A notification written before the latest digest time goes into that digest; later ones wait
    for the next. So each digest goes out once, soon after the digest hour, whenever the job runs
    (every 10 minutes), and a missed run is caught up by the next. Returns the deliveries queued.
    """
    now = now or timezone.now()
    queued = []
    for frequency, mode in (
        (DigestChoices.DAILY, ModeChoices.DAILY),
        (DigestChoices.WEEKLY, ModeChoices.WEEKLY),
    ):
        cutoff = digest_moment(frequency, now)
        batch = []
        with transaction.atomic():
            pending = Notification.objects.filter(
                email_mode=mode, delivery__isnull=True, created__lt=cutoff, recipient__is_active=True
            ).order_by("recipient_id", "created", "id")
            pending = pending.select_for_update(**_lock_options())
            by_person = {}
            for notification in pending.select_related("recipient"):
                by_person.setdefault(notification.recipient_id, []).append(notification)
            for notifications in by_person.values():
                person = notifications[0].recipient
                count = len(notifications)
                delivery = Delivery.objects.create(
                    recipient=person,
                    to_address=person.email,
                    kind=f"digest.{frequency}",
                    digest=frequency,
                    subject=f"{DigestChoices.label(frequency)}: {count} notification{'s' if count != 1 else ''}",
                    next_attempt_at=now,
                )
                Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(delivery=delivery)
                batch.append(delivery)
            if batch:
                transaction.on_commit(partial(dispatch, [delivery.pk for delivery in batch]))
        queued.extend(batch)
    return queued


def _lock_options():
    """Row locks that skip rows another digest run holds, where the database has them."""
    if connection.features.has_select_for_update_skip_locked and connection.features.has_select_for_update_of:
        return {"skip_locked": True, "of": ("self",)}
    return {}


# --- Reminders ----------------------------------------------------------------------------------


def schedule_reminder(
    kind,
    recipients,
    obj=None,
    due=None,
    subject="",
    message="",
    every=None,
    lead_times=(),
    escalate_to_role=None,
    url="",
    urgent=None,
    start=None,
):
    """Schedule reminders about ``obj`` for ``recipients`` (users and/or roles); returns the
    ``Reminder``.

    - ``every`` alone: a ``kind`` notification every interval (first at ``start``, default
      now + every) until ``cancel_reminders``.
    - ``due`` with ``lead_times`` (e.g. 7 days, 1 day): one ``kind`` notification at each lead
      time before ``due`` (lead times already past when scheduling are skipped), then at ``due`` a
      ``task.overdue`` notification to the recipients and the members of ``escalate_to_role``;
      with ``every`` the overdue notice repeats every interval until cancelled.

    Raises ``UnknownKind`` or ``ValueError`` (with the reason) for a reminder that cannot work.
    """
    get_kind(kind)
    subject = " ".join(str(subject or "").split())[:200]
    if not subject:
        raise ValueError("A reminder needs a subject.")
    if due is None and every is None:
        raise ValueError("A reminder needs a due date, an interval (every), or both.")
    if every is not None and (
        not isinstance(every, datetime.timedelta) or every < datetime.timedelta(minutes=1)
    ):
        raise ValueError("The interval (every) must be a timedelta of at least one minute.")
    leads = sorted({_seconds(lead) for lead in lead_times or ()}, reverse=True)
    if leads and due is None:
        raise ValueError("Lead times count back from a due date: give due as well.")
    if any(lead <= 0 for lead in leads):
        raise ValueError("Lead times must be positive.")
    if due is not None and timezone.is_naive(due):
        raise ValueError("The due date must be timezone-aware.")
    users, roles = _split_recipients(recipients)
    escalation = _role(escalate_to_role) if escalate_to_role else None
    content_type, object_id, object_repr = record_reference(obj)
    if not url and obj is not None and hasattr(obj, "get_absolute_url"):
        url = obj.get_absolute_url() or ""
    now = timezone.now()
    reminder = Reminder(
        kind=kind,
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr,
        subject=subject,
        message=str(message or ""),
        url=str(url or "")[:500],
        urgent=urgent,
        due=due,
        every=every,
        lead_times=leads,
        escalate_to_role=escalation,
    )
    if due is not None:
        # Lead times already past are skipped: nobody needs "due in 7 days" two days before.
        reminder.stage = sum(1 for lead in leads if due - datetime.timedelta(seconds=lead) <= now)
        reminder.next_run_at = _next_deadline_run(reminder, now)
    else:
        reminder.next_run_at = start or now + every
    with transaction.atomic():
        reminder.save()
        if users:
            reminder.recipients.set(users)
        if roles:
            reminder.roles.set(roles)
    return reminder


def cancel_reminders(obj, kind=None):
    """Stop the active reminders about ``obj`` (of ``kind``, or all). Returns how many. Audited."""
    content_type, object_id, _text = record_reference(obj)
    queryset = Reminder.objects.filter(content_type=content_type, object_id=object_id, is_active=True)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset.update(is_active=False, cancelled_at=timezone.now(), next_run_at=None)


def reminders_for(obj):
    content_type, object_id, _text = record_reference(obj)
    return Reminder.objects.filter(content_type=content_type, object_id=object_id)


def fire_due_reminders(now=None, limit=500):
    """Send every reminder that is due and move each to its next time. Returns how many fired."""
    now = now or timezone.now()
    fired = 0
    due = (
        Reminder.objects.filter(is_active=True, next_run_at__lte=now)
        .select_related("content_type", "escalate_to_role")
        .order_by("next_run_at", "pk")[:limit]
    )
    for reminder in due:
        with transaction.atomic():
            locked = Reminder.objects.select_for_update().filter(pk=reminder.pk, is_active=True).first()
            if locked is None or locked.next_run_at is None or locked.next_run_at > now:
                continue  # cancelled, or fired by another run meanwhile
            if fire_reminder(locked, now):
                fired += 1
    return fired


def fire_reminder(reminder, now):
    """Send the reminder's notification that is due at ``now`` and schedule the next one."""
    record = _record(reminder)
    if reminder.content_type_id and (record is None or getattr(record, "is_archived", False)):
        reminder.is_active = False
        reminder.next_run_at = None
        reminder.save()
        return False
    people = list(reminder.recipients.all()) + list(reminder.roles.all())
    if reminder.due is None:
        notify(
            reminder.kind,
            people,
            reminder.subject,
            reminder.message,
            obj=record,
            url=reminder.url,
            urgent=reminder.urgent,
        )
        reminder.next_run_at = _advance(reminder.next_run_at, reminder.every, now)
    elif now < reminder.due:
        leads = reminder.lead_times
        passed = [
            i for i, lead in enumerate(leads) if i >= reminder.stage and _lead_point(reminder, lead) <= now
        ]
        if passed:
            lead = leads[passed[-1]]
            notify(
                reminder.kind,
                people,
                f"{reminder.subject} — due in {describe_duration(lead)}",
                _with_due(reminder),
                obj=record,
                url=reminder.url,
                urgent=reminder.urgent,
                context={"due": reminder.due.isoformat(), "lead_seconds": lead},
            )
            reminder.stage = passed[-1] + 1
        reminder.next_run_at = _next_deadline_run(reminder, now)
    else:
        if reminder.escalate_to_role_id:
            people.append(reminder.escalate_to_role)
        notify(
            TASK_OVERDUE.code,
            people,
            f"Overdue: {reminder.subject}",
            _with_due(reminder),
            obj=record,
            url=reminder.url,
            urgent=reminder.urgent,
            context={"due": reminder.due.isoformat(), "overdue_notice": reminder.overdue_count + 1},
        )
        reminder.stage = len(reminder.lead_times)
        reminder.overdue_count += 1
        if reminder.every is not None:
            reminder.next_run_at = _advance(reminder.next_run_at, reminder.every, now)
        else:
            reminder.next_run_at = None
            reminder.is_active = False
    reminder.last_sent_at = now
    reminder.save()
    return True


def _next_deadline_run(reminder, now):
    for index, lead in enumerate(reminder.lead_times):
        point = _lead_point(reminder, lead)
        if index >= reminder.stage and point > now:
            return point
    return max(reminder.due, now) if reminder.overdue_count == 0 else now


def _lead_point(reminder, lead_seconds):
    return reminder.due - datetime.timedelta(seconds=lead_seconds)


def _advance(previous, every, now):
    """The next run after ``now`` on the grid ``previous + k * every`` (missed runs are skipped)."""
    following = (previous or now) + every
    if following <= now:
        missed = (now - following) // every + 1
        following += missed * every
    return following


def _with_due(reminder):
    due = date_format(timezone.localtime(reminder.due), "DATETIME_FORMAT")
    text = reminder.message.strip()
    return f"{text}\n\nDue: {due}" if text else f"Due: {due}"


def describe_duration(seconds):
    """``604800`` -> "7 days", ``3600`` -> "1 hour", ``90`` -> "2 minutes" (rounded up)."""
    for size, unit in ((86400, "day"), (3600, "hour")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = max(1, -(-int(seconds) // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _seconds(value):
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return int(value)


def _split_recipients(recipients):
    User = get_user_model()
    if recipients is None:
        return [], []
    if isinstance(recipients, User | Group | str | int):
        recipients = [recipients]
    users, roles, ids = [], [], []
    for item in recipients:
        if isinstance(item, User):
            users.append(item)
        elif isinstance(item, Group):
            roles.append(item)
        elif isinstance(item, str):
            roles.append(_role(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
        else:
            raise TypeError(f"A recipient is a user, a user id, a role or a role name, not {item!r}.")
    if ids:
        found = list(User.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {user.pk for user in found})
        if missing:
            raise ValueError(f"Unknown user id(s): {missing}.")
        users.extend(found)
    if not users and not roles:
        raise ValueError("A reminder needs at least one recipient (a user or a role).")
    return users, roles


def _role(role):
    if isinstance(role, Group):
        return role
    group = Group.objects.filter(name=role).first()
    if group is None:
        raise ValueError(f"Unknown role {role!r}.")
    return group


def _record(reminder):
    if not reminder.content_type_id:
        return None
    model = reminder.content_type.model_class()
    if model is None:
        return None
    return model._base_manager.filter(pk=reminder.object_id).first()


# --- Retention ----------------------------------------------------------------------------------


def purge_old(now=None):
    """Delete notifications, and sent or cancelled e-mails, older than the retention period.
    E-mails still in the queue are kept whatever their age. Returns (notifications, deliveries)."""
    days = settings.QUALITAS_NOTIFICATIONS_RETENTION_DAYS
    if days <= 0:
        return 0, 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    notifications, _ = (
        Notification.objects.filter(created__lt=cutoff)
        .exclude(delivery__status__in=DeliveryStatusChoices.PENDING)
        .exclude(delivery__isnull=True, email_mode__in=(ModeChoices.DAILY, ModeChoices.WEEKLY))
        .delete()
    )
    deliveries, _ = Delivery.objects.filter(
        created__lt=cutoff, status__in=(DeliveryStatusChoices.SENT, DeliveryStatusChoices.CANCELLED)
    ).delete()
    return notifications, deliveries
