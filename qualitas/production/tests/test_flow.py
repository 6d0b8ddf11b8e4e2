"""The process-flow page and the flow editor's graph endpoint: the routing drawn on the server from
its steps and edges, and the editor's whole-graph save, which changes everything or nothing."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.production import routing
from qualitas.production.choices import EdgeConditionChoices, ProcessStatusChoices, StepKindChoices
from qualitas.production.models import Step, StepEdge
from qualitas.production.tests.flow_factories import (
    graph_snapshot,
    make_process,
    make_released_process,
    steps_by_name,
)
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db

OPERATION, INSPECTION, DECISION, REWORK = (
    StepKindChoices.OPERATION,
    StepKindChoices.INSPECTION,
    StepKindChoices.DECISION,
    StepKindChoices.REWORK,
)
NEXT, PASS, FAIL = EdgeConditionChoices.ALWAYS, EdgeConditionChoices.PASS, EdgeConditionChoices.FAIL


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def planner():
    return make_user(role="Production Manager", full_name="Pat Planner")


@pytest.fixture
def operator():
    return make_user(role="Production Operator", full_name="Olu Operator")


def flow_url(process):
    return reverse("production:process_flow", args=[process.pk])


def graph_url(process):
    return reverse("production:process_flow_graph", args=[process.pk])


def payload_of(process, change=None):
    """The graph as the editor sends it back: every step keyed by its id, every edge by step keys."""
    graph = {
        "steps": [
            {"key": str(step.pk), "id": step.pk, "name": step.name, "kind": step.kind, "x": 10.0, "y": 20.0}
            for step in process.steps.filter(is_archived=False)
        ],
        "edges": [
            {"source": str(edge.source_id), "target": str(edge.target_id), "condition": edge.condition}
            for edge in process.edges.all()
        ],
    }
    if change is not None:
        change(graph, {step.name: str(step.pk) for step in process.steps.all()})
    return graph


def post_graph(client, process, graph):
    body = graph if isinstance(graph, str | bytes) else json.dumps(graph)
    return client.post(graph_url(process), body, content_type="application/json")


def audit_counts():
    return ObjectChange.objects.count(), DomainEvent.objects.count()


# --- The page ---------------------------------------------------------------------------------


def test_the_flow_page_draws_every_step_from_the_data_for_a_viewer(operator):
    process = make_process()
    response = client_for(operator).get(flow_url(process))
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<svg class="flow-svg"')
    svg = page[start : page.index("</svg>", start)]
    for name in ("Machine", "Inspect", "Decide", "Rework", "Pack"):
        assert f'data-step-name="{name}"' in svg and f">{name}</text>" in svg
    steps = steps_by_name(process)
    # Coloured by kind, the start marked, the pass and fail arrows labelled, each box a link.
    assert f'class="flow-node flow-node--warning" data-step="{steps["Decide"].pk}"' in svg
    assert f'class="flow-node flow-node--primary flow-node--start" data-step="{steps["Machine"].pk}"' in svg
    assert svg.count("▶ Start") == 1
    assert ">On pass</text>" in svg and ">On fail</text>" in svg
    assert svg.count('class="flow-edge flow-edge--') == 5
    assert svg.count('<a href="') in (0, 5)
    # Laid out left to right by depth while nothing has been placed.
    assert f'data-step="{steps["Machine"].pk}" data-step-name="Machine" data-x="24" data-y="24"' in svg
    assert f'data-step="{steps["Inspect"].pk}" data-step-name="Inspect" data-x="238" data-y="24"' in svg
    # A viewer reads it; the editor is not offered.
    assert "data-process-flow-editor" not in page and "islands/process-flow.js" not in page
    assert "flow-problems" not in page


def test_the_detail_page_has_a_flow_tab(operator):
    process = make_process()
    page = client_for(operator).get(process.get_absolute_url()).content.decode()
    assert f'href="{flow_url(process)}">Flow</a>' in page


def test_saved_positions_are_drawn_where_they_were_put(operator):
    process = make_process(
        steps=[("Cut", OPERATION), ("Weld", OPERATION)],
        edges=[("Cut", "Weld", NEXT)],
        positions={"Cut": (300, 180), "Weld": (40, 400)},
    )
    page = client_for(operator).get(flow_url(process)).content.decode()
    assert 'data-step-name="Cut" data-x="300" data-y="180" transform="translate(300,180)"' in page
    assert 'data-step-name="Weld" data-x="40" data-y="400" transform="translate(40,400)"' in page


def test_the_problems_of_the_graph_are_listed_above_the_drawing(operator):
    process = make_process(
        steps=[("Cut", OPERATION), ("Weld", OPERATION), ("Paint", OPERATION)],
        edges=[("Cut", "Paint", NEXT)],
    )
    page = client_for(operator).get(flow_url(process)).content.decode()
    problems = page.index("flow-problems")
    assert problems < page.index('<svg class="flow-svg"')
    assert (
        "The routing must have one start step; these have no incoming edge: “Cut”, “Weld”." in page[problems:]
    )
    assert "▶ Start" not in page


def test_a_planner_gets_the_editor_on_a_draft(planner):
    process = make_process()
    page = client_for(planner).get(flow_url(process)).content.decode()
    assert "data-process-flow-editor" in page and "dist/islands/process-flow.js" in page
    assert f'data-graph-url="{graph_url(process)}"' in page
    start = page.index('<script id="process-flow-graph" type="application/json">')
    graph = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert [step["name"] for step in graph["steps"]] == ["Machine", "Inspect", "Decide", "Rework", "Pack"]
    assert {kind["value"] for kind in graph["kinds"]} == set(StepKindChoices.values())
    assert [condition["label"] for condition in graph["conditions"]] == ["Next", "On pass", "On fail"]
    # The server's drawing stays on the page until the island replaces it.
    assert 'data-step-name="Pack"' in page


def test_a_released_routing_is_drawn_read_only_for_a_planner(planner):
    process = make_released_process()
    page = client_for(planner).get(flow_url(process)).content.decode()
    assert "data-process-flow-editor" not in page and "process-flow-graph" not in page
    assert "This version is released and frozen: revise it to change its flow." in page
    assert 'data-step-name="Decide"' in page


def test_an_empty_routing_says_so(planner):
    process = make_process(steps=[], edges=[])
    page = client_for(planner).get(flow_url(process)).content.decode()
    assert "This routing has no steps yet." in page
    assert "The routing has no steps." in page


def test_the_page_needs_a_signed_in_user_with_view_permission():
    process = make_process()
    response = Client().get(flow_url(process))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(make_user()).get(flow_url(process)).status_code == 403


# --- The graph as JSON ------------------------------------------------------------------------


def test_the_graph_endpoint_returns_the_routing(operator):
    process = make_process()
    response = client_for(operator).get(graph_url(process))
    assert response.status_code == 200
    graph = response.json()
    steps = steps_by_name(process)
    assert [(step["id"], step["name"], step["kind"]) for step in graph["steps"]] == [
        (steps[name].pk, name, steps[name].kind)
        for name in ("Machine", "Inspect", "Decide", "Rework", "Pack")
    ]
    assert {(edge["source"], edge["target"], edge["condition"]) for edge in graph["edges"]} == {
        (steps["Machine"].pk, steps["Inspect"].pk, NEXT),
        (steps["Inspect"].pk, steps["Decide"].pk, NEXT),
        (steps["Decide"].pk, steps["Pack"].pk, PASS),
        (steps["Decide"].pk, steps["Rework"].pk, FAIL),
        (steps["Rework"].pk, steps["Pack"].pk, NEXT),
    }
    assert graph["start"] == steps["Machine"].pk and graph["problems"] == []
    # Never placed: the layout's positions, left to right by depth.
    assert [(step["x"], step["y"]) for step in graph["steps"]] == [
        (24, 24),
        (238, 24),
        (452, 24),
        (666, 24),
        (880, 24),
    ]


def test_the_graph_endpoint_answers_401_to_anonymous_and_403_without_view_permission():
    process = make_process()
    assert Client().get(graph_url(process)).status_code == 401
    response = Client().post(graph_url(process), "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["errors"]["__all__"]
    assert client_for(make_user()).get(graph_url(process)).status_code == 403


# --- Saving the graph -------------------------------------------------------------------------


def test_saving_a_valid_graph_creates_moves_renames_and_removes_steps_and_edges(planner):
    process = make_process()
    steps = steps_by_name(process)
    changes_before = ObjectChange.objects.count()

    def change(graph, key):
        by_key = {step["key"]: step for step in graph["steps"]}
        by_key[key["Inspect"]].update(x=400.5, y=160)
        by_key[key["Pack"]]["name"] = "Pack and label"
        graph["steps"] = [step for step in graph["steps"] if step["key"] != key["Rework"]]
        graph["steps"].insert(
            1, {"key": "new-1", "id": None, "name": "Deburr", "kind": OPERATION, "x": 200, "y": 300}
        )
        graph["edges"] = [
            {"source": key["Machine"], "target": "new-1", "condition": NEXT},
            {"source": "new-1", "target": key["Inspect"], "condition": NEXT},
            {"source": key["Inspect"], "target": key["Decide"], "condition": NEXT},
            {"source": key["Decide"], "target": key["Pack"], "condition": PASS},
        ]

    response = post_graph(client_for(planner), process, payload_of(process, change))

    assert response.status_code == 200, response.content
    body = response.json()
    deburr = Step.objects.get(process=process, name="Deburr")
    assert body["keys"]["new-1"] == deburr.pk
    assert body["message"] == "Saved: 5 steps and 4 edges."
    assert [step["name"] for step in body["graph"]["steps"]] == [
        "Machine",
        "Deburr",
        "Inspect",
        "Decide",
        "Pack and label",
    ]
    assert list(process.steps.values_list("name", "sequence")) == [
        ("Machine", 10),
        ("Deburr", 20),
        ("Inspect", 30),
        ("Decide", 40),
        ("Pack and label", 50),
    ]
    inspect = Step.objects.get(pk=steps["Inspect"].pk)
    assert (inspect.position_x, inspect.position_y) == (400.5, 160)
    assert (deburr.position_x, deburr.position_y) == (200, 300)
    assert not Step.objects.filter(pk=steps["Rework"].pk).exists()
    assert graph_snapshot(process)[1] == [
        ("Deburr", "Inspect", NEXT),
        ("Decide", "Pack and label", PASS),
        ("Inspect", "Decide", NEXT),
        ("Machine", "Deburr", NEXT),
    ]
    # Every change is in the audit trail, by the planner, with the editor as the reason.
    entries = ObjectChange.objects.all()[: ObjectChange.objects.count() - changes_before]
    step_type = ContentType.objects.get_for_model(Step)
    edge_type = ContentType.objects.get_for_model(StepEdge)
    assert {entry.user_id for entry in entries} == {planner.pk}
    assert {entry.reason for entry in entries} == {"Saved from the flow editor"}
    summary = {(entry.content_type_id, entry.action, entry.object_repr) for entry in entries}
    assert (step_type.pk, ChangeActionChoices.CREATE, "Deburr") in summary
    assert (step_type.pk, ChangeActionChoices.UPDATE, "Pack and label") in summary
    assert (step_type.pk, ChangeActionChoices.DELETE, "Rework") in summary
    assert (edge_type.pk, ChangeActionChoices.DELETE, "Machine → Inspect") in summary
    assert (edge_type.pk, ChangeActionChoices.CREATE, "Machine → Deburr") in summary
    event = DomainEvent.objects.get(name="process.graph_saved")
    assert event.object_id == str(process.pk) and event.user_id == planner.pk


def test_moving_steps_alone_saves_the_positions(planner):
    process = make_process()
    response = post_graph(client_for(planner), process, payload_of(process))
    assert response.status_code == 200
    assert set(process.steps.values_list("position_x", "position_y")) == {(10.0, 20.0)}
    assert {(step["x"], step["y"]) for step in response.json()["graph"]["steps"]} == {(10.0, 20.0)}


def test_a_cycle_is_refused_with_the_cycle_named_and_nothing_changed(planner):
    process = make_process()
    before, counts = graph_snapshot(process), audit_counts()

    def rework_back_to_inspection(graph, key):
        graph["steps"][0]["x"] = 999  # a move too: it must not be saved either
        graph["edges"].append({"source": key["Rework"], "target": key["Inspect"], "condition": NEXT})

    response = post_graph(client_for(planner), process, payload_of(process, rework_back_to_inspection))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"edges": ["The routing has a cycle: “Inspect” → “Decide” → “Rework” → “Inspect”."]}
    }
    assert graph_snapshot(process) == before
    assert audit_counts() == counts


def test_two_start_steps_are_refused(planner):
    process = make_process()
    before, counts = graph_snapshot(process), audit_counts()

    def cut_machine_off(graph, key):
        graph["edges"] = [edge for edge in graph["edges"] if edge["source"] != key["Machine"]]

    response = post_graph(client_for(planner), process, payload_of(process, cut_machine_off))

    assert response.status_code == 400
    assert response.json()["errors"]["edges"] == [
        "The routing must have one start step; these have no incoming edge: “Machine”, “Inspect”."
    ]
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_an_unreachable_step_is_refused(planner):
    process = make_process(steps=[("Cut", OPERATION), ("Weld", OPERATION)], edges=[("Cut", "Weld", NEXT)])
    before, counts = graph_snapshot(process), audit_counts()
    graph = payload_of(process)
    graph["steps"] += [
        {"key": "a", "id": None, "name": "Grind", "kind": OPERATION, "x": 0, "y": 0},
        {"key": "b", "id": None, "name": "Polish", "kind": OPERATION, "x": 0, "y": 0},
    ]
    graph["edges"] += [
        {"source": "a", "target": "b", "condition": NEXT},
        {"source": "b", "target": "a", "condition": NEXT},
    ]

    response = post_graph(client_for(planner), process, graph)

    assert response.status_code == 400
    assert response.json()["errors"]["edges"] == [
        "The routing has a cycle: “Grind” → “Polish” → “Grind”.",
        "Not reachable from the start step “Cut”: “Grind”, “Polish”.",
    ]
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_decision_rules_and_duplicate_names_come_back_as_sentences(planner):
    process = make_process()
    before = graph_snapshot(process)

    def next_from_a_decision(graph, key):
        for edge in graph["edges"]:
            if edge["source"] == key["Decide"] and edge["condition"] == PASS:
                edge["condition"] = NEXT

    response = post_graph(client_for(planner), process, payload_of(process, next_from_a_decision))
    assert response.status_code == 400
    assert response.json()["errors"]["edges"] == [
        "Decision step “Decide” needs exactly one “on pass” edge.",
        "Decision step “Decide” routes on pass or fail, not by “next” edges.",
    ]

    def same_name(graph, key):
        graph["steps"][1]["name"] = "machine"

    response = post_graph(client_for(planner), process, payload_of(process, same_name))
    assert response.status_code == 400 and response.json() == {
        "errors": {"steps": ["Two steps have the same name."]}
    }
    assert graph_snapshot(process) == before


def test_names_handed_between_steps_in_one_save_are_saved(planner):
    # Two steps swap names in one save: the unique (routing, name) constraint is checked row by
    # row, so save_graph frees the name first; the result is the swap, in one transaction.
    process = make_process(steps=[("Cut", OPERATION), ("Weld", OPERATION)], edges=[("Cut", "Weld", NEXT)])
    ids = {step.name: step.pk for step in process.steps.all()}

    def swap_names(graph, key):
        graph["steps"][0]["name"], graph["steps"][1]["name"] = "Weld", "Cut"

    response = post_graph(client_for(planner), process, payload_of(process, swap_names))
    assert response.status_code == 200, response.json()
    assert {step.pk: step.name for step in process.steps.all()} == {ids["Cut"]: "Weld", ids["Weld"]: "Cut"}


def test_an_archived_step_is_left_out_of_the_graph_and_its_name_can_be_used_again(planner):
    process = make_process(steps=[("Cut", OPERATION), ("Weld", OPERATION)], edges=[("Cut", "Weld", NEXT)])
    weld = process.steps.get(name="Weld")
    weld.archive("Not needed")
    assert routing.problems(*routing.graph_of(process)) == []

    def add_weld_again(graph, key):
        graph["steps"].append(
            {"key": "new-1", "id": None, "name": "Weld", "kind": OPERATION, "x": 200, "y": 0}
        )
        graph["edges"] = [{"source": graph["steps"][0]["key"], "target": "new-1", "condition": NEXT}]

    response = post_graph(client_for(planner), process, payload_of(process, add_weld_again))
    assert response.status_code == 200, response.json()
    assert sorted(process.steps.values_list("name", "is_archived")) == [("Cut", False), ("Weld", False)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "The request is not valid JSON."),
        (b"\xff\xfe", "The request is not valid JSON."),
        ("[]", "Send an object with a list of “steps” and a list of “edges”."),
        ('{"steps": []}', "Send an object with a list of “steps” and a list of “edges”."),
        ('{"steps": {}, "edges": []}', "Send an object with a list of “steps” and a list of “edges”."),
    ],
)
def test_a_body_that_is_not_a_graph_is_a_400(planner, body, message):
    process = make_process()
    before, counts = graph_snapshot(process), audit_counts()
    response = post_graph(client_for(planner), process, body)
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": [message]}}
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_steps_and_edges_of_the_wrong_shape_are_a_400_naming_each(planner):
    process = make_process()
    before, counts = graph_snapshot(process), audit_counts()
    graph = {
        "steps": [
            "Machine",
            {"key": "a", "id": None, "name": "Cut", "kind": "welding", "x": 0, "y": 0},
            {"key": "b", "id": "7", "name": "Weld", "kind": OPERATION, "x": "left", "y": None},
            {"key": "c", "id": None, "kind": OPERATION, "x": 0, "y": 0},
            {"id": None, "name": "Paint", "kind": OPERATION, "x": 0, "y": 0},
            {"key": True, "id": None, "name": "Dry", "kind": OPERATION, "x": float("1e9"), "y": 0},
        ],
        "edges": [
            ["a", "b"],
            {"source": "a", "condition": NEXT},
            {"source": "a", "target": "b", "condition": "maybe"},
        ],
    }
    response = post_graph(client_for(planner), process, graph)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["steps"] == [
        "Step 1 is not an object.",
        "“Cut” has an unknown kind: choose one of operation, inspection, decision, rework.",
        "“Weld” has no valid position (numbers “x” and “y”).",
        "“Weld” has an id that is not a number.",
        "Step 4 has no name.",
        "“Paint” has no key.",
        "“Dry” has no valid position (numbers “x” and “y”).",
        "“Dry” has no key.",
    ]
    assert errors["edges"] == [
        "Edge 1 is not an object.",
        "Edge 2 needs the keys of its “source” and “target” steps.",
        "Edge 3 has an unknown condition: choose one of always, pass, fail.",
    ]
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_a_step_of_another_routing_is_refused(planner):
    process, other = make_process(), make_process()
    before = graph_snapshot(other)
    stranger = other.steps.first()

    def take_a_step_of_the_other(graph, key):
        graph["steps"][0]["id"] = stranger.pk

    response = post_graph(client_for(planner), process, payload_of(process, take_a_step_of_the_other))
    assert response.status_code == 400
    assert response.json()["errors"]["steps"] == [f"Step {stranger.pk} is not part of {process}."]
    assert graph_snapshot(other) == before


def test_a_released_routing_is_refused_with_409(planner):
    process = make_released_process()
    assert process.status == ProcessStatusChoices.RELEASED
    before, counts = graph_snapshot(process), audit_counts()
    response = post_graph(client_for(planner), process, payload_of(process))
    assert response.status_code == 409
    assert response.json() == {"errors": {"__all__": [f"{process} is released: revise it to change it."]}}
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_without_change_permission_the_save_is_a_403_and_nothing_changes(operator):
    process = make_process()
    before, counts = graph_snapshot(process), audit_counts()
    response = post_graph(client_for(operator), process, payload_of(process))
    assert response.status_code == 403
    assert response.json() == {"errors": {"__all__": ["You do not have permission to change routings."]}}
    assert graph_snapshot(process) == before and audit_counts() == counts


def test_the_save_needs_the_csrf_token(planner):
    process = make_process()
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner)
    response = client.post(
        graph_url(process), json.dumps(payload_of(process)), content_type="application/json"
    )
    assert response.status_code == 403
    assert set(process.steps.values_list("position_x", flat=True)) == {0.0}
