"""Depth and cost of a query, measured after validation with the variables known.

Cost counts the objects an answer may hold: every object field costs the number
of times it can appear, a connection multiplies what is below it by its page
size, a plain list by LIST_FACTOR. Scalars are free. Introspection fields are
not measured (introspection is switched on or off as a whole)."""

from django.conf import settings
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    is_list_type,
    is_non_null_type,
)

from api.errors import ApiError, ErrorCode
from api.pagination import default_page_size

LIST_FACTOR = 10


def max_depth():
    return settings.GRAPHQL_MAX_DEPTH


def max_cost():
    return settings.GRAPHQL_MAX_COST


def _int_argument(node, name, variables):
    for argument in node.arguments or ():
        if argument.name.value != name:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            found = (variables or {}).get(value.name.value)
            return found if isinstance(found, int) and not isinstance(found, bool) else None
    return None


class _Measure:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.depth = 0
        self.cost = 0

    def selection_set(self, selection_set, parent_type, depth, multiplier, seen=frozenset(), page=None):
        # A value has one concrete type: fragments on different types cost the most
        # expensive of them, not their sum.
        by_type = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent_type, depth, multiplier, seen, page)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner, names = selection.type_condition, selection.selection_set, seen
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or selection.name.value in seen:
                    continue
                condition, inner, names = fragment.type_condition, fragment.selection_set, seen | {selection.name.value}
            else:
                continue
            type_ = (self.schema.get_type(condition.name.value) if condition else None) or parent_type
            before = self.cost
            self.selection_set(inner, type_, depth, multiplier, names, page)
            spent, self.cost = self.cost - before, before
            by_type[type_.name] = by_type.get(type_.name, 0) + spent
        self.cost += max(by_type.values(), default=0)

    def field(self, node, parent_type, depth, multiplier, seen, page=None):
        name = node.name.value
        if name.startswith("__"):
            return
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(name)
        if definition is None:
            return
        depth += 1
        self.depth = max(self.depth, depth)
        return_type = definition.type
        if is_non_null_type(return_type):
            return_type = return_type.of_type
        named = get_named_type(return_type)
        if not is_composite_type(named) or node.selection_set is None:
            return
        inner_page = None
        if "first" in definition.args:
            # The connection object once; its edges once per row of the page.
            size = _int_argument(node, "first", self.variables) or _int_argument(node, "last", self.variables)
            inner, inner_page = multiplier, multiplier * (size if size is not None else default_page_size())
        elif name == "edges" and page is not None:
            inner = page
        elif is_list_type(return_type):
            inner = multiplier * LIST_FACTOR
        else:
            inner = multiplier
        self.cost += inner
        self.selection_set(node.selection_set, named, depth, inner, seen, inner_page)


def check(schema, document, operation_node, variables):
    """Refuse an operation deeper or costlier than the settings allow."""
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    root = schema.get_root_type(operation_node.operation)
    measured = _Measure(schema, fragments, variables)
    if root is not None:
        measured.selection_set(operation_node.selection_set, root, 0, 1)
    if measured.depth > max_depth():
        raise ApiError(ErrorCode.QUERY_TOO_DEEP, f"query depth {measured.depth} exceeds the maximum of {max_depth()}")
    if measured.cost > max_cost():
        raise ApiError(ErrorCode.QUERY_TOO_COSTLY, f"query cost {measured.cost} exceeds the maximum of {max_cost()}")
    return measured.depth, measured.cost
