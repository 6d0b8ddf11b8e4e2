"""gunicorn settings for Qualitas in production: ASGI through uvicorn workers.

    gunicorn -c deploy/gunicorn.conf.py qualitas.asgi:application

Every value can be overridden from the environment (the GUNICORN_* variables below), so the
same file serves docker compose, the Helm chart and a plain virtual machine.
"""

import importlib.util
import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Django runs synchronous views in one thread per ASGI worker process, so workers are sized like
# synchronous ones: about two per core. Async views (the event stream) share the same processes.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)

# uvicorn-worker is the maintained home of the worker class; uvicorn.workers is its deprecated
# predecessor and is used only when uvicorn-worker is not installed.
worker_class = (
    "uvicorn_worker.UvicornWorker"
    if importlib.util.find_spec("uvicorn_worker") is not None
    else "uvicorn.workers.UvicornWorker"
)

# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Long enough for a large export or a PDF package; jobs that take longer run in Celery.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Trust X-Forwarded-For/-Proto only from the reverse proxy. In docker compose and Kubernetes the
# proxy's address is not known in advance, and the web port is reachable only through it, so the
# deployment files set this to "*"; on a single machine nginx connects from 127.0.0.1.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr, where the container runtime collects them. (uvicorn workers write the
# access log in uvicorn's own format; every response also carries its X-Request-ID.)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Load the application once in the master, so workers start quickly and share memory pages.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")

# Worker heartbeat files in memory, not on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No runtime control socket (gunicorn 25+): containers are managed by their orchestrator, and the
# socket would need a writable home directory. Older gunicorn ignores the unknown name.
control_socket_disable = True
