"""Writers are not serialised by the audit trail: entries are hashed on write without a lock and
sealed later, so an open transaction holds up neither other writers nor the sealer."""

import threading

import pytest
from django.db import connection, connections, transaction

from qualitas.core import audit
from qualitas.core.models import AuditChainLink
from qualitas.testing.factories import make_company

pytestmark = pytest.mark.django_db(transaction=True)

#: How long writer B may take for its three committed writes while A's transaction is open.
WRITER_TIMEOUT = 5


def entry_of(company):
    return audit.history(company).get().pk


def test_writers_are_not_serialised_and_sealing_skips_open_transactions():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite admits one writer at a time, so writers are serialised by the database itself; "
            "this test needs PostgreSQL"
        )
    make_company(name="Before")
    audit.seal()

    errors, a_entries, b_entries = [], [], []
    a_written, a_may_commit = threading.Event(), threading.Event()

    def writer_a():
        try:
            with transaction.atomic():
                a_entries.append(entry_of(make_company(name="Writer A")))
                a_written.set()
                if not a_may_commit.wait(30):
                    raise TimeoutError("A was never told to commit")
        except Exception as error:  # reported by the main thread
            errors.append(error)
            a_written.set()
        finally:
            connections.close_all()

    def writer_b():
        try:
            for number in range(3):
                with transaction.atomic():
                    b_entries.append(entry_of(make_company(name=f"Writer B{number}")))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread_a = threading.Thread(target=writer_a)
    thread_a.start()
    try:
        assert a_written.wait(10) and not errors, errors

        # Given A's transaction is open with an audited write, B writes and commits at once.
        thread_b = threading.Thread(target=writer_b)
        thread_b.start()
        thread_b.join(WRITER_TIMEOUT)
        assert not thread_b.is_alive(), f"writer B waited more than {WRITER_TIMEOUT}s for writer A"
        assert not errors, errors
        assert len(b_entries) == 3
        assert a_entries[0] < min(b_entries)  # A's entry has the lower id and is still uncommitted

        # When the sealer runs while A is open, it seals B's entries only (without waiting for A).
        assert audit.seal() == 3
        linked = dict(AuditChainLink.objects.values_list("entry_id", "seq"))
        assert set(b_entries) <= set(linked)
        assert a_entries[0] not in linked
    finally:
        a_may_commit.set()
        thread_a.join(30)
    assert not errors, errors

    # Then, once A has committed, the next seal links A's entry after B's.
    assert audit.seal() == 1
    linked = dict(AuditChainLink.objects.values_list("entry_id", "seq"))
    assert linked[a_entries[0]] == max(linked.values())
    assert linked[a_entries[0]] > max(linked[entry] for entry in b_entries)
    result = audit.verify()
    assert result.ok, result.problem
    assert result.unsealed == 0
