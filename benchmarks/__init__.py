"""Qualitas performance benchmarks: ``python -m benchmarks <name> [--database-url URL]``.

Each benchmark runs against a fresh, throwaway database (a SQLite file under ``var/bench/`` or a
PostgreSQL database that the harness creates and drops) and prints medians. See README.md here.
"""
