"""Which fields a query selects below the current one, so a resolver loads a
relation only when it is asked for (fragments and inline fragments followed)."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


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
    """Dotted paths of the fields selected below the resolved field ("edges.node.item")."""
    out = set()
    for node in info.field_nodes:
        _paths(node.selection_set, info.fragments, "", out, frozenset())
    return out
