"""The liveness and readiness probes: anonymous, minimal, and honest about each dependency."""

import json
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

ALL_OK = {"status": "ok", "checks": {"database": "ok", "broker": "ok", "storage": "ok"}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def anonymous():
    return Client()


def probe(client, path="/readyz"):
    response = client.get(path)
    return response, json.loads(response.content)


def assert_reveals_nothing(response):
    """Failures are logged on the server, never told to an anonymous caller."""
    body = response.content.decode()
    for secret in ("127.0.0.1", "refused", "Error", "Traceback", "redis", "sqlite", "postgres", "/"):
        assert secret not in body


# --- /healthz -----------------------------------------------------------------------------------


def test_healthz_answers_ok_without_touching_the_database(anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_up_when_the_database_is_down(anonymous):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("db.internal down")):
        response = anonymous.get("/healthz")

    assert response.status_code == 200


def test_probes_accept_only_safe_methods(anonymous):
    assert anonymous.post("/healthz").status_code == 405
    assert anonymous.post("/readyz").status_code == 405
    assert anonymous.head("/readyz").status_code == 200


# --- /readyz ------------------------------------------------------------------------------------


def test_readyz_reports_every_check_ok(anonymous, media):
    response, body = probe(anonymous)

    assert response.status_code == 200
    assert body == ALL_OK
    assert "no-cache" in response["Cache-Control"]


def test_readyz_leaves_no_probe_file_behind(anonymous, media):
    probe(anonymous)
    probe(anonymous)

    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_readyz_fails_when_the_broker_is_unreachable(anonymous, media, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response, body = probe(anonymous)

    assert response.status_code == 503
    assert body == {"status": "fail", "checks": {"database": "ok", "broker": "fail", "storage": "ok"}}
    assert_reveals_nothing(response)


def test_readyz_fails_when_the_filesystem_broker_folder_is_missing(anonymous, media, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path / "missing"),
    }

    response, body = probe(anonymous)

    assert response.status_code == 503
    assert body["checks"]["broker"] == "fail"


def test_readyz_fails_when_the_database_is_unreachable(anonymous, media):
    error = OperationalError('could not connect to server "db.internal" (10.0.0.5), port 5432')
    with mock.patch.object(connection, "cursor", side_effect=error):
        response, body = probe(anonymous)

    assert response.status_code == 503
    assert body == {"status": "fail", "checks": {"database": "fail", "broker": "ok", "storage": "ok"}}
    assert_reveals_nothing(response)


def test_readyz_fails_when_the_file_storage_cannot_be_written(anonymous, settings, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker

    response, body = probe(anonymous)

    assert response.status_code == 503
    assert body == {"status": "fail", "checks": {"database": "ok", "broker": "ok", "storage": "fail"}}
    assert_reveals_nothing(response)


def test_readyz_logs_the_reason_for_the_operator(anonymous, media, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    probe(anonymous)

    assert any(
        record.name == "qualitas.health" and "broker" in record.getMessage() and record.exc_info
        for record in caplog.records
    )
