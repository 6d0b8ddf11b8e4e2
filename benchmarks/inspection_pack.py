"""inspection_pack: the inspection pack of a record with 500 history entries.

A supplier (``accounts.Company``, a real record type: the test-only Widget is not installed in a
production-like run) is created and changed ``--entries - 1`` times through the audited ``save()``,
each change touching two or three fields (a phone number, notes of a sentence or two, every tenth
the address), every fifth with a reason, every seventh by a second person. It gets users (its
related records), three electronic signatures and three attached files (two with the same name).
A QA Manager then has the pack made ``--runs`` times; each run is timed in three parts, as the job
does them:

* collect   read the record, its fields, related records, history (made readable, every entry's
            hash recomputed), events, attachments and signatures;
* PDF       lay the pack out and write the PDF (WeasyPrint);
* ZIP       the ZIP with the PDF, the attached files, MANIFEST.csv and SHA256SUMS.

"render" (collect + PDF) is the figure with the 5-second target. Medians are printed, with the
query count of one collect (constant whatever the history's length), the page count, and the CPU
time of this process beside the wall-clock time (on a busy machine, the work apart from waiting
for a core; the database's own work is not in it).

The module also has the ``add_arguments``/``run`` interface of ``python -m benchmarks``.

Run: ``python -m benchmarks.inspection_pack --database-url postgres://postgres@127.0.0.1:5432/postgres``
(``sqlite`` and ``postgres`` work as for the other benchmarks; the database is a throwaway one).
"""

import argparse
import io
import sys
import time

from benchmarks.harness import Stopwatch, median, print_table, run_benchmark, run_each

DEFAULT_DATABASE = "postgres"
TARGET_SECONDS = 5.0
SENTENCES = (
    "Approved supplier for stainless fasteners; audit due in spring.",
    "Certificate of conformity received with every delivery.",
    "Second source qualified after the March shortage. Lead time now six weeks.",
    "Pasteuriser gaskets only, food grade, EC 1935/2004 declaration on file.",
)


def add_arguments(parser):
    parser.add_argument("--entries", type=int, default=500, help="history entries of the record")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (after one warm-up)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one render")
    parser.add_argument("--save-html", metavar="FILE", help="also write the pack's HTML to FILE")


def build_record(entries):
    """The supplier with ``entries`` history entries, users, signatures and attachments."""
    from qualitas.accounts.models import Company
    from qualitas.framework.context import change_context
    from qualitas.signatures.services import sign
    from qualitas.testing.factories import PASSWORD, make_user

    with change_context(reason="benchmark people"):
        manager = make_user(role="QA Manager", full_name="Quinn Manager")
        buyer = make_user(role="QA Manager", full_name="Bea Buyer")
    with change_context(user=manager, reason="New supplier from the purchasing request PR-2041"):
        supplier = Company.objects.create(
            name="Nordic Fasteners AB",
            code="SUP-0042",
            kind="supplier",
            address="Industrivägen 12\n417 05 Göteborg",
            country="Sweden",
            email="quality@nordic-fasteners.example",
            phone="+46 31 000 0000",
        )
    for index in range(1, entries):
        person = buyer if index % 7 == 0 else manager
        reason = f"Supplier review {index // 5 + 1}: contact data updated" if index % 5 == 0 else ""
        with change_context(user=person, reason=reason):
            supplier.phone = f"+46 31 {index:03d} {index * 7 % 1000:03d}"
            supplier.notes = f"{SENTENCES[index % len(SENTENCES)]} Revision {index}."
            if index % 10 == 0:
                supplier.address = f"Industrivägen {12 + index // 10}\n417 05 Göteborg"
            supplier.save()
    with change_context(reason="benchmark people"):
        for number in range(5):
            make_user(full_name=f"Supplier contact {number + 1}", company=supplier)
    for meaning in ("reviewed", "approved", "verified"):
        sign(
            manager,
            supplier,
            meaning,
            password=PASSWORD,
            email=manager.email,
            comment=f"{meaning} for the benchmark",
        )
    attached = _attach_files(supplier, manager)
    return supplier, manager, attached


