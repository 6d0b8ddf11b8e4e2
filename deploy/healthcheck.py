"""Container health check: GET /healthz (or the path given) on the local web process.

    python deploy/healthcheck.py [/readyz]

Sends a Host header from ALLOWED_HOSTS and X-Forwarded-Proto: https, as nginx would, so that
Django neither refuses the host nor redirects to HTTPS. Exits 0 on HTTP 200, 1 otherwise.
Standard library only: the image has no curl.
"""

import os
import sys
import urllib.error
import urllib.request


def probe_host():
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    port = os.environ.get("QUALITAS_HEALTHCHECK_PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": probe_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
