// The flow editor of a draft routing. It takes the graph from the page's json_script block, lets
// the planner drag steps, add, rename, re-kind and delete them, draw and delete arrows, and saves
// the whole graph as JSON to the graph endpoint. The server validates and saves it in one go
// (production.services.save_graph) and answers with the saved graph or with the reasons it was
// refused, which are shown while the drawing stays as the planner left it. No routing rules here:
// what makes a valid routing is the server's to say.

const SVG = "http://www.w3.org/2000/svg";
const DRAG_THRESHOLD = 3;
const NAME_LENGTH = 19;

function svg(tag, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (parent) parent.append(node);
  return node;
}

function html(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function field(id, text, control) {
  control.id = id;
  return html("div", {}, [html("label", { className: "form-label small mb-0", for: id, text }), control]);
}

function options(select, items, selected) {
  select.replaceChildren(
    ...items.map((item) => {
      const option = html("option", { value: item.value, text: item.label });
      option.selected = item.value === selected;
      return option;
    }),
  );
  return select;
}

function shortName(name) {
  return name.length <= NAME_LENGTH ? name : `${name.slice(0, NAME_LENGTH - 1)}…`;
}

// The same curves as the server's drawing (production.views.flow_edge_path): side to side to a
// target on the right, bowing downwards when it skips columns on one row; a loop below the row back
// to a target on the same row; top to bottom to a target above or below.
function edgePath(source, target, width, height, column) {
  let x1, y1, x2, y2, c1, c2;
  if (target.x >= source.x + width + 16) {
    [x1, y1, x2, y2] = [source.x + width, source.y + height / 2, target.x, target.y + height / 2];
    const bend = Math.max(48, Math.abs(x2 - x1) / 2);
    const drop = x2 - x1 > column && Math.abs(y2 - y1) < height ? 72 : 0;
    [c1, c2] = [[x1 + bend, y1 + drop], [x2 - bend, y2 + drop]];
  } else if (Math.abs(target.y - source.y) < height) {
    [x1, y1, x2, y2] = [source.x + width / 2, source.y + height, target.x + width / 2, target.y + height];
    [c1, c2] = [[x1, y1 + 80], [x2, y2 + 80]];
  } else {
    const down = target.y > source.y ? 1 : -1;
    [x1, x2] = [source.x + width / 2, target.x + width / 2];
    [y1, y2] = down > 0 ? [source.y + height, target.y] : [source.y, target.y + height];
    const bend = Math.max(32, Math.abs(y2 - y1) / 2) * down;
    [c1, c2] = [[x1, y1 + bend], [x2, y2 - bend]];
  }
  const d = `M${x1},${y1} C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${x2},${y2}`;
  return { d, x1, y1, c1, c2, x2, y2 };
}

function csrfToken(root) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : root.dataset.csrfToken || "";
}

