"""A person attaches files, comments on a record and follows a job's progress, in Chromium."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from qualitas.core.choices import JobStatusChoices
from qualitas.core.service_models import Attachment, Comment, Job
from qualitas.core.tests import samples
from qualitas.core.tests.job_factories import make_job
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_preview_refuse_and_comment(page, tmp_path):
    # The test-only widgets are changed by Admins (QA Managers change the quality apps' records).
    manager = make_user(role="Admin", full_name="Ada Admin")
    widget = Widget.objects.create(name="Bracket")
    photo = tmp_path / "burr.png"
    photo.write_bytes(samples.image("PNG", size=(320, 200)))
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(samples.executable())
    log_in(page, manager.email, PASSWORD)

    page.goto(widget.get_absolute_url())
    page.get_by_role("link", name="Attachments").click()
    expect(page.get_by_text("No files are attached")).to_be_visible()
    page.get_by_label("File").set_input_files(str(photo))
    page.get_by_label("Description").fill("Burr on the left edge")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".attachments").get_by_role("link", name="burr.png")).to_be_visible()
    expect(page.get_by_text("Burr on the left edge")).to_be_visible()
    page.locator(".attachment-preview summary").click()
    preview = page.get_by_alt_text("Preview of burr.png")
    expect(preview).to_be_visible()
    # Served as an image the browser decodes (it waits for the lazy load).
    assert preview.evaluate("image => image.decode().then(() => image.naturalWidth)") == 320

    page.get_by_label("File").set_input_files(str(disguised))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".upload-error")).to_contain_text(
        "“report.pdf” is a program, which cannot be attached here."
    )
    assert list(Attachment.objects.values_list("name", flat=True)) == ["burr.png"]

    page.get_by_role("link", name="Comments").click()
    page.get_by_label("Add a comment").fill("Deburr before the next inspection.")
    page.get_by_role("button", name="Comment").click()
    first = Comment.objects.get()
    expect(page.locator(f"#comment-{first.pk}")).to_contain_text("Deburr before the next inspection.")
    page.locator(f"#comment-{first.pk} summary", has_text="Reply").click()
    page.get_by_label(f"Reply to #{first.pk}").fill("Done, re-measured at 10.02 mm.")
    page.locator(f"#comment-{first.pk}").get_by_role("button", name="Reply").click()
    reply = Comment.objects.get(parent=first)
    expect(page.locator(f'#comment-{reply.pk}[data-depth="1"]')).to_contain_text("re-measured")


def test_a_job_page_follows_the_progress_until_the_end(page):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    job = make_job(
        started_by=manager, status=JobStatusChoices.RUNNING, progress=40, message="Rendering pages"
    )
    log_in(page, manager.email, PASSWORD)

    page.goto(job.get_absolute_url())
    bar = page.get_by_role("progressbar", name="Job progress")
    expect(bar).to_have_attribute("aria-valuenow", "40")
    expect(page.locator(".job-message")).to_have_text("Rendering pages")

    # The worker reports progress; the page follows without a reload.
    Job.objects.filter(pk=job.pk).update(progress=80, message="Signing", log="12:00:00  Signing\n")
    expect(bar).to_have_attribute("aria-valuenow", "80")
    expect(page.locator(".job-log")).to_contain_text("Signing")

    job.refresh_from_db()
    job.result.save("pack.pdf", ContentFile(samples.pdf()), save=False)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatusChoices.SUCCEEDED,
        progress=100,
        message="Finished",
        result=job.result.name,
        result_name="pack.pdf",
        result_type="application/pdf",
        result_size=job.result.size,
    )
    expect(page.locator(".job-status")).to_have_text("Succeeded")
    expect(page.get_by_role("link", name="Download pack.pdf")).to_be_visible()
    # Finished: the fragment no longer polls.
    expect(page.locator("#job-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download pack.pdf").click()
    assert download.value.suggested_filename == "pack.pdf"
