"""Record numbers: the pattern's format, a counter per year, never reused, and distinct under
concurrent creation."""

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qualitas.core import sequences
from qualitas.core.models import RecordSequence
from qualitas.testing.factories import make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.api.serializers import WidgetSerializer
from qualitas.testing.testapp.forms import WidgetForm
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


def at(monkeypatch, year):
    """Make record numbers think it is ``year``."""
    moment = datetime.datetime(year, 6, 15, 12, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(sequences.timezone, "now", lambda: moment)


def test_numbers_follow_the_pattern_and_count_up():
    year = timezone.now().year
    first, second, third = (Widget.objects.create(name=name) for name in ("A", "B", "C"))
    assert [first.number, second.number, third.number] == [
        f"WID-{year}-0001",
        f"WID-{year}-0002",
        f"WID-{year}-0003",
    ]
    assert re.fullmatch(r"WID-\d{4}-\d{4}", first.number)


def test_each_year_has_its_own_counter(monkeypatch):
    at(monkeypatch, 2025)
    assert Widget.objects.create(name="A").number == "WID-2025-0001"
    assert Widget.objects.create(name="B").number == "WID-2025-0002"
    at(monkeypatch, 2026)
    assert Widget.objects.create(name="C").number == "WID-2026-0001"
    at(monkeypatch, 2025)
    assert Widget.objects.create(name="D").number == "WID-2025-0003"
    keys = set(RecordSequence.objects.values_list("key", flat=True))
    assert {"testapp.widget:WID-2025-#", "testapp.widget:WID-2026-#"} <= keys


def test_numbers_are_never_reused_after_archiving_or_deletion():
    first = Widget.objects.create(name="A")
    second = Widget.objects.create(name="B")
    second.archive(REASON)
    third = Widget.objects.create(name="C")
    third.delete()
    fourth = Widget.objects.create(name="D")
    numbers = [w.number[-4:] for w in (first, second, third, fourth)]
    assert numbers == ["0001", "0002", "0003", "0004"]


def test_a_number_is_kept_when_the_record_is_saved_again():
    widget = Widget.objects.create(name="A")
    number = widget.number
    widget.name = "Renamed"
    widget.save()
    widget.refresh_from_db()
    assert widget.number == number


def test_a_rolled_back_creation_gives_its_number_back():
    """Gap-free within committed history: the counter is part of the creating transaction."""
    Widget.objects.create(name="A")
    with pytest.raises(RuntimeError), transaction.atomic():
        Widget.objects.create(name="B")
        raise RuntimeError("the import failed")
    assert Widget.objects.create(name="C").number.endswith("-0002")


def test_the_pattern_is_configurable(settings):
    settings.QUALITAS_NUMBER_PATTERNS = {"testapp.widget": "W{year}/{month}/{seq:03d}"}
    now = timezone.now()
    assert Widget.objects.create(name="A").number == f"W{now.year}/{now.month:02d}/001"


def test_the_number_cannot_be_entered_in_the_form_or_the_api():
    assert "number" not in WidgetForm.base_fields
    assert WidgetSerializer().fields["number"].read_only


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_distinct_numbers():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "in-memory shared-cache SQLite refuses a second writer (SQLITE_LOCKED) instead of waiting "
            "as a database file does; run with QUALITAS_TEST_DB_FILE=1, or on PostgreSQL"
        )
    user = make_user()
    threads, per_thread, numbers, errors = 4, 5, [], []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def create(index):
        try:
            start.wait()
            for item in range(per_thread):
                widget = Widget.objects.create(name=f"Thread {index} item {item}", created_by=user)
                with lock:
                    numbers.append(widget.number)
        except Exception as error:  # collected and reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=create, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert len(numbers) == threads * per_thread
    assert len(set(numbers)) == len(numbers), "two widgets got the same number"
    year = timezone.now().year
    assert sorted(numbers) == [f"WID-{year}-{seq:04d}" for seq in range(1, threads * per_thread + 1)]
