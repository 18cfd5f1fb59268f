// Menu tree editor. Holds the draft rows in memory, renders only expanded levels
// (a 2,000-node menu opens with its top level), and sends each edit to the server,
// which answers with the changed rows and the current channel-rule violations.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("menu-editor-data").textContent);
  const rows = new Map(data.rows.map((r) => [r.id, r]));
  const tree = document.getElementById("menu-tree");
  const form = document.getElementById("node-form");
  const summary = document.getElementById("violations-summary");
  const filterInput = document.getElementById("tree-filter");
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const expanded = new Set();
  let violations = data.violations;
  let selected = null;
  let index = null;

  // -- model ---------------------------------------------------------------
  function buildIndex() {
    const children = new Map();
    for (const row of rows.values()) {
      const list = children.get(row.parent_id) || [];
      list.push(row);
      children.set(row.parent_id, list);
    }
    for (const list of children.values()) list.sort((a, b) => a.order - b.order || a.id - b.id);
    const path = new Map();
    const byPath = new Map();
    const stack = (children.get(null) || []).map((r) => [r, ""]);
    while (stack.length) {
      const [row, prefix] = stack.pop();
      const key = prefix ? prefix + "." + row.key : row.key;
      path.set(row.id, key);
      if (!byPath.has(key)) byPath.set(key, []);
      byPath.get(key).push(row.id);
      for (const child of children.get(row.id) || []) stack.push([child, key]);
    }
    const own = new Map();
    const below = new Map();
    for (const v of violations) {
      own.set(v.record, (own.get(v.record) || []).concat([v]));
      const parts = String(v.record).split(".");
      for (let i = 1; i < parts.length; i++) {
        const up = parts.slice(0, i).join(".");
        below.set(up, (below.get(up) || 0) + 1);
      }
    }
    return { children, path, byPath, own, below };
  }

  function childrenOf(id) {
    return index.children.get(id) || [];
  }

  // -- rendering -----------------------------------------------------------
  // A violation names the field by its label (短信指令, 链接…), never by its code name.
  function fieldLabel(v) {
    return data.field_labels[v.field] || v.field;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function matchesFilter() {
    const q = filterInput.value.trim().toLowerCase();
    if (!q) return null;
    const show = new Set();
    for (const row of rows.values()) {
      const hay = (index.path.get(row.id) + " " + row.name + " " + row.command).toLowerCase();
      if (hay.includes(q)) {
        let current = row;
        while (current && !show.has(current.id)) {
          show.add(current.id);
          current = rows.get(current.parent_id);
        }
      }
    }
    return show;
  }

  function renderNode(row, visible) {
    const key = index.path.get(row.id);
    const kids = childrenOf(row.id).filter((c) => !visible || visible.has(c.id));
    const open = visible ? kids.length > 0 : expanded.has(row.id);
    const li = el("li", { role: "treeitem", "data-id": row.id, "data-key": key, "aria-expanded": String(open) });
    const line = el("div", { class: "menus-node" + (row.id === selected ? " is-selected" : "") + (row.hidden ? " is-hidden" : "") });
    const toggle = el("button", { type: "button", class: "menus-node__toggle", "data-toggle": row.id, "aria-label": "展开或折叠" },
      childrenOf(row.id).length ? (open ? "▾" : "▸") : "·");
    line.append(toggle, el("span", { class: "menus-node__key" }, key), el("span", { class: "menus-node__name", "data-select": row.id }, row.name));
    const typeLabel = data.type_labels[row.type] || row.type;
    line.append(el("span", { class: "menus-node__type" }, typeLabel + (row.command ? " " + row.command : "") + (row.family ? " " + row.family : "")));
    if (row.hidden) line.append(el("span", { class: "menus-badge" }, "隐藏"));
    if (!row.valid) line.append(el("span", { class: "menus-badge" }, "无效"));
    if (row.inherit) line.append(el("span", { class: "menus-badge" }, "沿用"));
    const mine = index.own.get(key) || [];
    const under = index.below.get(key) || 0;
    if (under && !open) line.append(el("span", { class: "menus-badge menus-badge--warn" }, "下级 " + under + " 处问题"));
    li.append(line);
    if (mine.length) {
      const list = el("ul", { class: "menus-node__violations", "data-violations-for": key });
      for (const v of mine) list.append(el("li", {}, fieldLabel(v) + ":" + v.message));
      li.append(list);
    }
    if (open && kids.length) {
      const ul = el("ul", { role: "group" });
      for (const child of kids) ul.append(renderNode(child, visible));
      li.append(ul);
    }
    return li;
  }

  function render() {
    index = buildIndex();
    const visible = matchesFilter();
    const fragment = document.createDocumentFragment();
    for (const row of childrenOf(null)) if (!visible || visible.has(row.id)) fragment.append(renderNode(row, visible));
    tree.replaceChildren(fragment);
    document.getElementById("node-count").textContent = rows.size + " 个节点";
    renderSummary();
    renderForm();
  }

  function renderSummary() {
    summary.replaceChildren();
    if (!violations.length) {
      summary.append(el("p", { class: "menus-ok" }, "符合渠道规则,可以发布"));
      return;
    }
    summary.append(el("p", { class: "menus-warn" }, violations.length + " 处不符合渠道规则(发布时整棵树会被拒绝)"));
    const list = el("ul");
    for (const v of violations.slice(0, 50)) {
      const item = el("li", {}, "");
      const link = el("a", { href: "#", "data-goto": v.record }, v.record);
      item.append(link, document.createTextNode(" " + fieldLabel(v) + ":" + v.message));
      list.append(item);
    }
    summary.append(list);
  }

  function setField(name, value) {
    if (name === "brands") {
      for (const box of form.querySelectorAll("input[name=brands]")) box.checked = (value || []).includes(box.value);
      return;
    }
    const input = form.elements[name];
    if (!input) return;
    if (input.type === "checkbox") input.checked = !!value;
    else input.value = value == null ? "" : value;
  }

  function renderForm() {
    const row = rows.get(selected);
    form.hidden = !row;
    if (!row) return;
    const key = index.path.get(row.id);
    document.getElementById("node-form-title").textContent = key + " " + row.name;
    if (form.dataset.shown !== String(row.id)) {
      for (const f of ["key", "name", "type", "brands", "hidden", "valid", "inherit", "command", "reply_template", "url",
        "event_key", "miniprogram_account", "pagepath", "article", "shelf_kind", "family"]) setField(f, row[f]);
      form.dataset.shown = String(row.id);
      clearErrors();
    }
    form.querySelector("[data-action=toggle-hidden]").textContent = row.hidden ? "取消隐藏" : "隐藏";
    showTypeFields();
    const list = document.getElementById("node-violations");
    list.replaceChildren(...(index.own.get(key) || []).map((v) => el("li", { "data-field": v.field }, fieldLabel(v) + ":" + v.message)));
    const parentSelect = form.elements.move_parent;
    parentSelect.replaceChildren(el("option", { value: "" }, "(顶层)"));
    for (const candidate of rows.values()) {
      if ((candidate.type === "submenu" || candidate.type === "category") && candidate.id !== row.id) {
        const option = el("option", { value: candidate.id }, index.path.get(candidate.id) + " " + candidate.name);
        parentSelect.append(option);
      }
    }
    parentSelect.value = row.parent_id == null ? "" : String(row.parent_id);
    for (const part of form.querySelectorAll("[data-editable]")) part.hidden = !data.editable;
  }

  function showTypeFields() {
    const type = form.elements.type.value;
    for (const part of form.querySelectorAll("[data-for-types]")) part.hidden = !part.dataset.forTypes.split(" ").includes(type);
  }

  function clearErrors() {
    for (const p of form.querySelectorAll("[data-error]")) p.textContent = "";
  }

  function showErrors(errors) {
    clearErrors();
    for (const [field, messages] of Object.entries(errors || {})) {
      const p = form.querySelector('[data-error="' + field + '"]') || form.querySelector('[data-error="__all__"]');
      p.textContent = [].concat(messages).join(" ");
    }
  }

  // -- server ----------------------------------------------------------------
  async function send(body) {
    const response = await fetch(data.ops_url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!answer.ok) {
      if (!rows.get(selected)) alert(Object.values(answer.errors || {}).flat().join("\n"));
      showErrors(answer.errors);
      return null;
    }
    for (const row of answer.rows) rows.set(row.id, row);
    for (const id of answer.removed) rows.delete(id);
    violations = answer.violations;
    delete form.dataset.shown;
    return answer;
  }

  function formData() {
    const values = {};
    for (const f of ["key", "name", "type", "command", "reply_template", "url", "event_key", "miniprogram_account",
      "pagepath", "article", "shelf_kind", "family"]) values[f] = form.elements[f].value;
    for (const f of ["hidden", "valid", "inherit"]) if (form.elements[f]) values[f] = form.elements[f].checked;
    values.brands = Array.from(form.querySelectorAll("input[name=brands]:checked")).map((b) => b.value);
    return values;
  }

  async function addNode(parentId) {
    // Top level starts as a submenu; below, as the channel's first kind of leaf.
    const leaf = data.types.find((t) => t[0] !== "submenu");
    const type = parentId === null || !leaf ? "submenu" : leaf[0];
    const answer = await send({ op: "add", parent_id: parentId, data: { name: "新节点", type: type } });
    if (!answer) return;
    if (parentId !== null) expanded.add(parentId);
    selected = answer.rows[0].id;
    delete form.dataset.shown;
    render();
  }

  async function moveBy(delta) {
    const row = rows.get(selected);
    const siblings = childrenOf(row.parent_id);
    const at = siblings.findIndex((s) => s.id === row.id) + delta;
    if (at < 0 || at >= siblings.length) return;
    if (await send({ op: "move", id: row.id, parent_id: row.parent_id, position: at })) render();
  }

  function select(id) {
    selected = id;
    let up = rows.get(id) && rows.get(id).parent_id;
    while (up != null) {
      expanded.add(up);
      up = rows.get(up).parent_id;
    }
    render();
    const li = tree.querySelector('[data-id="' + id + '"]');
    if (li) li.scrollIntoView({ block: "nearest" });
  }

  // -- events ----------------------------------------------------------------
  tree.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      const id = Number(toggle.dataset.toggle);
      if (expanded.has(id)) expanded.delete(id);
      else expanded.add(id);
      render();
      return;
    }
    const line = event.target.closest("li[data-id]");
    if (line) select(Number(line.dataset.id));
  });
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("[data-goto]");
    if (!link) return;
    event.preventDefault();
    const ids = index.byPath.get(link.dataset.goto);
    if (ids) select(ids[0]);
  });
  filterInput.addEventListener("input", render);
  form.elements.type.addEventListener("change", showTypeFields);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await send({ op: "update", id: selected, data: formData() })) {
      delete form.dataset.shown;
      render();
    }
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !data.editable && !["expand-all", "collapse-all"].includes(button.dataset.action)) return;
    const row = rows.get(selected);
    switch (button.dataset.action) {
      case "add-root": return addNode(null);
      case "add-child": return row && addNode(row.id);
      case "expand-all":
        for (const r of rows.values()) if (r.type === "submenu") expanded.add(r.id);
        return render();
      case "collapse-all":
        expanded.clear();
        return render();
      case "toggle-hidden":
        if (row && await send({ op: "hide", id: row.id, hidden: !row.hidden })) render();
        return;
      case "up": return row && moveBy(-1);
      case "down": return row && moveBy(1);
      case "move": {
        if (!row) return;
        const parent = form.elements.move_parent.value;
        const position = form.elements.move_position.value;
        const answer = await send({ op: "move", id: row.id, parent_id: parent ? Number(parent) : null,
          position: position ? Number(position) - 1 : null });
        if (answer) select(row.id);
        return;
      }
      case "delete":
        if (row && confirm("删除节点 " + index.path.get(row.id) + " 及其下级节点?") && await send({ op: "delete", id: row.id })) {
          selected = null;
          render();
        }
        return;
      case "override": {
        const key = document.getElementById("override-key").value;
        const answer = await send({ op: "override", key: key });
        if (answer) {
          const ids = buildIndex().byPath.get(key);
          if (ids) select(ids[0]);
          else render();
        }
        return;
      }
    }
  });
  if (!data.editable) for (const b of document.querySelectorAll(".menus-toolbar [data-action=add-root], [data-action=override]")) b.hidden = true;
  render();
})();
