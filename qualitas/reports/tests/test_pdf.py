"""The PDF base: running header and footer, "Page X of Y", the DRAFT watermark, the signature
manifest, and what counts as approved."""

from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from qualitas.approvals.models import ApprovalRequest, ApprovalTemplate
from qualitas.framework.context import change_context
from qualitas.framework.records import parse_reference
from qualitas.reports import pdf
from qualitas.reports.pdf import approval_status, approved_states, render_pdf, render_pdf_document
from qualitas.reports.tests.conftest import has_watermark, make_widget, pdf_text
from qualitas.signatures.services import sign, signatures_for
from qualitas.testing.factories import PASSWORD, make_company
from qualitas.testing.testapp.actions import WidgetStateMachine
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]


def long_document(record=None, draft=None, paragraphs=120, **kwargs):
    text = "An auditor reads every line of this paragraph, which is long enough to wrap. " * 3
    return render_pdf_document(
        "reports_test/long.html",
        {"paragraphs": [text] * paragraphs},
        record=record,
        title=kwargs.pop("title", "Calibration summary"),
        draft=draft,
        **kwargs,
    )


def test_every_page_has_the_header_the_footer_and_page_x_of_y(widget, manager, tmp_path, settings):
    settings.QUALITAS_REPORT_ORGANISATION = "Acme Dairy B.V."
    document = long_document(widget, user=manager)
    pages = pdf_text(document.content, tmp_path)

    assert document.pages == len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        header = page.strip().splitlines()[0]
        assert "Acme Dairy B.V." in header
        assert "Calibration summary" in header
        assert f"{widget.number} v1" in header
        assert f"Page {number} of {len(pages)}" in page
        assert "Printed 20" in page and " UTC" in page and "by Quinn Manager" in page


def test_the_footer_gives_local_time_beside_utc(widget, tmp_path, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    page = pdf_text(long_document(widget, paragraphs=1).content, tmp_path)[0]
    footer = next(line for line in page.splitlines() if "Printed" in line)
    assert " UTC · " in footer
    assert "CET" in footer or "CEST" in footer


def test_a_draft_record_has_the_watermark_on_every_page(widget, tmp_path):
    document = long_document(widget)
    raw_pages = pdf_text(document.content, tmp_path, raw=True)

    assert len(raw_pages) >= 3
    assert all(has_watermark(page) for page in raw_pages)
    assert all("DRAFT: not approved" in page for page in pdf_text(document.content, tmp_path))


def test_an_approved_record_has_no_watermark(tmp_path):
    approved = make_widget(status="approved")
    document = long_document(approved)
    assert not any(has_watermark(page) for page in pdf_text(document.content, tmp_path, raw=True))
    assert "DRAFT" not in "".join(pdf_text(document.content, tmp_path))


def test_draft_can_be_forced_either_way(widget, tmp_path):
    assert not has_watermark(pdf_text(render_pdf_fixed(widget, draft=False), tmp_path, raw=True)[0])
    assert has_watermark(pdf_text(render_pdf_fixed(None, draft=True), tmp_path, raw=True)[0])


def render_pdf_fixed(record, draft):
    return render_pdf("reports_test/long.html", {"paragraphs": ["One."]}, record=record, draft=draft)


def test_a_record_type_without_approval_gets_no_watermark(tmp_path):
    company = make_company(name="Bolt Machining")
    assert approval_status(company) is None
    page = pdf_text(render_pdf_fixed(company, draft=None), tmp_path, raw=True)[0]
    assert not has_watermark(page)
    assert f"#{company.pk}" in page  # a record without a number is named by its id


def test_the_signature_manifest_lists_every_signature_and_whether_it_still_matches(widget, manager, tmp_path):
    sign(manager, widget, "reviewed", password=PASSWORD, email=manager.email, comment="Drawing checked")
    text = "\n".join(pdf_text(render_pdf_fixed(widget, draft=None), tmp_path))
    assert "Signature manifest" in text
    assert "Quinn Manager" in text and "Reviewed" in text and "Drawing checked" in text
    signature = signatures_for(widget)[0]
    assert signature.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC") in text
    assert "Yes" in text and "changed since" not in text

    with change_context(user=manager, reason="Thicker"):
        widget.specification = "Steel, 4 mm"
        widget.save()
    text = "\n".join(pdf_text(render_pdf_fixed(widget, draft=None), tmp_path))
    assert "No: changed since" in text


def test_no_manifest_without_signatures(widget, tmp_path):
    text = "\n".join(pdf_text(render_pdf_fixed(widget, draft=None), tmp_path))
    assert "Signature manifest" not in text


def test_values_are_escaped_not_interpreted(tmp_path):
    odd = make_widget(name='<img src="file:///etc/passwd"> & <b>bold</b>')
    text = pdf_text(render_pdf_fixed(odd, draft=None), tmp_path)[0]
    assert '<img src="file:///etc/passwd"> & <b>bold</b>' in text.replace("\n", " ")


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.com/a.css"]
)
def test_rendering_fetches_nothing_but_data_urls(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        pdf.url_fetcher().fetch(url)
    assert pdf.url_fetcher().fetch("data:text/plain,ok") is not None


# --- What counts as approved ----------------------------------------------------------------------


def test_a_state_machine_without_declared_states_is_approved_from_approved_on():
    assert approved_states(Widget) == {"approved", "obsolete"}
    assert approval_status(make_widget(status="draft")) is False
    assert approval_status(make_widget(status="review")) is False
    assert approval_status(make_widget(status="approved")) is True
    assert approval_status(make_widget(status="obsolete")) is True


def test_declared_approved_states_win(monkeypatch):
    monkeypatch.setattr(WidgetStateMachine, "approved_states", ("approved",), raising=False)
    assert approval_status(make_widget(status="approved")) is True
    assert approval_status(make_widget(status="obsolete")) is False


def test_the_models_own_is_approved_wins(monkeypatch):
    monkeypatch.setattr(Widget, "is_approved", property(lambda self: self.quantity > 10), raising=False)
    assert approval_status(make_widget(status="draft", quantity=11)) is True
    assert approval_status(make_widget(status="approved", quantity=3)) is False
    monkeypatch.setattr(Widget, "is_approved", lambda self: True, raising=False)
    assert approval_status(make_widget(status="draft")) is True


def test_without_a_state_machine_the_approvals_outcome_decides(manager):
    company = make_company(name="Supplier under approval")
    template = ApprovalTemplate.objects.create(code="supplier-approval", name="Supplier approval")

    def request(status):
        return ApprovalRequest.objects.create(
            content_type=ContentType.objects.get_for_model(company),
            object_id=str(company.pk),
            object_repr=str(company),
            template=template,
            requested_by=manager,
            status=status,
        )

    assert approval_status(company) is None
    first = request("pending")
    assert approval_status(company) is False
    first.status = "rejected"
    first.save()
    assert approval_status(company) is False
    request("approved")
    assert approval_status(company) is True
    request("cancelled")  # a cancelled request does not undo the approval before it
    assert approval_status(company) is True


def test_a_bad_reference_is_a_validation_error():
    assert parse_reference(" testapp.Widget:12 ") == ("testapp.widget", "12")
    for bad in (
        "",
        "widget:1",
        "testapp.widget",
        "testapp.widget:",
        "a.b:1:2",
        "x y.z:1",
        "testapp.widget:1 2",
    ):
        with pytest.raises(ValidationError):
            parse_reference(bad)
