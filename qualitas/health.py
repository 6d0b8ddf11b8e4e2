"""Liveness and readiness probes for load balancers, Kubernetes and docker compose.

``/healthz`` says only that the process answers: it touches no database, broker or file.
``/readyz`` checks what a request needs: the database, the Celery broker and the default file
storage. Both are anonymous, so they reveal nothing beyond "ok" or "fail" per check: no versions,
host names or error texts. The reason for a failure goes to the server log instead.
"""

import logging
import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from qualitas.celery import app as celery_app

logger = logging.getLogger("qualitas.health")

#: Seconds a broker connection may take before the broker counts as failed.
BROKER_TIMEOUT = 2
PROBE_PREFIX = "health"


def check_database():
    # SELECT 1 reads no table, so the raw-SQL rule (which guards audited models) does not apply.
    with connection.cursor() as cursor:  # noqa: TID251
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")


def check_broker():
    with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
        if broker.transport_cls == "filesystem":
            # Connecting to the filesystem transport always succeeds; its folders are what matter.
            options = broker.transport_options
            for key in ("data_folder_in", "data_folder_out"):
                folder = options.get(key)
                if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                    raise RuntimeError(f"broker folder {key} is missing or not writable")


def check_storage():
    storage = storages["default"]
    content = uuid.uuid4().hex.encode()
    name = storage.save(f"{PROBE_PREFIX}/probe-{uuid.uuid4().hex}.txt", ContentFile(content))
    try:
        with storage.open(name, "rb") as probe:
            if probe.read() != content:
                raise RuntimeError("the probe file read back differs from what was written")
    finally:
        storage.delete(name)


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process is up and answers. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 when every dependency answers, 503 when one does not."""
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


# Included at the root by qualitas/urls.py: /healthz and /readyz, without a trailing slash, as
# probes expect.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
