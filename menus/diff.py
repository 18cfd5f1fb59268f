"""Node-by-node differences of two menu trees, matched by node uid: added, removed,
renamed, moved (re-parented, or reordered among the siblings both versions share),
retargeted (what the node does), and other attribute changes."""

from bisect import bisect_left
from dataclasses import dataclass, field

from menus.tree import segment, walk

TARGET_FIELDS = ("type", "command", "reply_template", "url", "event_key", "miniprogram", "article", "shelf_kind", "family")
OTHER_FIELDS = ("key", "brands", "hidden", "valid", "inherit")
KINDS = ("added", "removed", "renamed", "moved", "retargeted", "changed")


@dataclass(frozen=True)
class NodeChange:
    kind: str
    uid: str
    key: str
    name: str
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    def as_dict(self):
        return {"kind": self.kind, "uid": self.uid, "key": self.key, "name": self.name,
                "before": self.before, "after": self.after}


@dataclass
class MenuDiff:
    changes: list

    def of_kind(self, kind):
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self):
        return {kind: len(self.of_kind(kind)) for kind in KINDS}

    def __bool__(self):
        return bool(self.changes)

    def __iter__(self):
        return iter(self.changes)

    def __len__(self):
        return len(self.changes)


def _index(nodes):
    """uid -> (node, parent uid, position among siblings)."""
    out = {}
    for node, _, parent in walk(nodes):
        out[node["uid"]] = (node, parent["uid"] if parent else None)
    return out


def _children_order(nodes):
    """parent uid -> [child uids in order]."""
    out = {None: [n["uid"] for n in nodes]}
    for node, _, _ in walk(nodes):
        out[node["uid"]] = [c["uid"] for c in node.get("children") or []]
    return out


def _longest_increasing(positions):
    """Indexes (into ``positions``) of one longest strictly increasing subsequence."""
    tails, tails_at, previous = [], [], [None] * len(positions)
    for i, value in enumerate(positions):
        j = bisect_left(tails, value)
        if j == len(tails):
            tails.append(value)
            tails_at.append(i)
        else:
            tails[j] = value
            tails_at[j] = i
        previous[i] = tails_at[j - 1] if j else None
    keep, i = set(), tails_at[-1] if tails_at else None
    while i is not None:
        keep.add(i)
        i = previous[i]
    return keep


def _reordered(before_order, after_order, parent, common):
    """Children of ``parent`` that moved among the siblings present in both versions:
    the fewest nodes whose moving explains the new order."""
    old = [uid for uid in before_order.get(parent, []) if uid in common]
    new = [uid for uid in after_order.get(parent, []) if uid in common]
    if old == new:
        return set()
    rank = {uid: i for i, uid in enumerate(old)}
    positions = [rank[uid] for uid in new]
    keep = _longest_increasing(positions)
    return {uid for i, uid in enumerate(new) if i not in keep}


def _target(node):
    return {f: node.get(f) for f in TARGET_FIELDS if node.get(f) not in (None, "", [])}


def diff_trees(before, after):
    old, new = _index(before), _index(after)
    before_order, after_order = _children_order(before), _children_order(after)
    changes = []
    for uid, (node, _) in old.items():
        if uid not in new:
            changes.append(NodeChange("removed", uid, node["key"], node["name"], before={"key": node["key"]}))
    moved_in_place = set()
    parents_checked = set()
    for uid, (node, parent) in new.items():
        if uid not in old:
            changes.append(NodeChange("added", uid, node["key"], node["name"], after={"key": node["key"]}))
            continue
        was, was_parent = old[uid]
        if was["name"] != node["name"]:
            changes.append(NodeChange("renamed", uid, node["key"], node["name"], {"name": was["name"]},
                                      {"name": node["name"]}))
        if was_parent != parent:
            changes.append(NodeChange("moved", uid, node["key"], node["name"], {"parent": _key_of(old, was_parent)},
                                      {"parent": _key_of(new, parent)}))
        else:
            if parent not in parents_checked:
                parents_checked.add(parent)
                common = {u for u in after_order.get(parent, []) if u in old and old[u][1] == parent}
                moved_in_place |= _reordered(before_order, after_order, parent, common)
            if uid in moved_in_place:
                changes.append(NodeChange("moved", uid, node["key"], node["name"],
                                          {"position": before_order[parent].index(uid) + 1},
                                          {"position": after_order[parent].index(uid) + 1}))
        if _target(was) != _target(node):
            changes.append(NodeChange("retargeted", uid, node["key"], node["name"], _target(was), _target(node)))
        # The key compared is the node's own: a path that changed with a move is the move.
        other = {f: (_own(was, f), _own(node, f)) for f in OTHER_FIELDS if _own(was, f) != _own(node, f)}
        if other:
            changes.append(NodeChange("changed", uid, node["key"], node["name"], {f: v[0] for f, v in other.items()},
                                      {f: v[1] for f, v in other.items()}))
    changes.sort(key=lambda c: (_sort_key(c.key), KINDS.index(c.kind)))
    return MenuDiff(changes)


def _own(node, name):
    return segment(node.get("key") or "") if name == "key" else node.get(name)


def _key_of(index, uid):
    return index[uid][0]["key"] if uid in index else None


def _sort_key(key):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(key).split(".")]
