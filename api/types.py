"""Fields an upper app adds to a type a lower app defines.

A lower app's type cannot name an upper app's type without importing it (the
dependency would point up), so the upper app mounts its field on the built type
before the schema is assembled: ``renditions.schema`` adds ``rendition`` to the
content types this way. The field comes last in the type, as if declared there."""

import graphene


def add_field(node, name, field):
    """Mount ``field`` (a ``graphene.Field``) on ``node`` as its field ``name``."""
    if not isinstance(field, graphene.Field):
        raise TypeError(f"{node.__name__}.{name}: a graphene.Field is required")
    if name in node._meta.fields:
        raise ValueError(f"{node.__name__} already has a field {name!r}")
    node._meta.fields[name] = field
