"""The one shape of a menu tree everywhere: nested node dicts (the published
snapshot, the validator's input, the API's output), built from draft rows in one
query, merged with brand variants and narrowed to what an audience is served.

A node dict carries ``key`` as the full dotted path ("1.2.3"); the last segment
is what the customer types on SMS. Template, account and article references are
codes, so a snapshot reads without further queries."""

import hashlib
import json
import uuid
from collections import defaultdict

from content.errors import RecordError

NODE_DEFAULTS = {
    "uid": None,
    "key": "",
    "name": "",
    "order": 0,
    "type": "",
    "brands": [],
    "hidden": False,
    "valid": True,
    "inherit": False,
    "command": "",
    "reply_template": None,
    "url": "",
    "event_key": "",
    "miniprogram": None,
    "article": None,
    "shelf_kind": "",
    "family": "",
}

ROW_FIELDS = (
    "id",
    "parent_id",
    "uid",
    "key",
    "name",
    "order",
    "type",
    "brands",
    "hidden",
    "valid",
    "inherit",
    "command",
    "url",
    "event_key",
    "pagepath",
    "reply_template__code",
    "miniprogram_account__code",
    "miniprogram_account__app_id",
    "article__code",
    "shelf_kind",
    "family",
)


def segment(key):
    """The node's own key at its level ("3" of "1.2.3")."""
    return str(key).rsplit(".", 1)[-1]


def join_key(parent_key, own_key):
    return f"{parent_key}.{own_key}" if parent_key else str(own_key)


def load_rows(menu):
    """All draft rows of a menu, sibling-ordered, in one query."""
    from menus.models import MenuNode

    return list(MenuNode.objects.filter(menu=menu).order_by("order", "id").values(*ROW_FIELDS))


def node_from_row(row, path, *, with_ids=False):
    miniprogram = None
    if row["miniprogram_account__code"] or row["pagepath"]:
        miniprogram = {
            "account": row["miniprogram_account__code"],
            "app_id": row["miniprogram_account__app_id"] or "",
            "pagepath": row["pagepath"],
        }
    node = {
        "uid": str(row["uid"]),
        "key": path,
        "name": row["name"],
        "order": row["order"],
        "type": row["type"],
        "brands": list(row["brands"] or []),
        "hidden": row["hidden"],
        "valid": row["valid"],
        "inherit": row["inherit"],
        "command": row["command"],
        "reply_template": row["reply_template__code"],
        "url": row["url"],
        "event_key": row["event_key"],
        "miniprogram": miniprogram,
        "article": row["article__code"],
        "shelf_kind": row["shelf_kind"],
        "family": row["family"],
        "children": [],
    }
    if with_ids:
        node["id"] = row["id"]
        node["parent_id"] = row["parent_id"]
    return node


def build_tree(rows, *, with_ids=False):
    """Nest rows by parent and order. Rows no root reaches (a cycle, or a parent
    in another menu) come back as errors naming the node and ``parent``."""
    by_parent = defaultdict(list)
    for row in rows:
        by_parent[row["parent_id"]].append(row)
    roots = []
    reached = set()
    # Iterative, so a pathological depth cannot exhaust the interpreter stack.
    stack = [(row, "", roots) for row in reversed(by_parent.get(None, []))]
    while stack:
        row, parent_path, siblings = stack.pop()
        reached.add(row["id"])
        node = node_from_row(row, join_key(parent_path, row["key"]), with_ids=with_ids)
        siblings.append(node)
        for child in reversed(by_parent.get(row["id"], [])):
            if child["id"] not in reached:
                stack.append((child, node["key"], node["children"]))
    errors = [
        RecordError(record=row["key"] or f"#{row['id']}", field="parent", message="节点不在菜单树中(循环或上级不存在)",
                    code="cycle")
        for row in rows
        if row["id"] not in reached
    ]
    return roots, errors


def draft_tree(menu):
    """The draft as nested node dicts (one query)."""
    roots, _ = build_tree(load_rows(menu))
    return roots


def walk(nodes, depth=1, parent=None):
    """Depth-first (node, depth, parent) over nested nodes."""
    stack = [(n, depth, parent) for n in reversed(nodes)]
    while stack:
        node, level, up = stack.pop()
        yield node, level, up
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((c, level + 1, node) for c in reversed(children))


