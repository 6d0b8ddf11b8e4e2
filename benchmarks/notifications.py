"""notifications: fan-out of one event to 1,000 recipients, from the event to the mail queued.

    python -m benchmarks.notifications --database-url postgres://postgres@127.0.0.1:5432/postgres
    python -m benchmarks.notifications                     # SQLite (a file under var/bench/)
    python -m benchmarks.notifications --send              # also time sending to a local SMTP server

Set-up: a throwaway database (the harness in benchmarks/harness.py: migrated template, dropped at
the end), ``--recipients`` active users, and the embedded default broker (kombu's filesystem
transport) in a throwaway folder, so the published task messages are real and go nowhere else.

One run is what a web request that raises the event does: in one transaction,
``notify("approval.request", <queryset of the users>, subject, message, obj=<a record>)``; then
the commit, after which ``notify``'s on-commit hook publishes one ``send_deliveries`` task message
per batch of ``QUALITAS_NOTIFICATIONS_SEND_BATCH`` (100) deliveries. The clock stops when the
last message is published: every notification is written, every e-mail is ``queued`` in the
outbox and handed to the workers. Printed: the median (and min, max) of ``--runs`` runs after one
warm-up, split into the time inside the transaction, the commit and the dispatch, with the number
of SQL statements and task messages.

``--send`` also measures the workers' side once: ``send_due()`` in this process sends the queued
e-mails of one run through a local aiosmtpd server (one SMTP connection per batch), and the time
to the last one accepted is printed.
"""

import argparse
import os
import shutil
import socket
import sys
import time
import uuid
from contextlib import nullcontext

from benchmarks.harness import BENCH_DIR, Stopwatch, median, print_table, run_benchmark

DEFAULT_DATABASE = "sqlite"


def add_arguments(parser):
    parser.add_argument("--recipients", type=int, default=1000, help="people notified by the event")
    parser.add_argument("--runs", type=int, default=7, help="timed runs after one warm-up (median printed)")
    parser.add_argument("--send", action="store_true", help="also time sending through a local SMTP server")


def make_people(count):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from qualitas.accounts.models import User
    from qualitas.framework.context import change_context

    unusable = make_password(None)
    with change_context(reason="benchmark data"):
        User.objects.bulk_create(
            [
                User(
                    email=f"bench{index:05d}@example.com",
                    full_name=f"Bench Person {index:05d}",
                    password=unusable,
                )
                for index in range(count)
            ],
            batch_size=500,
        )
    people = User.objects.filter(email__startswith="bench", is_active=True)
    # Staff who may open the record they are told about: ``notify`` tells nobody else.
    Group.objects.get(name="QA Inspector").user_set.add(*people)
    return people


def one_run(people, record, number, count_queries=False):
    """Seconds (in transaction, commit + dispatch, total), statements, task messages. Statements
    are counted only when asked: capturing them costs time of its own."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from qualitas.notifications import sending, services

    published = []
    original = sending.send_deliveries.delay

    def counting_delay(*args, **kwargs):
        published.append(len(args[0]))
        return original(*args, **kwargs)

    sending.send_deliveries.delay = counting_delay
    try:
        with CaptureQueriesContext(connection) if count_queries else nullcontext() as queries:
            start = time.perf_counter()
            with transaction.atomic():
                rows = services.notify(
                    "approval.request",
                    people,
                    f"Approve SOP-QA-{number:04d}",
                    "Quinn Manager asks you to approve revision 3 of the cleaning procedure.",
                    obj=record,
                )
                inside = time.perf_counter()
            total = time.perf_counter()
    finally:
        sending.send_deliveries.delay = original
    statements = len(queries.captured_queries) if count_queries else None
    return (inside - start, total - inside, total - start), statements, published, len(rows)


def time_sending():
    """Send every queued e-mail to a local aiosmtpd server; seconds until the last is accepted."""
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from qualitas.notifications import sending

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counter.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        with Stopwatch() as watch:
            sent, failed = sending.send_due()
        return watch.seconds, sent, failed, Counter.received
    finally:
        controller.stop()


def run(options, database):
    """The benchmark (also the entry point for ``python -m benchmarks notifications``)."""
    folder = private_broker()
    try:
        measure(options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def private_broker():
    """The embedded default broker (kombu's filesystem transport) in a folder of its own, removed
    afterwards: the task messages are really published, and no worker of a development server
    ever sees them."""
    from qualitas.celery import app

    folder = BENCH_DIR / f"broker-{uuid.uuid4().hex[:8]}"
    for sub in ("in", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder / "in"),
        "data_folder_out": str(folder / "in"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    app.conf.task_always_eager = False
    return folder


def measure(options):
    from django.conf import settings
    from django.db import connection

    from qualitas.accounts.models import Company
    from qualitas.notifications.models import Delivery, Notification

    people = make_people(options.recipients)
    record = Company.objects.create(name="Northwind Dairy", kind="customer")
    connection.force_debug_cursor = False
    print(
        f"{options.recipients:,} recipients, all with e-mail at once (the default); send batch "
        f"{settings.QUALITAS_NOTIFICATIONS_SEND_BATCH}; broker: the filesystem transport in a private folder"
    )

    results = []
    for number in range(options.runs + 1):
        seconds, statements, published, written = one_run(people, record, number, count_queries=number == 0)
        if number == 0:
            # The warm-up (connection, content types) also counts the SQL statements.
            counted = statements
            continue
        results.append((seconds, statements, published, written))
        print(f"  run {number}: {seconds[2] * 1000:.1f} ms", flush=True)

    assert all(written == options.recipients for *_rest, written in results)
    queued = Delivery.objects.filter(status="queued").count()
    assert queued == options.recipients * (options.runs + 1), queued
    inside = [r[0][0] * 1000 for r in results]
    commit = [r[0][1] * 1000 for r in results]
    total = [r[0][2] * 1000 for r in results]
    messages = sorted({len(r[2]) for r in results})
    print()
    print_table(
        ("phase", "median ms", "min ms", "max ms"),
        [
            (
                "notify() in the transaction",
                f"{median(inside):.1f}",
                f"{min(inside):.1f}",
                f"{max(inside):.1f}",
            ),
            ("commit + task dispatch", f"{median(commit):.1f}", f"{min(commit):.1f}", f"{max(commit):.1f}"),
            ("event -> mail queued", f"{median(total):.1f}", f"{min(total):.1f}", f"{max(total):.1f}"),
        ],
    )
    print(
        f"\n{options.runs} runs after a warm-up; per run {options.recipients:,} notifications and "
        f"{options.recipients:,} queued e-mails, {counted} SQL statements "
        f"(savepoint and commit included), {', '.join(map(str, messages))} task messages. "
        f"Rows at the end: {Notification.objects.count():,} notifications."
    )

    if options.send:
        # Only the last run's mails: the earlier ones are cancelled out of the queue first.
        last = Delivery.objects.order_by("-id")[: options.recipients].values_list("pk", flat=True)
        Delivery.objects.exclude(pk__in=list(last)).filter(status="queued").update(status="cancelled")
        seconds, sent, failed, received = time_sending()
        print(
            f"\nSending: {sent:,} e-mails sent ({failed} failed, {received:,} accepted by the local "
            f"SMTP server) in {seconds:.2f} s, {sent / seconds:,.0f} per second in one worker process."
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.notifications", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        metavar="URL",
        help="sqlite (default), postgres, or postgres://user@host:port/db",
    )
    add_arguments(parser)
    options = parser.parse_args(argv)

    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)

    return run_benchmark("notifications", options.database_url, run, options)


if __name__ == "__main__":
    sys.exit(main())
