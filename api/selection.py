"""Which fields a query selects below the current one, so a resolver loads a
relation only when it is asked for (fragments and inline fragments followed).

The answer depends on the field's nodes and the document's fragments alone, and
documents are parsed once per process (api.execution.prepare): it is worked out
once per field of a document and kept (a change page walks its union's eight
fragments on every request otherwise)."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

MAX_KEPT = 1024  # fields kept; a full memo starts over
_kept = {}  # ids of the field's nodes -> (the nodes, the fragments, the paths)


def _paths(selection_set, fragments, prefix, out, seen):
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            path = f"{prefix}{selection.name.value}"
            out.add(path)
            _paths(selection.selection_set, fragments, path + ".", out, seen)
        elif isinstance(selection, InlineFragmentNode):
            _paths(selection.selection_set, fragments, prefix, out, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _paths(fragment.selection_set, fragments, prefix, out, seen | {selection.name.value})


def selected(info):
    """Dotted paths of the fields selected below the resolved field ("edges.node.item"), a frozenset."""
    nodes, fragments = info.field_nodes, info.fragments
    key = tuple(map(id, nodes))
    kept = _kept.get(key)
    # The entry holds the nodes and fragments, so their ids are not reused while it lives.
    if kept is not None and _same(kept[0], nodes) and _same_fragments(kept[1], fragments):
        return kept[2]
    out = set()
    for node in nodes:
        _paths(node.selection_set, fragments, "", out, frozenset())
    out = frozenset(out)
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    _kept[key] = (tuple(nodes), dict(fragments), out)
    return out


def _same(kept, nodes):
    return len(kept) == len(nodes) and all(a is b for a, b in zip(kept, nodes))


def _same_fragments(kept, fragments):
    # Built afresh for each request from the same parsed document: the same nodes.
    return len(kept) == len(fragments) and all(fragments.get(name) is node for name, node in kept.items())
