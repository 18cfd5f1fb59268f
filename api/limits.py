"""What a query may ask, measured after validation with the variables known:
depth, aliases, nodes (the values an answer may hold) and cost (the work its
resolvers may do).

Nodes count every field value the answer can hold: a field counts the number of
times it can appear, a connection multiplies what is below it by its page size,
a plain list by LIST_FACTOR. Cost counts the objects among them (1 each) plus
the weight of each expensive field, declared with ``weigh`` by the app that
defines it (a rich-text body, a channel rendition, a bundle document); other
scalars are free, as reading an attribute costs next to nothing. Introspection
fields are not measured (introspection is switched on or off as a whole).

The walk stops at the first limit exceeded, so a fragment or alias bomb costs
at most the limits' worth of steps to refuse."""

from django.conf import settings
from graphql.language import Visitor, visit

from api.errors import ApiError, ErrorCode
from api.pagination import default_page_size
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

LIST_FACTOR = 10

# (GraphQL type name, field name) -> cost of one value of the field.
_weights = {}


def weigh(node_type, field_name, weight):
    """Declare a field's cost per value (``node_type`` a graphene type or its name)."""
    name = node_type if isinstance(node_type, str) else node_type._meta.name
    _weights[(name, field_name)] = weight


def weights():
    """{"Type.field": weight} of the declared expensive fields."""
    return {f"{t}.{f}": w for (t, f), w in sorted(_weights.items())}


def max_depth():
    return settings.GRAPHQL_MAX_DEPTH


def max_cost():
    return settings.GRAPHQL_MAX_COST


def max_aliases():
    return settings.GRAPHQL_MAX_ALIASES


def max_nodes():
    return settings.GRAPHQL_MAX_NODES


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


class _Aliases(Visitor):
    def __init__(self):
        super().__init__()
        self.count = 0

    def enter_field(self, node, *_):
        if node.alias is not None:
            self.count += 1


def count_aliases(document):
    """Aliased fields in the whole document (fragments included, each counted once)."""
    counter = _Aliases()
    visit(document, counter)
    return counter.count


class _Measure:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.depth = 0
        self.cost = 0
        self.nodes = 0
        self.read = []  # the variables the walk read, in order: all the measure depends on

    def _int_argument(self, node, name):
        for argument in node.arguments or ():
            if argument.name.value == name and isinstance(argument.value, VariableNode):
                self.read.append(argument.value.name.value)
        return _int_argument(node, name, self.variables)

    def selection_set(self, selection_set, parent_type, depth, multiplier, seen=frozenset(), page=None):
        # A value has one concrete type: fragments on different types cost the most
        # expensive of them, not their sum. A fragment spread twice in one selection
        # is executed once (its fields merge), so it is measured once.
        by_type = {}
        spread = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent_type, depth, multiplier, seen, page)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner, names = selection.type_condition, selection.selection_set, seen
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen or name in spread:
                    continue
                spread.add(name)
                condition, inner, names = fragment.type_condition, fragment.selection_set, seen | {name}
            else:
                continue
            type_ = (self.schema.get_type(condition.name.value) if condition else None) or parent_type
            before = self.cost, self.nodes
            self.selection_set(inner, type_, depth, multiplier, names, page)
            spent = (self.cost - before[0], self.nodes - before[1])
            self.cost, self.nodes = before
            cost, nodes = by_type.get(type_.name, (0, 0))
            by_type[type_.name] = (cost + spent[0], nodes + spent[1])
        self.cost += max((c for c, _ in by_type.values()), default=0)
        self.nodes += max((n for _, n in by_type.values()), default=0)
        self._within_limits()

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
        self.nodes += multiplier
        self.cost += multiplier * _weights.get((parent_type.name, name), 0)
        self._within_limits()
        return_type = definition.type
        if is_non_null_type(return_type):
            return_type = return_type.of_type
        named = get_named_type(return_type)
        if not is_composite_type(named) or node.selection_set is None:
            return
        inner_page = None
        if "first" in definition.args:
            # The connection object once; its edges once per row of the page.
            # Both read whatever their values, so the variables read depend on the document alone.
            first, last = self._int_argument(node, "first"), self._int_argument(node, "last")
            size = first or last
            inner, inner_page = multiplier, multiplier * (size if size is not None else default_page_size())
        elif name == "edges" and page is not None:
            inner = page
        elif is_list_type(return_type):
            inner = multiplier * LIST_FACTOR
        else:
            inner = multiplier
        self.cost += inner
        self.selection_set(node.selection_set, named, depth, inner, seen, inner_page)

    def _within_limits(self):
        if self.depth > max_depth():
            raise ApiError(ErrorCode.QUERY_TOO_DEEP, f"query depth exceeds the maximum of {max_depth()}")
        if self.nodes > max_nodes():
            raise ApiError(ErrorCode.TOO_MANY_NODES, f"query may return more than {max_nodes()} nodes")
        if self.cost > max_cost():
            raise ApiError(ErrorCode.QUERY_TOO_COSTLY, f"query cost exceeds the maximum of {max_cost()}")


def _walk(schema, document, operation_node, variables):
    """(depth, aliases, nodes, cost, the variables read); raises the ApiError of the first limit exceeded."""
    aliases = count_aliases(document)
    if aliases > max_aliases():
        raise ApiError(ErrorCode.TOO_MANY_ALIASES, f"query has {aliases} aliases, more than the maximum of {max_aliases()}")
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    root = schema.get_root_type(operation_node.operation)
    measured = _Measure(schema, fragments, variables)
    if root is not None:
        measured.selection_set(operation_node.selection_set, root, 0, 1)
    return measured.depth, aliases, measured.nodes, measured.cost, tuple(measured.read)


def measure(schema, document, operation_node, variables):
    """(depth, aliases, nodes, cost) of an operation; raises the ApiError of the
    first limit it exceeds."""
    return _walk(schema, document, operation_node, variables)[:4]


# Measures of the documents execution keeps parsed (api.execution.prepare), per
# operation: the walk depends on the document, the schema, the default page size and
# the values of the variables it reads (page sizes), so those values key it. Visiting a
# document costs as much as executing a small query; a document is measured once.
MAX_MEASURED = 1024
_measured = {}


def _within(depth, aliases, nodes, cost):
    return depth <= max_depth() and aliases <= max_aliases() and nodes <= max_nodes() and cost <= max_cost()


def check(schema, document, operation_node, variables):
    """Refuse an operation deeper, with more aliases or nodes, or costlier than the settings allow."""
    # The document is kept in the entry, so its id is not reused while the entry lives.
    key = (id(schema), id(document), id(operation_node), default_page_size())
    entry = _measured.get(key)
    if entry is not None and entry[0] is document:
        _, read, by_values = entry
        values = tuple(_variable(variables, name) for name in read)
        found = by_values.get(values)
        if found is not None and _within(*found):
            return found[0], found[3]
    depth, aliases, nodes, cost, read = _walk(schema, document, operation_node, variables)
    if len(_measured) >= MAX_MEASURED:
        _measured.clear()
    entry = _measured.setdefault(key, (document, read, {}))
    if entry[0] is document and entry[1] == read:
        if len(entry[2]) >= MAX_MEASURED:
            entry[2].clear()
        entry[2][tuple(_variable(variables, name) for name in read)] = (depth, aliases, nodes, cost)
    return depth, cost


def _variable(variables, name):
    value = (variables or {}).get(name)
    # Only integers count (_int_argument); True and 1 must not share a key.
    return (type(value).__name__, value) if isinstance(value, int) else None
