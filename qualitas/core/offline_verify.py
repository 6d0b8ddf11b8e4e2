"""Verify a Qualitas audit-trail export without Qualitas.

    python -m qualitas.core.offline_verify audit.jsonl
    python3 offline_verify.py audit.jsonl --anchor 1200:3f9a…   (this file alone, copied anywhere)

The file comes from ``manage.py export_audit``. This script uses only the Python standard library
(it imports neither Django nor Qualitas), so an auditor can read all of it and run it on their
own machine. It recomputes, for every entry, the SHA-256 of its canonical JSON and, along the
chain, ``chain_hash = SHA-256(previous chain_hash + entry_hash)``, and names the first entry
that does not match.

A file that someone rewrote from start to finish with fresh hashes is self-consistent. What
ties it to the real trail is a chain head noted down earlier, outside Qualitas (in audit
minutes, a signed report, an e-mail): ``--anchor SEQUENCE:CHAIN_HASH`` checks that the chain
still passes through it.

Exit status: 0 intact, 1 broken, 2 the file cannot be read as an export.
"""

import argparse
import hashlib
import json
import sys

FORMAT = "qualitas-audit-trail"
GENESIS = "0" * 64


def canonical_bytes(content):
    """Must stay byte-for-byte identical to ``qualitas.core.audit.canonical_bytes``."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(content):
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def chain_digest(previous, entry_hash):
    return hashlib.sha256(f"{previous}{entry_hash}".encode()).hexdigest()


class ExportError(Exception):
    """The file is not a readable audit-trail export."""


def read_export(lines):
    """Parse the JSON Lines export into (header, links, unsealed, end)."""
    header, end, links, unsealed = None, None, [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ExportError(f"line {number} is not JSON: {error}") from None
        kind = record.get("type") if isinstance(record, dict) else None
        if end is not None:
            raise ExportError(f"line {number} follows the end marker")
        if kind == "header":
            if header is not None or links or unsealed:
                raise ExportError(f"line {number}: the header must be the first line")
            if record.get("format") != FORMAT:
                raise ExportError(f"line {number}: not a {FORMAT} export")
            header = record
        elif header is None:
            raise ExportError("the file does not start with an export header")
        elif kind == "link":
            links.append(record)
        elif kind == "unsealed":
            unsealed.append(record)
        elif kind == "end":
            end = record
        else:
            raise ExportError(f"line {number} has an unknown type {kind!r}")
    if header is None:
        raise ExportError("the file is empty")
    if end is None:
        raise ExportError("the file has no end marker: it was cut short")
    return header, links, unsealed, end


def verify(header, links, unsealed, end, anchors=()):
    """Return a dict like ``VerifyResult.as_dict()`` in Qualitas (plus ``anchors_checked``)."""
    head = header.get("head") or {}
    head_seq, head_hash = head.get("seq", 0), head.get("chain_hash", GENESIS)
    previous, expected_seq, checked = header.get("genesis", GENESIS), 1, 0
    chain_at = {}

    def result(ok, problem="", entry_id=None, seq=None):
        return {
            "ok": ok,
            "checked": checked,
            "unsealed": len(unsealed),
            "head_seq": head_seq,
            "head_hash": head_hash,
            "first_broken_entry": entry_id,
            "first_broken_seq": seq,
            "problem": problem,
            "anchors_checked": len(anchors) if ok else 0,
        }

    if end.get("links") != len(links) or end.get("unsealed") != len(unsealed):
        return result(
            False,
            f"the end marker counts {end.get('links')} links and {end.get('unsealed')} unsealed entries, "
            f"the file holds {len(links)} and {len(unsealed)}",
        )
    for link in links:
        entry = link.get("entry") or {}
        entry_id, seq = entry.get("id"), link.get("seq")
        if seq != expected_seq:
            return result(False, f"the chain skips from sequence {expected_seq - 1} to {seq}", entry_id, seq)
        recomputed = entry_digest(entry.get("content"))
        if recomputed != entry.get("entry_hash") or recomputed != link.get("entry_hash"):
            content = entry.get("content") or {}
            return result(
                False,
                f"change #{entry_id} ({content.get('object_repr', '')}) was altered after it was written",
                entry_id,
                seq,
            )
        chain_hash = chain_digest(previous, link.get("entry_hash"))
        if chain_hash != link.get("chain_hash"):
            return result(False, f"the chain link for change #{entry_id} was altered", entry_id, seq)
        previous = chain_hash
        chain_at[seq] = chain_hash
        expected_seq += 1
        checked += 1
    if checked != head_seq or previous != (head_hash if head_seq else GENESIS):
        return result(
            False, f"the chain head says {head_seq} entries ending {head_hash[:12]}, the links give {checked}"
        )
    for entry_record in unsealed:
        entry = entry_record.get("entry") or {}
        if entry_digest(entry.get("content")) != entry.get("entry_hash"):
            return result(
                False,
                f"change #{entry.get('id')} (not yet sealed) was altered after it was written",
                entry.get("id"),
            )
    for seq, expected in anchors:
        if seq not in chain_at:
            return result(
                False, f"the anchor at sequence {seq} is not in this export (it ends at {head_seq})"
            )
        if chain_at[seq] != expected:
            return result(
                False,
                f"the chain does not pass through the anchor: sequence {seq} has {chain_at[seq][:12]}…, "
                f"the anchor says {expected[:12]}…",
                seq=seq,
            )
    return result(True)


def parse_anchor(text):
    seq, _, chain_hash = text.partition(":")
    if not seq.isdigit() or len(chain_hash) != 64:
        raise argparse.ArgumentTypeError("an anchor is SEQUENCE:CHAIN_HASH (64 hexadecimal digits)")
    return int(seq), chain_hash.lower()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="offline_verify", description="Verify a Qualitas audit-trail export (manage.py export_audit)."
    )
    parser.add_argument("file", help="the JSON Lines export; - reads standard input")
    parser.add_argument(
        "--anchor",
        action="append",
        type=parse_anchor,
        default=[],
        metavar="SEQUENCE:CHAIN_HASH",
        help="a chain head noted earlier that the chain must still pass through (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args(argv)
    try:
        if options.file == "-":
            parsed = read_export(sys.stdin)
        else:
            with open(options.file, encoding="utf-8") as stream:
                parsed = read_export(stream)
    except (OSError, UnicodeDecodeError, ExportError) as error:
        print(f"Cannot verify {options.file}: {error}", file=sys.stderr)
        return 2
    outcome = verify(*parsed, anchors=options.anchor)
    if options.json:
        print(json.dumps(outcome, indent=2))
    elif outcome["ok"]:
        print(
            f"Audit trail intact: {outcome['checked']} entries verified, head {outcome['head_seq']} "
            f"{outcome['head_hash']}"
            + (f", {outcome['unsealed']} not yet sealed (hashes checked)" if outcome["unsealed"] else "")
            + (f", {outcome['anchors_checked']} anchor(s) matched" if outcome["anchors_checked"] else "")
            + "."
        )
    else:
        where = ""
        if outcome["first_broken_entry"] is not None:
            where = f" at entry #{outcome['first_broken_entry']}"
            if outcome["first_broken_seq"] is not None:
                where += f" (sequence {outcome['first_broken_seq']})"
        print(
            f"Audit trail BROKEN{where}: {outcome['problem']}. {outcome['checked']} entries before it verified.",
            file=sys.stderr,
        )
    return 0 if outcome["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