def count_nodes(nodes):
    return sum(1 for _ in walk(nodes))


def tree_hash(nodes):
    payload = json.dumps(nodes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# Deeper than any channel allows; normalising stops here so that absurd input
# cannot run away (the validator reports the depth).
NORMALISE_DEPTH = 16


def normalise(nodes, *, keep_order=False, _depth=1):
    """Node dicts from any source (legacy export, API input) in the snapshot shape,
    sibling order from list position unless ``keep_order``. Values keep their type
    so the validator can refuse what is wrong instead of it being coerced away."""
    out = []
    if not isinstance(nodes, list):
        return out
    for index, raw in enumerate(nodes):
        if not isinstance(raw, dict):
            raw = {"name": raw}
        node = {field: raw.get(field, default) for field, default in NODE_DEFAULTS.items()}
        for field in ("command", "url", "event_key", "shelf_kind", "family"):
            if node[field] is None:
                node[field] = ""
        if node["brands"] is None:
            node["brands"] = []
        if node["valid"] is None:
            node["valid"] = True
        if node["hidden"] is None:
            node["hidden"] = False
        if isinstance(node["key"], int):
            node["key"] = str(node["key"])
        mini = raw.get("miniprogram")
        node["miniprogram"] = (
            {"account": mini.get("account"), "app_id": mini.get("app_id", ""), "pagepath": mini.get("pagepath") or ""}
            if isinstance(mini, dict)
            else None
        )
        if not keep_order or not isinstance(node["order"], int):
            node["order"] = index
        children = raw.get("children") or []
        if not isinstance(children, list):
            node["children"] = children
        elif _depth < NORMALISE_DEPTH:
            node["children"] = normalise(children, keep_order=keep_order, _depth=_depth + 1)
        else:
            node["children"] = []
        out.append(node)
    return out


def assign_uids(nodes, known):
    """Give each node the uid it had at the same key (``known``: key -> uid), or a new one."""
    for node, _, _ in walk(nodes):
        node["uid"] = known.get(node["key"]) or node.get("uid") or str(uuid.uuid4())


def uids_by_key(nodes):
    return {node["key"]: node["uid"] for node, _, _ in walk(nodes) if node.get("uid")}


def merge_variant(base, variant):
    """The tree a brand sees: variant nodes override the base node of the same key
    in its place (``inherit`` nodes keep the base's attributes), new keys follow the
    base's nodes, the rest of the base is kept. An override that is not a submenu
    replaces the subtree."""
    by_key = {node["key"]: node for node in variant}
    merged = []
    for base_node in base:
        override = by_key.pop(base_node["key"], None)
        if override is None:
            merged.append(base_node)
            continue
        if override.get("inherit"):
            node = {**base_node, "inherit": False}
            node["children"] = merge_variant(base_node.get("children") or [], override.get("children") or [])
        else:
            node = {**override}
            base_children = base_node.get("children") or [] if override.get("type") == "submenu" else []
            node["children"] = merge_variant(base_children, override.get("children") or [])
        merged.append(node)
    # Added nodes follow the base's, in their own order; an inherit placeholder
    # without a base node stays flagged for the validator.
    for node in sorted(by_key.values(), key=lambda n: n.get("order") or 0):
        merged.append({**node, "children": merge_variant([], node.get("children") or [])})
    return [{**node, "order": position} for position, node in enumerate(merged)]


def served(nodes, brand_code=None, *, include_hidden=False):
    """What a caller of ``brand_code`` is served: valid nodes, not hidden (unless
    asked), restricted to the brand (a caller of unknown brand gets only nodes
    for every brand)."""
    out = []
    for node in nodes:
        if not node.get("valid", True):
            continue
        if node.get("hidden") and not include_hidden:
            continue
        brands = node.get("brands") or []
        if brands and (brand_code is None or brand_code not in brands):
            continue
        copy = {k: v for k, v in node.items() if k != "inherit"}
        copy["children"] = served(node.get("children") or [], brand_code, include_hidden=include_hidden)
        out.append(copy)
    return out
