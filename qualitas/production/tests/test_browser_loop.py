"""The manufacturing quality loop in Chromium: an operator takes a part through its routing at the
station; a failed measurement quarantines it and opens an NCR; QA decides rework; the part is
reworked, passes re-inspection, is signed off by QA and completes; QA closes the NCR."""

import pytest
from playwright.sync_api import expect

from qualitas.nonconformance.models import NonConformance
from qualitas.production.tests.line_factories import make_line, make_work_order
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()


def open_at_station(page, serial):
    page.goto("/production/station/")
    page.get_by_label("Scan or type a serial number").fill(serial)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=serial)).to_be_visible()


def run_step(page, name):
    expect(page.locator("#step-name")).to_have_text(name)
    page.get_by_role("button", name=f"Start {name}").click()
    expect(page.locator("#part-status")).to_have_text("In progress")
    page.get_by_role("button", name="Complete step").click()


def test_operator_fails_a_part_qa_decides_rework_and_the_part_completes(page):
    line = make_line()
    work_order = make_work_order(line, quantity=1)
    serial = work_order.parts.get().serial_number
    operator = make_user("Production Operator", full_name="Olga Operator")
    qa = make_user("QA Manager", full_name="Quinn QA")
    inspector = make_user("QA Inspector", full_name="Ivan Inspector")

    # The operator turns and mills the part, then measures the bore: out of tolerance.
    log_in(page, operator.email, PASSWORD)
    open_at_station(page, serial)
    run_step(page, "Turn")
    expect(page.get_by_text(f"{serial} finished Turn and moved to Mill.")).to_be_visible()
    run_step(page, "Mill")
    page.get_by_role("button", name="Start Inspect bore").click()
    bore = page.get_by_label("Bore diameter in mm")
    bore.fill("25.08")
    expect(page.locator(f"#check-{line.bore.pk}")).to_have_text("FAIL")
    bore.fill("25.071")
    expect(page.locator(f"#check-{line.bore.pk}")).to_have_text("FAIL")
    page.get_by_text("OK", exact=True).click()
    expect(page.locator(f"#check-{line.surface.pk}")).to_have_text("PASS")
    page.get_by_role("button", name="Complete step").click()
    ncr = NonConformance.objects.get()
    expect(
        page.get_by_text(f"{serial} failed: {ncr.number} was opened and the part is quarantined.")
    ).to_be_visible()
    expect(page.locator("#part-status")).to_have_text("Quarantined")
    sign_out(page)

    # QA reviews the NCR and decides rework at the rework step.
    log_in(page, qa.email, PASSWORD)
    page.goto(ncr.get_absolute_url())
    expect(page.get_by_text("Bore diameter: 25.071 mm (limits 24.950 – 25.050 mm)")).to_be_visible()
    page.get_by_role("link", name="Start review").click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("link", name="Decide disposition").click()
    page.get_by_label("Disposition").select_option("rework")
    expect(page.get_by_label("Rework or repair at step")).to_have_value(str(line.steps["Rework bore"].pk))
    page.get_by_label("Notes").fill("Re-bore to nominal with T14.")
    page.get_by_role("button", name="Decide disposition").click()
    page.get_by_role("link", name="Carry out disposition").click()
    page.get_by_role("button", name="Carry out disposition").click()
    expect(page.get_by_text("Disposition done").first).to_be_visible()
    sign_out(page)

    # The operator reworks the part; re-inspection passes; deburr; final inspection.
    log_in(page, operator.email, PASSWORD)
    open_at_station(page, serial)
    expect(page.locator("#part-status")).to_have_text("Rework needed")
    page.get_by_role("button", name="Start Rework bore").click()
    expect(page.locator("#part-status")).to_have_text("In rework")
    page.get_by_role("button", name="Complete step").click()
    page.get_by_role("button", name="Start Re-inspect").click()
    page.get_by_label("Bore diameter in mm").fill("25.012")
    expect(page.locator(f"#check-{line.rebore.pk}")).to_have_text("PASS")
    page.get_by_role("button", name="Complete step").click()
    run_step(page, "Deburr")
    run_step(page, "Final inspection")
    expect(page.locator("#part-status")).to_have_text("Awaiting QA")
    sign_out(page)

    # The inspector signs off; the part completes its routing.
    log_in(page, inspector.email, PASSWORD)
    open_at_station(page, serial)
    page.get_by_role("button", name="QA sign-off").click()
    expect(page.get_by_text(f"{serial} completed its routing.")).to_be_visible()
    expect(page.locator("#part-status")).to_have_text("Completed")
    sign_out(page)

    # QA closes the NCR.
    log_in(page, qa.email, PASSWORD)
    page.goto(ncr.get_absolute_url())
    page.get_by_role("link", name="Close").click()
    page.get_by_label("Resolution").fill("Re-bored; re-inspected at 25.012 mm.")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("Closed").first).to_be_visible()
    ncr.refresh_from_db()
    assert ncr.status == "closed"
    assert ncr.part.status == "completed"
