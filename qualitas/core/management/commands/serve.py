"""Serve Qualitas on one machine: the web server, a job worker and the scheduler, together.

This is what ``make run`` starts. It needs no other server: SQLite, local files, and a broker on
the filesystem under var/. Ctrl-C stops all three.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Qualitas with its job worker and scheduler (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes.")

    def handle(self, *args, host, port, workers, **options):
        python = sys.executable
        beat_schedule = settings.VAR_DIR / "celerybeat-schedule"
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "qualitas.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "qualitas",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            "scheduler": [
                python,
                "-m",
                "celery",
                "-A",
                "qualitas",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(beat_schedule),
            ],
        }
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(
            self.style.SUCCESS(f"Qualitas is serving on http://{host}:{port}/ (Ctrl-C stops it)")
        )

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"The {name} process stopped (exit code {process.returncode}); stopping."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
