"""Routing graphs: validation and layout, on plain ids so that the same rules check a saved
routing, an edit before it is saved and the flow editor's payload.

A valid routing is a directed acyclic graph with exactly one start (a step without incoming
edges) from which every step is reachable. Decision steps leave by a "pass" edge (and optionally a
"fail" edge, the way to rework); other steps leave by "next" edges only. Steps without outgoing
edges end the routing.
"""

from collections import defaultdict, deque
from dataclasses import dataclass

from .choices import EdgeConditionChoices, StepKindChoices


@dataclass(frozen=True)
class Node:
    id: object
    name: str
    kind: str


@dataclass(frozen=True)
class Arrow:
    source: object
    target: object
    condition: str = EdgeConditionChoices.ALWAYS


def find_cycle(node_ids, arrows):
    """A list of node ids forming a cycle (first id repeated at the end), or None. Iterative DFS."""
    successors = defaultdict(list)
    for arrow in arrows:
        successors[arrow.source].append(arrow.target)
    state = {}  # 1 = on the current path, 2 = done
    for root in node_ids:
        if root in state:
            continue
        path = [root]
        stack = [iter(successors[root])]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(successors[child]))
    return None


def problems(nodes, arrows):
    """Every reason the graph is not a valid routing, as sentences naming the steps (empty when it
    is valid)."""
    names = {node.id: node.name for node in nodes}
    kinds = {node.id: node.kind for node in nodes}
    found = []
    if not nodes:
        return ["The routing has no steps."]
    seen = set()
    for arrow in arrows:
        if arrow.source not in names or arrow.target not in names:
            found.append("An edge joins a step that is not in this routing.")
            continue
        if arrow.source == arrow.target:
            found.append(f"“{names[arrow.source]}” leads to itself: model rework with a rework step.")
        if (arrow.source, arrow.target) in seen:
            found.append(f"“{names[arrow.source]}” → “{names[arrow.target]}” is drawn twice.")
        seen.add((arrow.source, arrow.target))
    if found:
        return found
    cycle = find_cycle([node.id for node in nodes], arrows)
    if cycle is not None:
        found.append("The routing has a cycle: " + " → ".join(f"“{names[i]}”" for i in cycle) + ".")
    incoming = {arrow.target for arrow in arrows}
    starts = [node for node in nodes if node.id not in incoming]
    if not starts:
        if cycle is None:
            found.append("The routing has no start step.")
    elif len(starts) > 1:
        found.append(
            "The routing must have one start step; these have no incoming edge: "
            + ", ".join(f"“{node.name}”" for node in starts)
            + "."
        )
    else:
        reached = reachable(starts[0].id, arrows)
        unreachable = [node for node in nodes if node.id not in reached]
        if unreachable:
            found.append(
                "Not reachable from the start step “"
                + starts[0].name
                + "”: "
                + ", ".join(f"“{node.name}”" for node in unreachable)
                + "."
            )
    outgoing = defaultdict(list)
    for arrow in arrows:
        outgoing[arrow.source].append(arrow)
    for node_id, leaving in outgoing.items():
        conditions = [arrow.condition for arrow in leaving]
        if kinds[node_id] in StepKindChoices.ROUTES_ON_RESULT:
            if conditions.count(EdgeConditionChoices.PASS) != 1:
                found.append(f"Decision step “{names[node_id]}” needs exactly one “on pass” edge.")
            if conditions.count(EdgeConditionChoices.FAIL) > 1:
                found.append(f"Decision step “{names[node_id]}” has more than one “on fail” edge.")
            if EdgeConditionChoices.ALWAYS in conditions:
                found.append(f"Decision step “{names[node_id]}” routes on pass or fail, not by “next” edges.")
        elif any(condition != EdgeConditionChoices.ALWAYS for condition in conditions):
            found.append(
                f"Only decision steps route on pass or fail; “{names[node_id]}” is a "
                f"{StepKindChoices.label(kinds[node_id]).lower()} step."
            )
    return found


def reachable(start, arrows):
    successors = defaultdict(list)
    for arrow in arrows:
        successors[arrow.source].append(arrow.target)
    seen = {start}
    queue = deque([start])
    while queue:
        for child in successors[queue.popleft()]:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def layers(nodes, arrows):
    """{node id: depth}: the longest path from a start to each node, for a left-to-right layout of
    an acyclic graph (nodes on a cycle are put after the others)."""
    predecessors = defaultdict(list)
    successors = defaultdict(list)
    for arrow in arrows:
        predecessors[arrow.target].append(arrow.source)
        successors[arrow.source].append(arrow.target)
    indegree = {node.id: len(predecessors[node.id]) for node in nodes}
    depth = {node.id: 0 for node in nodes}
    queue = deque(node.id for node in nodes if indegree[node.id] == 0)
    done = set()
    while queue:
        current = queue.popleft()
        done.add(current)
        for child in successors[current]:
            depth[child] = max(depth[child], depth[current] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    last = max(depth.values(), default=0)
    for node in nodes:
        if node.id not in done:
            last += 1
            depth[node.id] = last
    return depth


def graph_of(process, extra_arrow=None, without_arrow=None):
    """The nodes and arrows of a saved routing (archived steps and edges left out), optionally with one edge added (checked before it is
    saved) or left out (being edited)."""
    nodes = [Node(step.pk, step.name, step.kind) for step in process.steps.filter(is_archived=False)]
    arrows = [
        Arrow(edge.source_id, edge.target_id, edge.condition)
        for edge in process.edges.filter(
            is_archived=False, source__is_archived=False, target__is_archived=False
        )
        if without_arrow is None or edge.pk != without_arrow
    ]
    if extra_arrow is not None:
        arrows.append(extra_arrow)
    return nodes, arrows
