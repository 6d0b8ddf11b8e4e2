"""``python -m benchmarks <name> [--database-url URL ...] [options]``.

``--database-url`` takes ``sqlite`` (the default: a file under var/bench/), ``postgres`` (the
local server, postgres://postgres@127.0.0.1:5432) or a ``postgres://user@host:port/any`` URL whose
server gets a fresh ``qualitas_bench_*`` database, dropped afterwards. Given more than once, the
benchmark runs once per database, each in its own process (Django binds to one database at
start-up).
"""

import argparse
import importlib
import sys

from benchmarks.harness import run_benchmark, run_each

BENCHMARKS = {
    "audit": "benchmarks.audit",
    "list": "benchmarks.listing",
    "notifications": "benchmarks.notifications",
    "inspection-pack": "benchmarks.inspection_pack",
    "sampling": "benchmarks.sampling",
    "ingest": "benchmarks.ingest",
    "production-lists": "benchmarks.production_lists",
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

    return run_benchmark(options.name, urls[0], module.run, options)


if __name__ == "__main__":
    sys.exit(main())
