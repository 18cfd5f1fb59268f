"""Which fields a query selects below the current one, so a resolver loads a
relation only when it is asked for (fragments and inline fragments followed).

The answer depends on the field's nodes and the document's fragments alone, and
documents are parsed once per process (api.execution.prepare): it is worked out
once per field of a document and kept (a change page walks its union's eight
fragments on every request otherwise)."""

from api.memos import ByIdentity
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

MAX_KEPT = 1024  # fields kept; a full memo starts over
_kept = ByIdentity(MAX_KEPT)  # the field's nodes and the document's fragments -> the paths


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
    # The fragments dict is built afresh for each request from the same parsed document: its nodes are the same.
    return _kept.get_or_compute((*nodes, *fragments.values()), lambda: _selected(nodes, fragments))


def _selected(nodes, fragments):
    out = set()
    for node in nodes:
        _paths(node.selection_set, fragments, "", out, frozenset())
    return frozenset(out)
