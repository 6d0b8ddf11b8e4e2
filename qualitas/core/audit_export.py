"""The audit trail as a JSON Lines file that can be verified without Qualitas.

One JSON object per line:

    {"type": "header", "format": "qualitas-audit-trail", "version": 1, "exported_at": ...,
     "genesis": "000…", "head": {"seq": 1234, "chain_hash": "…"}}
    {"type": "link", "seq": 1, "entry_hash": "…", "chain_hash": "…", "sealed": "…",
     "entry": {"id": 17, "entry_hash": "…", "content": {…what the entry hash covers…}}}
    …one "link" line per sealed entry, in chain order…
    {"type": "unsealed", "entry": {"id": 1240, "entry_hash": "…", "content": {…}}}
    …entries written but not yet sealed…
    {"type": "end", "links": 1234, "unsealed": 6}

``content`` is ``audit.hashed_content(entry)``: the hash is SHA-256 of its canonical JSON
(``audit.canonical_bytes``). ``python -m qualitas.core.offline_verify FILE`` checks the file.
"""

import json

from django.utils import timezone

from qualitas.core import access, audit
from qualitas.core.models import AuditChainHead, AuditChainLink, ObjectChange

FORMAT = "qualitas-audit-trail"
VERSION = 1
CHUNK = 2000


def _entry(entry):
    return {"id": entry.pk, "entry_hash": entry.entry_hash, "content": audit.hashed_content(entry)}


def export_lines():
    """Yield the export's objects. The head is read first; links sealed after it are left out (their
    entries appear as unsealed), so the file is a consistent snapshot of the chain."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.chain_hash) if head else (0, audit.GENESIS)
    yield {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "exported_at": audit.json_value(timezone.now()),
        "genesis": audit.GENESIS,
        "head": {"seq": head_seq, "chain_hash": head_hash},
    }
    links = (
        AuditChainLink.objects.filter(seq__lte=head_seq).select_related("entry").order_by("seq")
    ).iterator(chunk_size=CHUNK)
    link_count = 0
    for link in links:
        link_count += 1
        yield {
            "type": "link",
            "seq": link.seq,
            "entry_hash": link.entry_hash,
            "chain_hash": link.chain_hash,
            "sealed": audit.json_value(link.sealed),
            "entry": _entry(link.entry),
        }
    unsealed = ObjectChange.objects.exclude(link__seq__lte=head_seq).order_by("id").iterator(chunk_size=CHUNK)
    unsealed_count = 0
    for entry in unsealed:
        unsealed_count += 1
        yield {"type": "unsealed", "entry": _entry(entry)}
    yield {"type": "end", "links": link_count, "unsealed": unsealed_count}


def write_export(stream, seal_first=True, detail=""):
    """Write the export to a text stream; returns the "end" line (the counts). The export is
    recorded in the access log."""
    if seal_first:
        audit.seal()
    last = None
    for line in export_lines():
        stream.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        last = line
    access.record_export(ObjectChange, detail=detail or "audit trail export (JSON Lines)")
    return last
