"""Sending e-mail deliveries: claiming due ones, rendering, sending, retrying with backoff.

A delivery is never lost. ``notify`` writes it ``queued`` and, after the commit, hands its id to
the ``send_deliveries`` task (one Celery dispatch per batch of ``QUALITAS_NOTIFICATIONS_SEND_BATCH``
ids). If that dispatch is lost (broker down, worker killed), the periodic ``send_due_deliveries``
job (every minute) finds every delivery that is due and sends it. A send that fails leaves the
delivery ``retrying`` with ``attempts + 1`` and a later ``next_attempt_at``; a sender that dies
mid-send leaves it ``sending`` with a lease (``next_attempt_at``), after which it is picked up
again. Only an administrator's audited "Cancel" takes a delivery out of the queue unsent.

Backoff (``backoff_delay``): after the n-th failed attempt the delay is
``d = min(cap, base * 2^(n-1))`` and the next attempt waits ``d/2 + uniform(0, d/2)`` seconds:
"equal jitter" (M. Brooker, *Exponential Backoff And Jitter*, AWS Architecture Blog, 2015).
Half of the delay is fixed, so the interval still grows with every failure (at least ``d/2``, at
most ``d``), and half is random, so a thousand mails that failed together when the mail server
went down do not all come back in the same second. With the defaults (base 60 s, cap 6 h): about
1 min, 2, 4, 8, ... then every 3-6 hours until sent or cancelled.

Claiming is safe with several workers: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED``; on
SQLite the write transaction (``BEGIN IMMEDIATE``) serialises claimers.
"""

import contextlib
import logging
import random
import smtplib
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone

from qualitas.notifications.choices import DeliveryStatusChoices as Status
from qualitas.notifications.choices import DigestChoices
from qualitas.notifications.kinds import get_kind, kind_label
from qualitas.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

#: Batches one periodic run sends at most, so that a run ends in bounded time.
MAX_BATCHES_PER_RUN = 50


# --- Backoff ------------------------------------------------------------------------------------


def backoff_delay(attempts, base=None, cap=None, rng=random):
    """Seconds to wait after the ``attempts``-th failed attempt (1, 2, ...): equal jitter."""
    base = settings.QUALITAS_NOTIFICATIONS_RETRY_BASE_SECONDS if base is None else base
    cap = settings.QUALITAS_NOTIFICATIONS_RETRY_CAP_SECONDS if cap is None else cap
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


# --- Dispatch -----------------------------------------------------------------------------------


def dispatch(delivery_ids):
    """Hand deliveries to the send task, one Celery message per batch. Called after the commit.

    A failed dispatch is only logged: the deliveries are queued in the database and the periodic
    send run picks them up."""
    ids = list(delivery_ids)
    size = max(1, settings.QUALITAS_NOTIFICATIONS_SEND_BATCH)
    for start in range(0, len(ids), size):
        try:
            send_deliveries.delay(ids[start : start + size])
        except Exception:
            logger.warning(
                "Could not hand %s e-mail(s) to the send task; the periodic send run will send them.",
                len(ids[start : start + size]),
                exc_info=True,
            )


@shared_task(ignore_result=True)
def send_deliveries(delivery_ids):
    """Send these deliveries if they are (still) due. Safe to run twice: claiming is atomic."""
    return send_batch(claim(ids=delivery_ids, limit=len(delivery_ids)))


# --- Claiming and sending -----------------------------------------------------------------------


