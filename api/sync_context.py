"""A synchronous execution context for graphql-core: the same results and errors
as ``graphql.execution.ExecutionContext``, with less work per field.

Django resolvers never return awaitables, so the awaitable checks graphql-core
makes on every value are dropped, and what the stock context works out again for
every field of every row (the field definition, its resolver, how to complete
its type, the arguments of argument-less fields) is worked out once per field of
the document and request. A page of 1,000 changes runs some 50,000 fields; this
is most of the cost of answering it.

It also keeps the request's time budget (api/budget.py): the deadline is checked
before the fields of every object, and a statement timeout stops the whole
execution rather than nulling one field."""

import time
from functools import partial

from graphene.types.resolver import dict_or_attr_resolver
from graphql.execution import ExecutionContext, default_field_resolver
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, inspect, is_iterable
from graphql.type import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)

from api import budget
from api.memos import ByIdentity
from graphql import GraphQLError, GraphQLResolveInfo, located_error

NO_ARGS = {}


def _default_leaf(field_def, resolve_fn):
    """(attribute, default, serialize, nullable, str_as_is) of a field without arguments
    read by graphene's default resolver, whose scalar value (or null, for a nullable
    field of any type) the executor takes inline; None for any other field.
    ``serialize`` is None for a composite field (only its null is taken inline)."""
    if field_def.args or not (isinstance(resolve_fn, partial) and resolve_fn.func is dict_or_attr_resolver):
        return None
    if len(resolve_fn.args) != 2 or resolve_fn.keywords:
        return None
    nullable = not isinstance(field_def.type, GraphQLNonNull)
    named = field_def.type if nullable else field_def.type.of_type
    if not is_leaf_type(named) and not nullable:
        return None
    attname, default = resolve_fn.args
    serialize = named.serialize if is_leaf_type(named) else None
    # String serializes a str as itself: no call needed.
    return attname, default, serialize, nullable, named is GraphQLString


def _serialized(field_def):
    """(serialize, nullable, of_list) of a field whose value is a leaf or a list of
    non-null leaves, for completing a resolver's plain answer inline; None for others."""
    field_type = field_def.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    named = field_type if nullable else field_type.of_type
    if is_leaf_type(named):
        return named.serialize, nullable, False
    if isinstance(named, GraphQLList) and isinstance(named.of_type, GraphQLNonNull) and is_leaf_type(named.of_type.of_type):
        return named.of_type.of_type.serialize, nullable, True
    return None


def _inline(serialized, result):
    """The completed value of ``result`` when it needs no error or null handling, else Undefined."""
    serialize, nullable, of_list = serialized
    if result is None:
        return None if nullable else Undefined
    try:
        if not of_list:
            if result is Undefined or isinstance(result, Exception):
                return Undefined
            value = serialize(result)
            return Undefined if value is None else value
        if type(result) is not list:
            return Undefined
        values = [serialize(item) for item in result]
    except Exception:  # noqa: BLE001 - the completers raise it again, located
        return Undefined
    return Undefined if None in values or Undefined in values else values


def _value_or_null(complete):
    """``complete`` for values; a raised error for an exception, None for null."""

    def complete_value(context, field_nodes, info, path, result):
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        return complete(context, field_nodes, info, path, result)

    return complete_value


def never_awaitable(value):
    return False


# The plans of the fields of a document, kept across requests per operation (the parsed
# documents are kept by api.execution.prepare): they depend on the schema and the
# document alone when no middleware wraps the resolvers.
MAX_OPERATIONS = 1024
_shared_plans = ByIdentity(MAX_OPERATIONS)


def _static_plans(context):
    if context.middleware_manager is not None or context.field_resolver is not default_field_resolver:
        return None
    return _shared_plans.get_or_compute((context.operation, context.schema), dict)


# How to complete each return type of a schema, kept across requests: a completer takes
# the request's context as its first argument, so it holds nothing of one request.
MAX_SCHEMAS = 16
_shared_completers = ByIdentity(MAX_SCHEMAS)


def _completers_of(schema):
    return _shared_completers.get_or_compute((schema,), dict)


