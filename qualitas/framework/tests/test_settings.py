"""Settings come from the environment; production refuses to start without its settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_check(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_its_settings_stops_with_a_clear_message():
    result = run_check(QUALITAS_DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "QUALITAS_DEBUG=0" in message
    for name in ("ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"):
        assert name in message
    assert "SECRET_KEY" not in message.split("not set:")[1]


def test_production_with_its_settings_starts(tmp_path):
    result = run_check(
        QUALITAS_DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="qms.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp://127.0.0.1:25",
    )
    assert result.returncode == 0, result.stderr


def test_the_embedded_default_needs_no_environment():
    result = run_check()
    assert result.returncode == 0, result.stderr
