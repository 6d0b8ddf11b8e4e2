"""The event stream: urgent notifications pushed to open pages (server-sent events).

``GET /notifications/stream/`` answers ``text/event-stream``. Every open page holds one
``EventSource`` on it and shows each event as a toast. The design keeps the server safe:

- **Bounded.** A stream lasts ``QUALITAS_NOTIFICATIONS_STREAM_SECONDS`` (25 s), polling the
  database every ``..._STREAM_POLL_SECONDS`` (2 s) with one indexed query (the person's urgent,
  unread notifications after the last id sent), then ends. The first line is ``retry: <ms>``, so
  the browser reconnects after that pause, sending the id of the last event it got as
  ``Last-Event-ID``; the stream resumes after it and nothing is missed. A stream never holds a
  worker for longer than the bound, and gunicorn's worker timeout (120 s) is never reached.
- **Safe under a synchronous server.** ``manage.py serve`` runs gunicorn with threads (WSGI):
  a held stream occupies a thread. At most ``..._STREAM_MAX_SYNC`` streams per process hold one
  at a time; any further stream polls once, answers at once and asks the browser to come back
  later (a longer ``retry``), which degrades to plain polling instead of starving the pages.
- **Asynchronous under ASGI.** In production (gunicorn with uvicorn workers) the stream is an
  async iterator: waiting costs no thread, and each poll runs in a worker thread
  (``sync_to_async``). The per-process limit does not apply.
- **Departed pages are noticed.** After a poll that found nothing the stream writes a comment
  line; writing to a page that went away fails, which ends its stream and frees its slot.
- **No idle database connections.** The connection is closed after each poll, so open pages do
  not hold PostgreSQL connections while they wait.
- **Session untouched.** The stream (and the bell's refresh) does not renew the session, so an
  open tab does not keep an idle session alive (see views.py).

Where a stream starts: after ``Last-Event-ID`` (a reconnect) or the ``after`` query parameter
(the page remembers the last id it showed), else with the urgent, unread notifications of the last
``FRESH_SECONDS`` (an alert raised while the person was moving to another page).
"""

import asyncio
import json
import logging
import threading
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from qualitas.notifications.models import Notification

logger = logging.getLogger(__name__)

#: Without a position, a new stream shows urgent unread notifications this recent.
FRESH_SECONDS = 60
#: Events sent per poll at most (the rest follow at the next poll).
BATCH = 20
#: The reconnect pause of a stream that could not be held (the server is busy).
BUSY_RETRY_MS = 15000
#: A comment line written after a poll that found nothing: a page that went away is noticed at
#: the next write, which ends its stream and frees its slot at once instead of at the deadline.
HEARTBEAT = ":\n\n"

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def slots():
    """The per-process limit of held synchronous streams."""
    limit = max(0, settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC)
    with _slots_lock:
        if limit not in _slots:
            _slots[limit] = threading.BoundedSemaphore(limit) if limit else None
        return _slots[limit]


def parse_position(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**63 else None


def poll(user_id, after):
    """Urgent unread notifications of the person after id ``after`` (or the fresh ones when
    ``after`` is None). Closes the database connection afterwards (see the module docstring)."""
    queryset = Notification.objects.filter(recipient_id=user_id, urgent=True, read_at__isnull=True)
    if after is None:
        queryset = queryset.filter(created__gte=timezone.now() - timedelta(seconds=FRESH_SECONDS))
    else:
        queryset = queryset.filter(pk__gt=after)
    try:
        return [event(notification) for notification in queryset.order_by("pk")[:BATCH]]
    finally:
        if not connection.in_atomic_block:
            connection.close()


def event(notification):
    """One server-sent event: ``id``, ``event: notification`` and the JSON data."""
    data = {
        "id": notification.pk,
        "kind": notification.kind,
        "kind_label": notification.kind_label,
        "subject": notification.subject,
        "message": notification.message[:300],
        "record": notification.object_repr,
        "url": notification.get_absolute_url(),
        "created": notification.created.isoformat(),
    }
    return notification.pk, f"id: {notification.pk}\nevent: notification\ndata: {json.dumps(data)}\n\n"


def _retry(milliseconds):
    return f"retry: {int(milliseconds)}\n: urgent notifications\n\n"


def sync_stream(user_id, after, seconds=None, poll_seconds=None):
    """The stream for a synchronous (WSGI) server: bounded, and held only while a slot is free."""
    seconds = settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS if seconds is None else seconds
    poll_seconds = (
        settings.QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS if poll_seconds is None else poll_seconds
    )
    semaphore = slots()
    # Acquired inside the generator: a stream that is never iterated never holds a slot.
    holding = semaphore.acquire(blocking=False) if semaphore is not None else False
    try:
        yield _retry(poll_seconds * 1000 if holding else BUSY_RETRY_MS)
        deadline = time.monotonic() + seconds
        while True:
            try:
                events = poll(user_id, after)
            except DatabaseError as error:
                # The database is unreachable: end the stream; the page reconnects after ``retry``.
                # One line: the database's own monitoring tells why; a stream only gives up.
                logger.info("Notification stream ended: the database could not be read (%s).", error)
                break
            for position, text in events:
                after = position
                yield text
            if not holding or time.monotonic() + poll_seconds > deadline:
                break
            if not events:
                yield HEARTBEAT
            time.sleep(poll_seconds)
        yield ": end of stream, reconnect\n\n"
    finally:
        if holding:
            semaphore.release()


async def async_stream(user_id, after, seconds=None, poll_seconds=None):
    """The stream for an ASGI server: waiting holds no thread."""
    seconds = settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS if seconds is None else seconds
    poll_seconds = (
        settings.QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS if poll_seconds is None else poll_seconds
    )
    fetch = sync_to_async(poll)
    yield _retry(poll_seconds * 1000)
    deadline = time.monotonic() + seconds
    while True:
        try:
            events = await fetch(user_id, after)
        except DatabaseError as error:
            logger.info("Notification stream ended: the database could not be read (%s).", error)
            break
        for position, text in events:
            after = position
            yield text
        if time.monotonic() + poll_seconds > deadline:
            break
        if not events:
            yield HEARTBEAT
        await asyncio.sleep(poll_seconds)
    yield ": end of stream, reconnect\n\n"