def claim(ids=None, limit=None, now=None, exclude=()):
    """Mark up to ``limit`` due deliveries ``sending`` (with a lease) and return them, leaving out
    the ids in ``exclude``."""
    now = now or timezone.now()
    limit = limit or settings.QUALITAS_NOTIFICATIONS_SEND_BATCH
    lease = now + timedelta(seconds=settings.QUALITAS_NOTIFICATIONS_SEND_LEASE_SECONDS)
    with transaction.atomic():
        due = Delivery.objects.filter(status__in=Status.PENDING, next_attempt_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        if exclude:
            due = due.exclude(pk__in=list(exclude))
        due = due.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        pks = list(due.values_list("pk", flat=True)[:limit])
        if not pks:
            return []
        Delivery.objects.filter(pk__in=pks).update(status=Status.SENDING, next_attempt_at=lease)
    return list(Delivery.objects.filter(pk__in=pks).select_related("recipient").order_by("pk"))


def send_batch(deliveries):
    """Send claimed deliveries over one SMTP connection. Returns ``(sent, failed)``."""
    if not deliveries:
        return 0, 0
    carried = _notifications_by_delivery(deliveries)
    sent = failed = 0
    mail_connection = get_connection(fail_silently=False)
    try:
        try:
            mail_connection.open()
        except Exception as error:  # the server is down: every delivery of the batch waits
            for delivery in deliveries:
                _failed(delivery, error)
            return 0, len(deliveries)
        for delivery in deliveries:
            try:
                message = build_message(delivery, carried.get(delivery.pk, []))
                message.connection = mail_connection
                message.send()
            except Exception as error:
                _failed(delivery, error)
                failed += 1
                if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                    # The connection is gone; the rest of the batch needs a new one.
                    mail_connection.close()
                    with contextlib.suppress(Exception):
                        mail_connection.open()
            else:
                _sent(delivery, message)
                sent += 1
    finally:
        with contextlib.suppress(Exception):
            mail_connection.close()
    return sent, failed


def send_due(now=None, max_batches=MAX_BATCHES_PER_RUN):
    """Send every delivery that is due, batch by batch, each at most once per run. Returns
    ``(sent, failed)``."""
    total_sent = total_failed = 0
    attempted = set()
    for _ in range(max_batches):
        batch = claim(now=now, exclude=attempted)
        if not batch:
            break
        attempted.update(delivery.pk for delivery in batch)
        sent, failed = send_batch(batch)
        total_sent += sent
        total_failed += failed
    return total_sent, total_failed


def _sent(delivery, message):
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        last_error="",
        to_address=message.to[0],
        message_id=str(message.extra_headers.get("Message-ID", ""))[:255],
    )


def _failed(delivery, error):
    attempts = delivery.attempts + 1
    wait = backoff_delay(attempts)
    text = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("E-mail delivery %s failed (attempt %s): %s", delivery.pk, attempts, text)
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.RETRYING,
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
        last_error=text,
    )


def _notifications_by_delivery(deliveries):
    carried = {}
    notifications = Notification.objects.filter(delivery_id__in=[d.pk for d in deliveries]).order_by(
        "created", "id"
    )
    for notification in notifications:
        carried.setdefault(notification.delivery_id, []).append(notification)
    return carried


# --- Rendering ----------------------------------------------------------------------------------


def site_url(path=""):
    """An absolute link on this site (``QUALITAS_SITE_URL`` + path)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.QUALITAS_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def build_message(delivery, notifications):
    """The e-mail for a delivery: a text body and an HTML alternative, from the kind's templates
    ``notifications/email/<kind>.txt|html`` (the ``default`` ones when a kind has none) or the
    ``digest`` templates."""
    recipient = delivery.recipient
    address = (recipient.email if recipient is not None and recipient.email else "") or delivery.to_address
    context = {
        "delivery": delivery,
        "recipient": recipient,
        "site_url": site_url(),
        "preferences_url": site_url(reverse("notifications:preferences")),
        "notifications_url": site_url(reverse("notifications:notification_list")),
    }
    if delivery.digest:
        context["digest_label"] = DigestChoices.label(delivery.digest)
        context["items"] = [_item(notification) for notification in notifications]
        names = ["notifications/email/digest"]
    else:
        if not notifications:
            raise LookupError(f"E-mail delivery {delivery.pk} carries no notification.")
        notification = notifications[0]
        context.update(_item(notification))
        context["notification"] = notification
        context["extra"] = notification.context or {}
        names = [f"notifications/email/{notification.kind}", "notifications/email/default"]
    text = select_template([f"{name}.txt" for name in names]).render(context)
    html = select_template([f"{name}.html" for name in names]).render(context)
    message = EmailMultiAlternatives(
        subject=(settings.QUALITAS_NOTIFICATIONS_SUBJECT_PREFIX + delivery.subject).replace("\n", " ")[:250],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Qualitas-Kind": delivery.kind,
            "X-Qualitas-Delivery": str(delivery.pk),
            "List-Unsubscribe": f"<{context['preferences_url']}>",
        },
    )
    message.attach_alternative(html, "text/html")
    domain = urlsplit(settings.QUALITAS_SITE_URL).hostname or "qualitas.invalid"
    message.extra_headers["Message-ID"] = make_msgid(idstring=f"delivery-{delivery.pk}", domain=domain)
    return message


def _item(notification):
    try:
        kind = get_kind(notification.kind)
        label = kind.label
    except ValueError:
        label = kind_label(notification.kind)
    return {
        "subject": notification.subject,
        "message": notification.message,
        "kind_label": label,
        "record": notification.object_repr,
        "urgent": notification.urgent,
        "created": notification.created,
        "open_url": site_url(notification.get_absolute_url()),
    }
