"""Fixtures of the report tests: files go to a temporary media folder, PDFs are read back with
poppler's pdftotext."""

import itertools
import subprocess

import pytest

from qualitas.framework.context import change_context
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.testapp.models import Widget

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def manager(db):
    return make_user(role="QA Manager", full_name="Quinn Manager")


def make_widget(**fields):
    fields.setdefault("name", f"Mounting bracket {next(_numbers)}")
    fields.setdefault("quantity", 12)
    fields.setdefault("specification", "Steel, 3 mm\nZinc plated")
    return Widget.objects.create(**fields)


@pytest.fixture
def widget(manager):
    """A widget of a customer, created and changed three times by the QA manager."""
    with change_context(user=manager, reason="New customer order 4711"):
        obj = make_widget(customer=make_company(name="Acme Dairy", kind="customer"))
    for quantity in (20, 30):
        with change_context(user=manager, reason=f"Customer asked for {quantity}"):
            obj.quantity = quantity
            obj.save()
    with change_context(user=manager, reason=""):
        obj.specification = "Stainless steel, 3 mm"
        obj.save()
    return obj


def pdf_text(content, tmp_path, raw=False):
    """The text of each page of a PDF (pdftotext; ``raw`` keeps the content-stream order)."""
    path = tmp_path / f"document-{next(_numbers)}.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-raw" if raw else "-layout", "-enc", "UTF-8", str(path), "-"]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return output.split("\f")[:-1]


def has_watermark(raw_page):
    """The diagonal DRAFT watermark: pdftotext gives its rotated letters one per line."""
    lines = [line.strip() for line in raw_page.splitlines()]
    return any(lines[index : index + 5] == list("DRAFT") for index in range(len(lines)))
