"""``python -m benchmarks <name> [--database-url URL ...] [options]``.

``--database-url`` takes ``sqlite`` (the default: a file under var/bench/), ``postgres`` (the
local server, postgres://postgres@127.0.0.1:5432) or a ``postgres://user@host:port/any`` URL whose
server gets a fresh ``qualitas_bench_*`` database, dropped afterwards. Given more than once, the
benchmark runs once per database, each in its own process (Django binds to one database at
start-up).
"""

import argparse
import importlib
import signal
import subprocess
import sys

from benchmarks.harness import describe_url, machine_line, open_database, setup_django

BENCHMARKS = {
    "audit": "benchmarks.audit",
    "list": "benchmarks.listing",
    "notifications": "benchmarks.notifications",
    "inspection-pack": "benchmarks.inspection_pack",
}


def parser_for(module=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=sorted(BENCHMARKS), help="the benchmark to run")
    parser.add_argument(
        "--database-url",
        action="append",
        dest="database_urls",
        metavar="URL",
        help="sqlite (default), postgres, or postgres://user@host:port/db; repeat to run on several",
    )
    if module is not None:
        module.add_arguments(parser)
    return parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    known, _rest = parser_for().parse_known_args(argv)
    module = importlib.import_module(BENCHMARKS[known.name])
    options = parser_for(module).parse_args(argv)
    urls = options.database_urls or [getattr(module, "DEFAULT_DATABASE", "sqlite")]
    if len(urls) > 1:
        return run_each(argv, options.name, urls)

    # The throwaway databases are dropped in a ``finally``: make SIGTERM (and SIGINT, which a
    # shell ignores for background jobs) end the run through it.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    database = open_database(urls[0])
    print(f"Benchmark {options.name} on {database.label}")
    print(f"Machine: {machine_line()}")
    try:
        setup_django(database)
        module.run(options, database)
    finally:
        database.drop_all()
    return 0


def _stop(signum, frame):
    raise SystemExit(f"Stopped by signal {signum}; dropping the benchmark databases.")


def run_each(argv, name, urls):
    """One process per database; the other options are passed on unchanged."""
    rest, skip = [], False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--database-url":
            skip = index + 1 < len(argv)
            continue
        if arg.startswith("--database-url="):
            continue
        rest.append(arg)
    status = 0
    for url in urls:
        print(f"\n=== {name} on {describe_url(url)} ===", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks", *rest, "--database-url", url], check=False
        )
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