class FlowEditor {
  constructor(root, data) {
    this.root = root;
    this.url = root.dataset.graphUrl;
    this.layout = data.layout;
    this.kinds = data.kinds;
    this.conditions = data.conditions;
    this.kindOf = Object.fromEntries(data.kinds.map((kind) => [kind.value, kind]));
    this.conditionOf = Object.fromEntries(data.conditions.map((item) => [item.value, item]));
    this.selection = null; // {type: "step", key} or {type: "edge", index}
    this.connectFrom = null;
    this.dirty = false;
    this.saving = false;
    this.newSteps = 0;
    this.load(data);
    this.build();
    this.render();
    this.renderInspector();
    window.addEventListener("beforeunload", (event) => {
      if (!this.dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  load(graph) {
    this.steps = graph.steps.map((step) => ({
      key: String(step.id),
      id: step.id,
      name: step.name,
      kind: step.kind,
      x: step.x,
      y: step.y,
      url: step.url || "",
    }));
    this.edges = graph.edges.map((edge) => ({
      source: String(edge.source),
      target: String(edge.target),
      condition: edge.condition,
    }));
  }

  step(key) {
    return this.steps.find((step) => step.key === key);
  }

  // --- The page around the drawing ----------------------------------------------------------

  build() {
    const newName = html("input", {
      className: "form-control form-control-sm",
      type: "text",
      maxlength: 200,
      placeholder: "e.g. Deburr",
      autocomplete: "off",
    });
    const newKind = options(html("select", { className: "form-select form-select-sm" }), this.kinds, "operation");
    const addForm = html("form", { className: "d-flex flex-wrap gap-2 align-items-end flow-add" }, [
      html("div", {}, [
        html("label", { className: "form-label small mb-0", for: "flow-new-name", text: "New step" }),
        Object.assign(newName, { id: "flow-new-name" }),
      ]),
      html("div", {}, [
        html("label", { className: "form-label small mb-0", for: "flow-new-kind", text: "Kind" }),
        Object.assign(newKind, { id: "flow-new-kind" }),
      ]),
      html("button", { className: "btn btn-sm btn-outline-primary", type: "submit", text: "Add step" }),
    ]);
    addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = newName.value.trim();
      if (!name) {
        newName.focus();
        this.say("info", ["Give the new step a name."]);
        return;
      }
      this.addStep(name, newKind.value);
      newName.value = "";
    });

    this.dirtyNote = html("span", { className: "small text-body-secondary flow-dirty", "aria-live": "polite" });
    this.saveButton = html("button", { className: "btn btn-sm btn-primary", type: "button", text: "Save flow" });
    this.saveButton.addEventListener("click", () => this.save());
    const toolbar = html("div", { className: "d-flex flex-wrap gap-2 align-items-end mb-2 flow-toolbar" }, [
      addForm,
      html("div", { className: "ms-auto d-flex gap-2 align-items-center" }, [this.dirtyNote, this.saveButton]),
    ]);

    this.status = html("div", { className: "flow-status", role: "status", "aria-live": "polite" });
    this.canvas = html("div", { className: "flow-canvas border rounded" });
    this.svg = svg("svg", {
      class: "flow-svg",
      role: "group",
      "aria-label": "Flow editor: drag steps to move them, select a step or arrow to change it",
    });
    this.canvas.append(this.svg);
    // What is selected, and what can be done with it, in a bar above the drawing.
    this.inspector = html("div", {
      className: "flow-selection d-flex flex-wrap gap-2 align-items-end border rounded px-2 py-2 mb-2",
      "aria-label": "Selected",
      role: "region",
    });

    const defs = svg("defs", {}, this.svg);
    for (const color of new Set(this.conditions.map((item) => item.color))) {
      const marker = svg(
        "marker",
        {
          id: `flow-editor-arrow-${color}`,
          class: `flow-arrow flow-arrow--${color}`,
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerUnits: "userSpaceOnUse",
          markerWidth: 11,
          markerHeight: 11,
          orient: "auto-start-reverse",
        },
        defs,
      );
      svg("path", { d: "M0,0 L10,5 L0,10 z" }, marker);
    }
    this.edgeLayer = svg("g", { class: "flow-edges" }, this.svg);
    this.nodeLayer = svg("g", { class: "flow-nodes" }, this.svg);
    this.nodes = new Map();

    this.svg.addEventListener("pointerdown", (event) => {
      if (event.target === this.svg) {
        this.cancelConnect();
        this.select(null);
      }
    });
    this.root.addEventListener("keydown", (event) => this.onKey(event));

    this.root.replaceChildren(toolbar, this.status, this.inspector, this.canvas);
  }

  // --- Drawing ------------------------------------------------------------------------------

  render() {
    const { node_width: width, node_height: height } = this.layout;
    const keys = new Set(this.steps.map((step) => step.key));
    for (const [key, node] of this.nodes) {
      if (!keys.has(key)) {
        node.remove();
        this.nodes.delete(key);
      }
    }
    const incoming = new Set(this.edges.map((edge) => edge.target));
    const starts = this.steps.filter((step) => !incoming.has(step.key));
    for (const step of this.steps) {
      let node = this.nodes.get(step.key);
      if (!node) {
        node = this.createNode(step);
        this.nodes.set(step.key, node);
      }
      const color = (this.kindOf[step.kind] || {}).color || "secondary";
      const isStart = starts.length === 1 && starts[0] === step;
      const selected = this.selection && this.selection.type === "step" && this.selection.key === step.key;
      node.setAttribute(
        "class",
        `flow-node flow-node--${color}${isStart ? " flow-node--start" : ""}${selected ? " is-selected" : ""}` +
          `${this.connectFrom === step.key ? " is-source" : ""}`,
      );
      node.setAttribute("transform", `translate(${step.x},${step.y})`);
      node.dataset.x = String(step.x);
      node.dataset.y = String(step.y);
      node.dataset.stepName = step.name;
      const kindLabel = (this.kindOf[step.kind] || {}).label || step.kind;
      node.setAttribute("aria-label", `${step.name}, ${kindLabel}${isStart ? ", start" : ""}`);
      node.querySelector("title").textContent = `${step.name} · ${kindLabel}`;
      node.querySelector(".flow-node-name").textContent = shortName(step.name);
      node.querySelector(".flow-node-kind").textContent = kindLabel;
      node.querySelector(".flow-start").style.display = isStart ? "" : "none";
      node.querySelector("rect").setAttribute("width", width);
      node.querySelector("rect").setAttribute("height", height);
    }
    this.renderEdges();
    this.resize();
    const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
    for (const counts of document.querySelectorAll("[data-flow-counts]")) {
      counts.textContent = `${plural(this.steps.length, "step")} · ${plural(this.edges.length, "edge")}`;
    }
  }

  createNode(step) {
    const node = svg("g", { tabindex: 0, role: "button", "data-step-key": step.key }, this.nodeLayer);
    svg("title", {}, node);
    svg("rect", { rx: 8 }, node);
    svg("text", { class: "flow-node-name", x: 12, y: 24 }, node);
    svg("text", { class: "flow-node-kind", x: 12, y: 42 }, node);
    const start = svg("g", { class: "flow-start", transform: "translate(0,-8)" }, node);
    svg("text", { x: 2, y: 0 }, start).textContent = "▶ Start";
    node.addEventListener("pointerdown", (event) => this.onPointerDown(event, node));
    node.addEventListener("focus", () => {
      if (!this.dragging && !this.connectFrom) this.select({ type: "step", key: node.dataset.stepKey }, false);
    });
    return node;
  }

  renderEdges() {
    const { node_width: width, node_height: height, column } = this.layout;
    this.edgeLayer.replaceChildren();
    this.edges.forEach((edge, index) => {
      const source = this.step(edge.source);
      const target = this.step(edge.target);
      if (!source || !target) return;
      const { d, x1, y1, c1, c2, x2, y2 } = edgePath(source, target, width, height, column);
      const condition = this.conditionOf[edge.condition] || { label: edge.condition, color: "secondary" };
      const selected = this.selection && this.selection.type === "edge" && this.selection.index === index;
      const group = svg(
        "g",
        {
          class: `flow-edge-group${selected ? " is-selected" : ""}`,
          "data-source": edge.source,
          "data-target": edge.target,
          "data-condition": edge.condition,
        },
        this.edgeLayer,
      );
      svg("title", {}, group).textContent = `${source.name} → ${target.name} (${condition.label.toLowerCase()})`;
      svg(
        "path",
        { class: `flow-edge flow-edge--${condition.color}`, d, "marker-end": `url(#flow-editor-arrow-${condition.color})` },
        group,
      );
      if (edge.condition !== "always") {
        const labelWidth = 10 + 6 * condition.label.length;
        const x = (x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8;
        const y = (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8;
        const label = svg(
          "g",
          { class: `flow-edge-label flow-edge-label--${condition.color}`, transform: `translate(${x},${y})` },
          group,
        );
        svg("rect", { x: -labelWidth / 2, y: -9, width: labelWidth, height: 18, rx: 9 }, label);
        svg("text", { "text-anchor": "middle", dy: 4 }, label).textContent = condition.label;
      }
      const hit = svg("path", { class: "flow-edge-hit", d }, group);
      hit.addEventListener("pointerdown", (event) => {
        event.stopPropagation();
        this.cancelConnect();
        this.select({ type: "edge", index });
      });
    });
  }

  resize() {
    const { node_width: width, node_height: height, margin } = this.layout;
    const right = Math.max(0, ...this.steps.map((step) => step.x + width));
    const bottom = Math.max(0, ...this.steps.map((step) => step.y + height));
    // Room to drag a step beyond the current drawing.
    this.svg.setAttribute("width", Math.max(this.canvas.clientWidth - 2, right + margin + 200));
    this.svg.setAttribute("height", Math.max(320, bottom + margin + 120));
  }

  // --- Selecting, dragging and connecting ------------------------------------------------------

  select(selection, focusInspector = false) {
    this.selection = selection;
    this.render();
    this.renderInspector();
    if (focusInspector) {
      const first = this.inspector.querySelector("input, select");
      if (first) first.focus();
    }
  }

  onPointerDown(event, node) {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    const key = node.dataset.stepKey;
    if (this.connectFrom) {
      this.finishConnect(key);
      return;
    }
    const step = this.step(key);
    const origin = { x: event.clientX, y: event.clientY, stepX: step.x, stepY: step.y };
    let moved = false;
    node.setPointerCapture(event.pointerId);
    if (!(this.selection && this.selection.type === "step" && this.selection.key === key)) {
      this.select({ type: "step", key });
    }
    const move = (moveEvent) => {
      const dx = moveEvent.clientX - origin.x;
      const dy = moveEvent.clientY - origin.y;
      if (!moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      moved = true;
      this.dragging = true;
      this.canvas.classList.add("is-dragging");
      step.x = Math.max(0, Math.round(origin.stepX + dx));
      step.y = Math.max(0, Math.round(origin.stepY + dy));
      node.setAttribute("transform", `translate(${step.x},${step.y})`);
      node.dataset.x = String(step.x);
      node.dataset.y = String(step.y);
      this.renderEdges();
    };
    const up = () => {
      node.removeEventListener("pointermove", move);
      node.removeEventListener("pointerup", up);
      node.removeEventListener("pointercancel", up);
      this.dragging = false;
      this.canvas.classList.remove("is-dragging");
      if (moved) {
        this.changed();
        this.render();
      }
      node.focus({ preventScroll: true });
    };
    node.addEventListener("pointermove", move);
    node.addEventListener("pointerup", up);
    node.addEventListener("pointercancel", up);
  }

  onKey(event) {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (typing) return;
    if (event.key === "Escape") {
      this.cancelConnect();
      this.select(null);
      return;
    }
    const key = event.target.dataset ? event.target.dataset.stepKey : undefined;
    if (!key) return;
    const step = this.step(key);
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (this.connectFrom) this.finishConnect(key);
      else this.select({ type: "step", key }, true);
      return;
    }
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[event.key]) {
      event.preventDefault();
      const distance = event.shiftKey ? 32 : 8;
      step.x = Math.max(0, step.x + moves[event.key][0] * distance);
      step.y = Math.max(0, step.y + moves[event.key][1] * distance);
      this.changed();
      this.render();
    } else if (event.key === "Delete") {
      event.preventDefault();
      this.deleteStep(key);
    }
  }

  startConnect(key, condition) {
    this.connectFrom = key;
    this.connectCondition = condition;
    this.canvas.classList.add("is-connecting");
    this.render();
    this.renderInspector();
  }

  cancelConnect() {
    if (!this.connectFrom) return;
    this.connectFrom = null;
    this.canvas.classList.remove("is-connecting");
    this.render();
    this.renderInspector();
  }

  finishConnect(targetKey) {
    const source = this.connectFrom;
    const condition = this.connectCondition;
    this.connectFrom = null;
    this.canvas.classList.remove("is-connecting");
    if (targetKey === source) {
      this.select({ type: "step", key: source });
      return;
    }
    // One arrow per pair of steps in the drawing: drawing it again selects the one that is there.
    const existing = this.edges.findIndex((edge) => edge.source === source && edge.target === targetKey);
    if (existing >= 0) {
      this.say("info", ["That arrow is drawn already: change its condition here."]);
      this.select({ type: "edge", index: existing });
      return;
    }
    this.edges.push({ source, target: targetKey, condition });
    this.changed();
    this.select({ type: "edge", index: this.edges.length - 1 });
  }

  // --- Changing the graph ---------------------------------------------------------------------

  addStep(name, kind) {
    // Next to the selected step (the usual "and then"), else below the drawing.
    const { row, column, margin, node_width: width, node_height: height } = this.layout;
    const anchor = this.selection && this.selection.type === "step" ? this.step(this.selection.key) : null;
    let x;
    let y;
    if (anchor) {
      [x, y] = [anchor.x + column, anchor.y];
    } else {
      x = Math.round(this.canvas.scrollLeft + margin);
      y = Math.max(margin - row, ...this.steps.map((step) => step.y)) + row;
    }
    const taken = (top) => this.steps.some((step) => Math.abs(step.x - x) < width && Math.abs(step.y - top) < height);
    while (taken(y)) y += row;
    this.newSteps += 1;
    const step = { key: `new-${this.newSteps}`, id: null, name, kind, x, y, url: "" };
    this.steps.push(step);
    this.changed();
    this.select({ type: "step", key: step.key });
    const node = this.nodes.get(step.key);
    if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  deleteStep(key) {
    this.steps = this.steps.filter((step) => step.key !== key);
    this.edges = this.edges.filter((edge) => edge.source !== key && edge.target !== key);
    this.changed();
    this.select(null);
  }

  deleteEdge(index) {
    this.edges.splice(index, 1);
    this.changed();
    this.select(null);
  }

  changed() {
    this.dirty = true;
    this.dirtyNote.textContent = "Unsaved changes";
  }

  // --- The side panel ---------------------------------------------------------------------------

  renderInspector() {
    const panel = this.inspector;
    panel.replaceChildren();
    if (this.connectFrom) {
      const source = this.step(this.connectFrom);
      const condition = this.conditionOf[this.connectCondition] || { label: this.connectCondition };
      const cancel = html("button", { className: "btn btn-sm btn-outline-secondary", type: "button", text: "Cancel" });
      cancel.addEventListener("click", () => this.cancelConnect());
      panel.append(
        html("p", { className: "small mb-0 align-self-center flow-connect-hint" }, [
          document.createTextNode("Click the step that "),
          html("strong", { text: `“${source ? source.name : ""}”` }),
          document.createTextNode(` leads to (${condition.label.toLowerCase()}). Esc cancels.`),
        ]),
        cancel,
      );
      return;
    }
    if (!this.selection) {
      panel.append(
        html("p", {
          className: "small text-body-secondary mb-0 align-self-center",
          text:
            "Drag steps to move them. Select a step to rename it, change its kind, draw an arrow from it " +
            "or delete it; select an arrow to change its condition or delete it.",
        }),
      );
      return;
    }
    if (this.selection.type === "step") this.stepPanel(this.step(this.selection.key));
    else this.edgePanel(this.selection.index);
  }

  stepPanel(step) {
    if (!step) return;
    const name = html("input", { className: "form-control form-control-sm", type: "text", maxlength: 200 });
    name.value = step.name;
    name.addEventListener("input", () => {
      step.name = name.value;
      this.changed();
      this.render();
    });
    const condition = options(
      html("select", { className: "form-select form-select-sm" }),
      this.conditions,
      this.defaultCondition(step),
    );
    const kind = options(html("select", { className: "form-select form-select-sm" }), this.kinds, step.kind);
    kind.addEventListener("change", () => {
      step.kind = kind.value;
      condition.value = this.defaultCondition(step);
      this.changed();
      this.render();
    });
    const connect = html("button", { className: "btn btn-sm btn-outline-primary", type: "button", text: "Connect to…" });
    connect.addEventListener("click", () => this.startConnect(step.key, condition.value));
    const remove = html("button", { className: "btn btn-sm btn-outline-danger", type: "button", text: "Delete step" });
    remove.addEventListener("click", () => this.deleteStep(step.key));
    this.inspector.append(
      field("flow-step-name", "Step name", name),
      field("flow-step-kind", "Step kind", kind),
      html("div", { className: "vr mx-1 d-none d-md-block" }),
      field("flow-connect-condition", "New arrow from this step", condition),
      connect,
      remove,
    );
    if (step.url) {
      this.inspector.append(
        html("a", { className: "small ms-auto align-self-center", href: step.url, text: "Open the step’s page" }),
      );
    }
  }

  edgePanel(index) {
    const edge = this.edges[index];
    if (!edge) return;
    const source = this.step(edge.source);
    const target = this.step(edge.target);
    const condition = options(html("select", { className: "form-select form-select-sm" }), this.conditions, edge.condition);
    condition.addEventListener("change", () => {
      edge.condition = condition.value;
      this.changed();
      this.render();
    });
    const remove = html("button", { className: "btn btn-sm btn-outline-danger", type: "button", text: "Delete arrow" });
    remove.addEventListener("click", () => this.deleteEdge(index));
    this.inspector.append(
      html("div", { className: "small align-self-center" }, [
        html("span", { className: "text-body-secondary", text: "Arrow " }),
        html("strong", { text: `${source.name} → ${target.name}` }),
      ]),
      field("flow-edge-condition", "Condition", condition),
      remove,
    );
  }

  defaultCondition(step) {
    // The server says which kinds route on the inspection result; their arrows usually start as "on pass".
    const kind = this.kindOf[step.kind];
    return kind && kind.routes_on_result ? "pass" : "always";
  }

  // --- Saving -------------------------------------------------------------------------------

  say(level, messages, heading = "") {
    const alert = html("div", { className: `alert alert-${level} py-2 small` });
    if (heading) alert.append(html("div", { className: "fw-semibold", text: heading }));
    if (messages.length === 1 && !heading) alert.append(document.createTextNode(messages[0]));
    else alert.append(html("ul", { className: "mb-0" }, messages.map((text) => html("li", { text }))));
    this.status.replaceChildren(alert);
  }

  async save() {
    if (this.saving) return;
    this.saving = true;
    this.saveButton.disabled = true;
    this.saveButton.textContent = "Saving…";
    const body = {
      steps: this.steps.map(({ key, id, name, kind, x, y }) => ({ key, id, name, kind, x, y })),
      edges: this.edges.map(({ source, target, condition }) => ({ source, target, condition })),
    };
    try {
      const response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(this.root),
          "X-Requested-With": "XMLHttpRequest",
        },
        body: JSON.stringify(body),
      });
      let payload = null;
      try {
        payload = await response.json();
      } catch (error) {
        payload = null;
      }
      if (response.ok && payload && payload.graph) {
        this.saved(payload);
      } else {
        const errors = payload && payload.errors ? Object.values(payload.errors).flat() : [];
        this.say(
          "danger",
          errors.length ? errors : [`The server refused the flow (${response.status}).`],
          "Nothing was saved. Your drawing is kept as it is:",
        );
      }
    } catch (error) {
      this.say("danger", ["The server could not be reached. Nothing was saved; your drawing is kept."]);
    } finally {
      this.saving = false;
      this.saveButton.disabled = false;
      this.saveButton.textContent = "Save flow";
    }
  }

  saved(payload) {
    const keys = payload.keys || {};
    let selection = this.selection;
    if (selection && selection.type === "step" && keys[selection.key] !== undefined) {
      selection = { type: "step", key: String(keys[selection.key]) };
    } else if (selection && selection.type === "edge") {
      selection = null;
    }
    for (const [key, node] of this.nodes) {
      node.remove();
      this.nodes.delete(key);
    }
    this.load(payload.graph);
    this.dirty = false;
    this.dirtyNote.textContent = "";
    for (const problems of document.querySelectorAll("[data-flow-problems]")) problems.hidden = true;
    this.say("success", [payload.message || "Saved."]);
    this.select(selection && this.step(selection.key) ? selection : null);
  }
}

for (const root of document.querySelectorAll("[data-process-flow-editor]")) {
  const source = document.getElementById(root.dataset.graphId);
  if (source) new FlowEditor(root, JSON.parse(source.textContent));
}
