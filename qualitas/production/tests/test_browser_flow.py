"""A planner draws a draft routing in the flow editor in Chromium: adds a step, connects it, drags
it, saves and finds it where it was put; then draws a rework loop back to the inspection, which is
refused with the cycle named while the database stays as it was."""

import pytest
from playwright.sync_api import expect

from qualitas.production.models import Step, StepEdge
from qualitas.production.tests.flow_factories import graph_snapshot, make_process, make_released_process
from qualitas.testing.browser import SCREENSHOTS, log_in
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_notification_stream(page):
    # These flows are not about notifications: keep the bell's event stream from holding a
    # live-server thread that would outlive the test's database.
    page.route("**/notifications/stream/**", lambda route: route.abort())


def node(page, name):
    return page.locator(f'.flow-canvas .flow-node[data-step-name="{name}"]')


def connect(page, source, target, condition):
    node(page, source).click()
    page.get_by_label("New arrow from this step").select_option(condition)
    page.get_by_role("button", name="Connect to…").click()
    expect(page.locator(".flow-connect-hint")).to_contain_text(f"“{source}”")
    node(page, target).click()


def test_a_planner_adds_connects_drags_and_saves_a_step_and_is_refused_a_cycle(page):
    planner = make_user(role="Production Manager", full_name="Pat Planner")
    process = make_process()
    log_in(page, planner.email, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Pat")).to_be_visible()

    page.goto(process.get_absolute_url())
    page.get_by_role("link", name="Flow", exact=True).click()
    expect(page.locator(".flow-canvas")).to_be_visible()
    expect(page.locator(".flow-canvas .flow-node")).to_have_count(5)
    expect(page.locator(".flow-canvas .flow-node--start")).to_have_attribute("data-step-name", "Machine")

    # Add a step after the last one (it is put beside the selected step) and connect it.
    node(page, "Pack").click()
    expect(page.get_by_label("Step name")).to_have_value("Pack")
    page.get_by_label("New step").fill("Ship")
    page.get_by_label("Kind", exact=True).select_option("operation")
    page.get_by_role("button", name="Add step").click()
    expect(node(page, "Ship")).to_be_visible()
    expect(page.get_by_label("Step name")).to_have_value("Ship")
    pack_x = float(node(page, "Pack").get_attribute("data-x"))
    expect(node(page, "Ship")).to_have_attribute("data-x", f"{pack_x + 214:g}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "production_flow_step_added.png"), full_page=True)
    connect(page, "Pack", "Ship", "always")
    expect(page.locator(".flow-canvas .flow-edge-group")).to_have_count(6)
    expect(page.get_by_text("Unsaved changes")).to_be_visible()

    # Drag it somewhere else.
    ship = node(page, "Ship")
    ship.scroll_into_view_if_needed()
    box = ship.bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = float(ship.get_attribute("data-x")), float(ship.get_attribute("data-y"))
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x - 300, start_y + 130, steps=10)
    page.mouse.up()
    moved = float(ship.get_attribute("data-x")), float(ship.get_attribute("data-y"))
    assert moved == (before[0] - 300, before[1] + 130)

    page.get_by_role("button", name="Save flow").click()
    expect(page.get_by_text("Saved: 6 steps and 6 edges.")).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_hidden()
    saved = Step.objects.get(process=process, name="Ship")
    assert (saved.position_x, saved.position_y) == moved
    assert StepEdge.objects.filter(process=process, source__name="Pack", target=saved).exists()

    # After a reload the new step is drawn where it was put, by the server and in the editor.
    page.reload()
    expect(node(page, "Ship")).to_have_attribute("data-x", f"{moved[0]:g}")
    expect(node(page, "Ship")).to_have_attribute("data-y", f"{moved[1]:g}")
    expect(page.locator(".flow-canvas .flow-edge-group")).to_have_count(6)
    page.screenshot(path=str(SCREENSHOTS / "production_flow_editor.png"), full_page=True)

    # A rework step that loops back to the inspection makes a cycle: refused, nothing written.
    stored = graph_snapshot(process)
    connect(page, "Rework", "Inspect", "always")
    expect(page.locator(".flow-canvas .flow-edge-group")).to_have_count(7)
    page.get_by_role("button", name="Save flow").click()
    error = page.locator(".flow-status .alert-danger")
    expect(error).to_contain_text("Nothing was saved.")
    expect(error).to_contain_text("The routing has a cycle: “Inspect” → “Decide” → “Rework” → “Inspect”.")
    # The drawing is kept as the planner left it, and the database is unchanged.
    expect(page.locator(".flow-canvas .flow-edge-group")).to_have_count(7)
    expect(page.get_by_text("Unsaved changes")).to_be_visible()
    assert graph_snapshot(process) == stored
    page.screenshot(path=str(SCREENSHOTS / "production_flow_cycle_refused.png"), full_page=True)


def test_an_operator_reads_a_released_routing_drawn_on_the_server(page):
    operator = make_user(role="Production Operator", full_name="Olu Operator")
    process = make_released_process()
    log_in(page, operator.email, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Olu")).to_be_visible()

    page.goto(f"{process.get_absolute_url()}flow/")
    drawing = page.locator(".flow-drawing svg")
    expect(drawing.locator(".flow-node")).to_have_count(5)
    expect(drawing.locator(".flow-edge-label")).to_have_count(2)
    expect(page.get_by_text("This version is released and frozen")).to_be_visible()
    expect(page.locator(".flow-canvas")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "production_flow_released.png"), full_page=True)

    drawing.locator('.flow-node[data-step-name="Decide"]').click()
    expect(page.get_by_role("heading", name="Decide")).to_be_visible()