def _attach_files(record, user):
    from django.core.files.base import ContentFile

    from qualitas.core.attachments import attach

    files = [
        ("certificate.txt", b"Certificate of conformity\n" * 400),
        ("audit report.csv", b"clause,finding\n" + b"8.4.1,none\n" * 2000),
        ("certificate.txt", b"A second certificate with the same name\n" * 100),
    ]
    for name, data in files:
        attach(record, ContentFile(data, name=name), user=user)
    return len(files)


class Timer:
    """Wall-clock and CPU time (of this process) of a block."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def run(options, database):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qualitas.core import audit
    from qualitas.framework.context import change_context
    from qualitas.reports import services

    with Stopwatch() as loading:
        supplier, manager, attached = build_record(options.entries)
    history = audit.history(supplier).count()
    print(
        f"Built the supplier in {loading.seconds:.1f} s: {history} history entries, "
        f"{attached} attachments, 3 signatures, 5 related users."
    )

    times = {step: {"wall": [], "cpu": []} for step in ("collect", "PDF", "ZIP", "render")}
    pages = size = queries = 0
    with change_context(user=manager):
        for run_number in range(options.runs + 1):  # the first run warms caches up and is not counted
            with CaptureQueriesContext(connection) as captured, Timer() as collecting:
                pack = services.collect_pack(supplier, manager)
            with Timer() as rendering:
                document = services.render_pack_pdf(pack)
            with Timer() as packing:
                services.write_pack_zip(pack, document.content, io.BytesIO())
            if run_number == 0:
                continue
            queries = len(captured.captured_queries)
            pages, size = document.pages, len(document.content)
            for step, timer in (("collect", collecting), ("PDF", rendering), ("ZIP", packing)):
                times[step]["wall"].append(timer.wall)
                times[step]["cpu"].append(timer.cpu)
            times["render"]["wall"].append(collecting.wall + rendering.wall)
            times["render"]["cpu"].append(collecting.cpu + rendering.cpu)
        assert len(pack.history) == history

    labels = {"collect": "collect", "PDF": "PDF", "render": "render (collect + PDF)", "ZIP": "ZIP"}
    rows = []
    for step in ("collect", "PDF", "render", "ZIP"):
        wall, cpu = times[step]["wall"], times[step]["cpu"]
        rows.append(
            (
                labels[step],
                f"{median(wall):.2f}",
                f"{min(wall):.2f}",
                f"{max(wall):.2f}",
                f"{median(cpu):.2f}",
            )
        )
    print()
    print_table(("step", "median s", "min s", "max s", "median CPU s"), rows)
    totals = times["render"]["wall"]
    verdict = "met" if median(totals) < TARGET_SECONDS else "NOT met"
    if options.profile:
        _profile(supplier, manager)
    if options.save_html:
        from qualitas.reports.pdf import render_html

        pack = services.collect_pack(supplier, manager)
        context = {
            "pack": pack,
            "reference": services.record_reference(supplier),
            "signatures": pack.signatures,
        }
        html = render_html(
            services.PACK_TEMPLATE, {**context, "show_empty_manifest": True}, record=supplier, user=manager
        )
        with open(options.save_html, "w") as handle:
            handle.write(html)
    print(
        f"\n{options.runs} runs after one warm-up; {pages} pages, {size / 1024:.0f} KiB PDF; "
        f"{queries} queries per collect. Target: render under {TARGET_SECONDS:.0f} s ({verdict}). CPU time is "
        "this process's: on a busy machine it shows the work apart from waiting for a core."
    )


def _profile(record, user):
    import cProfile
    import pstats

    from qualitas.reports import services

    profiler = cProfile.Profile()
    profiler.enable()
    services.render_pack_pdf(services.collect_pack(record, user))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


# --- Command line (the same conventions as ``python -m benchmarks``) --------------------------------


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.inspection_pack", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        action="append",
        dest="database_urls",
        metavar="URL",
        help="postgres (default), sqlite, or postgres://user@host:port/db; repeat to run on several",
    )
    add_arguments(parser)
    options = parser.parse_args(argv)
    urls = options.database_urls or [DEFAULT_DATABASE]
    if len(urls) > 1:
        return run_each(argv, "inspection_pack", urls, module="benchmarks.inspection_pack")
    return run_benchmark("inspection_pack", urls[0], run, options)


if __name__ == "__main__":
    sys.exit(main())
