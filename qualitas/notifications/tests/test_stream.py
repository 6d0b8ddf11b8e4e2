"""The event stream over real HTTP (the live server): urgent notifications of the signed-in
person only, created before or while the stream is open, resumed after ``Last-Event-ID``, bounded
in time, degraded to one poll when the synchronous server is busy, and the ASGI variant."""

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.test import AsyncClient, Client

from qualitas.notifications import services, stream
from qualitas.testing.factories import make_user


def parse(text):
    """(retry, [event dicts]) from a text/event-stream body."""
    retry, events = None, []
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, value = line.split(":", 1)
            fields[name] = value.strip()
        if "retry" in fields:
            retry = int(fields["retry"])
        if fields.get("event") == "notification":
            events.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    return retry, events


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def read_stream(live_server, cookie=None, last_event_id=None, query=""):
    """GET the stream and read it to its end. Returns (response, body, seconds)."""
    parts = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Accept": "text/event-stream"}
    if cookie:
        headers["Cookie"] = f"{django_settings.SESSION_COOKIE_NAME}={cookie}"
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    started = time.monotonic()
    connection.request("GET", f"/notifications/stream/{query}", headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response, body, time.monotonic() - started


@pytest.fixture
def short_streams(settings, monkeypatch):
    # Fresh per-process slots: streams of earlier tests on the session's live server do not count.
    monkeypatch.setattr(stream, "_slots", {})
    settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS = 3
    settings.QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS = 1
    settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = 2


@pytest.mark.django_db(transaction=True)
def test_the_stream_pushes_my_urgent_notifications_while_it_is_open(live_server, short_streams, settings):
    settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS = 4
    me, other = make_user(), make_user()
    cookie = session_cookie(me)
    [before] = services.notify(
        "quality.alert", [me], "CCP-2 pasteuriser at 71.2 °C", "Below the 72 °C limit."
    )
    services.notify("approval.request", [me], "Not urgent")
    services.notify("quality.alert", [other], "Someone else's alert")

    later = []
    timer = threading.Timer(
        1.0, lambda: later.extend(services.notify("quality.alert", [me], "SPC rule 1 on bore diameter"))
    )
    timer.start()
    response, body, seconds = read_stream(live_server, cookie)
    timer.join()

    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("X-Accel-Buffering") == "no"
    assert "sessionid" not in (response.getheader("Set-Cookie") or "")  # the session is not renewed
    retry, events = parse(body)
    assert retry == 1000
    assert [event["id"] for event in events] == [before.pk, later[0].pk]
    first = events[0]
    assert first["subject"] == "CCP-2 pasteuriser at 71.2 °C" and first["message"] == "Below the 72 °C limit."
    assert first["kind"] == "quality.alert" and first["kind_label"] == "Quality alert"
    assert first["url"] == f"/notifications/{before.pk}/open/"
    assert 2.5 < seconds < 9, f"the stream lasted {seconds:.1f} s; it is held for up to 4 s"


@pytest.mark.django_db(transaction=True)
def test_a_reconnect_resumes_after_the_last_event_id(live_server, short_streams):
    me = make_user()
    cookie = session_cookie(me)
    first, second, third = (services.notify("quality.alert", [me], f"Alert {n}")[0] for n in range(3))
    _response, body, _seconds = read_stream(live_server, cookie, last_event_id=first.pk)
    assert [event["id"] for event in parse(body)[1]] == [second.pk, third.pk]
    # The page's own position (?after=) is used when there is no Last-Event-ID ...
    _response, body, _seconds = read_stream(live_server, cookie, query=f"?after={second.pk}")
    assert [event["id"] for event in parse(body)[1]] == [third.pk]
    # ... and an alert read meanwhile is not pushed again; nonsense positions are ignored.
    services.mark_read(me, [third])
    _response, body, _seconds = read_stream(live_server, cookie, last_event_id="banana", query="?after=-5")
    assert [event["id"] for event in parse(body)[1]] == [first.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_a_busy_synchronous_server_answers_with_one_poll_and_a_later_retry(
    live_server, short_streams, settings
):
    settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = 0
    me = make_user()
    cookie = session_cookie(me)
    [alert] = services.notify("quality.alert", [me], "Metal detector failed its check")
    response, body, seconds = read_stream(live_server, cookie)
    retry, events = parse(body)
    assert response.status == 200 and retry == stream.BUSY_RETRY_MS
    assert [event["id"] for event in events] == [alert.pk]
    assert seconds < 2


@pytest.mark.django_db(transaction=True)
def test_signed_out_pages_are_told_to_stop_reconnecting(live_server, short_streams):
    response, body, _seconds = read_stream(live_server)
    assert response.status == 204 and body == ""


def test_held_streams_are_limited_per_process(db, settings, monkeypatch):
    settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = 1
    me = make_user()
    monkeypatch.setattr(stream, "_slots", {})
    held = stream.sync_stream(me.pk, None, seconds=30, poll_seconds=1)
    assert next(held) == "retry: 1000\n: urgent notifications\n\n"  # holds the only slot
    assert next(held) == stream.HEARTBEAT  # nothing to send: a comment line
    busy = stream.sync_stream(me.pk, None, seconds=30, poll_seconds=1)
    assert list(busy) == [
        f"retry: {stream.BUSY_RETRY_MS}\n: urgent notifications\n\n",
        ": end of stream, reconnect\n\n",
    ]
    held.close()  # the client went away: the slot is free again
    again = stream.sync_stream(me.pk, None, seconds=0, poll_seconds=1)
    assert next(again).startswith("retry: 1000")
    again.close()


def test_the_asgi_stream_is_asynchronous(db, settings):
    settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS = 1
    settings.QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS = 1
    me = make_user()
    [alert] = services.notify("quality.alert", [me], "Allergen label mismatch")
    cookie = session_cookie(me)

    async def fetch():
        client = AsyncClient()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
        response = await client.get("/notifications/stream/")
        assert response.is_async  # an async iterator: waiting holds no thread
        chunks = [chunk async for chunk in response.streaming_content]
        return response, b"".join(chunks).decode()

    response, body = async_to_sync(fetch)()
    assert response["Content-Type"] == "text/event-stream"
    retry, events = parse(body)
    assert retry == 1000 and [event["id"] for event in events] == [alert.pk]


@pytest.mark.django_db(transaction=True)
def test_a_page_that_went_away_frees_its_slot(live_server, short_streams, settings):
    settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = 1
    settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS = 60
    cookie = session_cookie(make_user())
    parts = urlsplit(live_server.url)

    def open_stream():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}"}
        connection.request("GET", "/notifications/stream/", headers=headers)
        response = connection.getresponse()
        return connection, response, response.readline().decode()

    first, response, line = open_stream()
    assert line == "retry: 1000\n"  # holds the only slot
    response.fp.raw._sock.shutdown(socket.SHUT_RDWR)  # the page goes away without a word
    response.close()
    first.close()
    time.sleep(4)  # the next heartbeats fail to write: the stream ends and frees its slot
    second, _response, line = open_stream()
    assert line == "retry: 1000\n", "the slot of the departed page was not freed"
    _response.close()
    second.close()
    time.sleep(3)  # let the server notice before the test's database goes away