def _resolver_of(parent_type, field_node):
    """(field definition, its resolver) as the schema holds them now (None for meta fields)."""
    field_def = getattr(parent_type, "fields", {}).get(field_node.name.value)
    return (field_def, field_def.resolve) if field_def is not None else None


def _current(kept, parent_type, field_node):
    """Whether a kept plan still names the schema's field and resolver (a test may swap them)."""
    now = _resolver_of(parent_type, field_node)
    return now == kept[1] if now is None or kept[1] is None else now[0] is kept[1][0] and now[1] is kept[1][1]


class SyncExecutionContext(ExecutionContext):
    """Executes queries whose resolvers are all synchronous (pass
    ``is_awaitable=never_awaitable`` to ``graphql.execute`` along with it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._field_plans = {}
        self._completers = _completers_of(self.schema)
        self._selection_plans = {}
        self._deadline = budget.deadline()
        self._static = _static_plans(self)

    def execute_fields(self, parent_type, source_value, path, fields):
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise budget.TimeBudgetExceeded()
        results = {}
        type_name = parent_type.name
        # The plans of these fields, looked up once per selection (every row of a list shares it).
        kept = self._selection_plans.get((parent_type, id(fields)))
        if kept is None or kept[0] is not fields:
            kept = self._selection_plans[(parent_type, id(fields))] = (fields, [
                (response_name, field_nodes, self._plan(parent_type, field_nodes[0]))
                for response_name, field_nodes in fields.items()])
        by_dict = isinstance(source_value, dict)
        for response_name, field_nodes, plan in kept[1]:
            leaf = plan[3]
            if leaf is not None:
                # Read by graphene's default resolver: a scalar's value or a null, unless
                # that needs the full path (null where not allowed, an error).
                attname, default, serialize, nullable, str_as_is = leaf
                try:
                    value = source_value.get(attname, default) if by_dict else getattr(source_value, attname, default)
                    if value is None:
                        if nullable:
                            results[response_name] = None
                            continue
                    elif str_as_is and type(value) is str:
                        results[response_name] = value
                        continue
                    elif serialize is not None and value is not Undefined and not isinstance(value, Exception):
                        serialized = serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            results[response_name] = serialized
                            continue
                except Exception:  # noqa: S110, BLE001 - the full path below reports it
                    pass
            result = self.execute_field(parent_type, source_value, field_nodes, Path(path, response_name, type_name), plan)
            if result is not Undefined:
                results[response_name] = result
        return results

    def _plan(self, parent_type, field_node):
        key = (parent_type, id(field_node))
        plan = self._field_plans.get(key)
        if plan is None:
            kept = self._static.get(key) if self._static is not None else None
            if kept is None or not _current(kept, parent_type, field_node):
                kept = (self._static_plan(parent_type, field_node), _resolver_of(parent_type, field_node))
                if self._static is not None:
                    self._static[key] = kept
            # The completer is asked for when a field needs it: most leaves never do.
            plan = self._field_plans[key] = kept[0]
        return plan

    def _static_plan(self, parent_type, field_node):
        """(field definition, resolver, arguments or None, inline leaf, inline serialization):
        what completing a field needs besides its completer (kept per schema, ``_completer``)."""
        field_def = get_field_def(self.schema, parent_type, field_node)
        if field_def is None:
            return (None, None, None, None, None)
        resolve_fn = field_def.resolve or self.field_resolver
        if self.middleware_manager:
            resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
        args = NO_ARGS if not field_def.args else None
        return (field_def, resolve_fn, args, _default_leaf(field_def, resolve_fn), _serialized(field_def))

    def execute_field(self, parent_type, source, field_nodes, path, plan=None):
        field_def, resolve_fn, args, _, serialized = plan or self._plan(parent_type, field_nodes[0])
        if field_def is None:
            return Undefined
        info = GraphQLResolveInfo(
            field_nodes[0].name.value, field_nodes, field_def.type, parent_type, path, self.schema, self.fragments,
            self.root_value, self.operation, self.variable_values, self.context_value, self.is_awaitable,
        )
        try:
            if args is None:
                result = resolve_fn(source, info, **get_argument_values(field_def, field_nodes[0], self.variable_values))
            else:
                result = resolve_fn(source, info)
            if serialized is not None:
                # A leaf (or list of leaves) answered plainly: serialized here, the
                # completers below only for nulls and errors (they serialize it again).
                value = _inline(serialized, result)
                if value is not Undefined:
                    return value
            return self._completer(field_def.type)(self, field_nodes, info, path, result)
        except budget.TimeBudgetExceeded:
            raise
        except Exception as raw_error:
            if budget.is_statement_timeout(raw_error):
                raise budget.TimeBudgetExceeded() from raw_error
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, field_def.type, path)
            return None

    def complete_value(self, return_type, field_nodes, info, path, result):
        return self._completer(return_type)(self, field_nodes, info, path, result)

    def _completer(self, return_type):
        """A function ``(context, field_nodes, info, path, result)`` completing values of
        ``return_type`` as ``complete_value`` does (kept per schema)."""
        completer = self._completers.get(return_type)
        if completer is None:
            completer = self._build_completer(return_type)
            self._completers[return_type] = completer
        return completer

    def _build_completer(self, return_type):
        if isinstance(return_type, GraphQLNonNull):
            inner = self._completer(return_type.of_type)

            def complete_non_null(context, field_nodes, info, path, result):
                if isinstance(result, Exception):
                    raise result
                completed = inner(context, field_nodes, info, path, result)
                if completed is None:
                    raise TypeError(
                        f"Cannot return null for non-nullable field {info.parent_type.name}.{info.field_name}."
                    )
                return completed

            return complete_non_null
        if isinstance(return_type, GraphQLList):
            return self._list_completer(return_type)
        if is_leaf_type(return_type):
            serialize = return_type.serialize

            def complete_leaf(context, field_nodes, info, path, result):
                serialized = serialize(result)
                if serialized is Undefined or serialized is None:
                    raise TypeError(
                        f"Expected `{inspect(return_type)}.serialize({inspect(result)})`"
                        f" to return non-nullable value, returned: {inspect(serialized)}"
                    )
                return serialized

            return _value_or_null(complete_leaf)
        if is_abstract_type(return_type):

            def complete_abstract(context, field_nodes, info, path, result):
                return context.complete_abstract_value(return_type, field_nodes, info, path, result)

            return _value_or_null(complete_abstract)
        if is_object_type(return_type):

            def complete_object(context, field_nodes, info, path, result):
                return context.complete_object_value(return_type, field_nodes, info, path, result)

            return _value_or_null(complete_object)
        raise TypeError(f"Cannot complete value of unexpected output type: '{inspect(return_type)}'.")

    def _list_completer(self, return_type):
        item_type = return_type.of_type
        complete_item = self._completer(item_type)
        # Rows of an object type that needs no is_type_of check: their fields executed
        # straight away (what completing each would come to), nulls and errors completed.
        row_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not is_object_type(row_type) or row_type.is_type_of is not None:
            row_type = None

        def complete_list(context, field_nodes, info, path, result):
            if not is_iterable(result):
                raise GraphQLError(
                    f"Expected Iterable, but did not find one for field '{info.parent_type.name}.{info.field_name}'."
                )
            completed = []
            append = completed.append
            execute_fields = context.execute_fields
            row_fields = context.collect_subfields(row_type, field_nodes) if row_type is not None else None
            for index, item in enumerate(result):
                item_path = path.add_key(index, None)
                try:
                    if row_fields is None or item is None or isinstance(item, Exception):
                        append(complete_item(context, field_nodes, info, item_path, item))
                    else:
                        append(execute_fields(row_type, item, item_path, row_fields))
                except budget.TimeBudgetExceeded:
                    raise
                except Exception as raw_error:  # noqa: BLE001 - a row's error nulls that row, as graphql-core does
                    context.handle_field_error(
                        located_error(raw_error, field_nodes, item_path.as_list()), item_type, item_path
                    )
                    append(None)
            return completed

        return _value_or_null(complete_list)
