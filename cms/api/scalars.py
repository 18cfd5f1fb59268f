"""Scalars shared by the domain schemas."""

from graphene.types.generic import GenericScalar


class JSON(GenericScalar):
    """Any JSON value (objects, lists, strings, numbers, booleans, null)."""

    class Meta:
        name = "JSON"
