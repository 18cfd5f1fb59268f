"""Scalars shared by the domain schemas, and the JSON encoding of answers."""

import json
import secrets

from graphene import Scalar
from graphene.types.generic import GenericScalar
from graphql import GraphQLError, IntValueNode, print_ast


class JSON(GenericScalar):
    """Any JSON value (objects, lists, strings, numbers, booleans, null)."""

    class Meta:
        name = "JSON"


class BigInt(Scalar):
    """
    The `BigInt` scalar type represents non-fractional whole numeric values.
    `BigInt` is not constrained to 32-bit like the `Int` type and thus is a less
    compatible type.
    """

    # graphene's own BigInt turns a variable of 1.5 (or "1.5") into 1 while it
    # refuses the literal; this one refuses both, and values past PostgreSQL's bigint
    # (which the database would refuse with a server error).
    MIN, MAX = -(2**63), 2**63 - 1

    class Meta:
        name = "BigInt"

    @staticmethod
    def serialize(value):
        return int(value)

    @classmethod
    def parse_value(cls, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise GraphQLError(f"BigInt cannot represent non-integer value: {json.dumps(value)}")
        return cls._in_range(value)

    @classmethod
    def parse_literal(cls, node, _variables=None):
        if not isinstance(node, IntValueNode):
            raise GraphQLError(f"BigInt cannot represent non-integer value: {print_ast(node)}")
        return cls._in_range(int(node.value))

    @classmethod
    def _in_range(cls, value):
        if not cls.MIN <= value <= cls.MAX:
            raise GraphQLError("BigInt cannot represent a value outside the signed 64-bit range")
        return value


class RawJSON:
    """A JSON value already encoded (UTF-8 bytes): a resolver of a JSON field
    returns one for a large document it keeps encoded (a bundle), and ``encode``
    writes it into the answer as it is instead of encoding it again."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    @classmethod
    def of(cls, value):
        return cls(dumps(value))


def dumps(value, default=None):
    """The UTF-8 JSON the API answers with (compact, non-ASCII as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default).encode("utf-8")


def encode(payload):
    """The answer as UTF-8 JSON, RawJSON values spliced in."""
    raw = []
    marker = secrets.token_hex(8)

    def default(value):
        if isinstance(value, RawJSON):
            raw.append(value.data)
            return f"\x00{marker}:{len(raw) - 1}\x00"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    body = dumps(payload, default)
    for index, data in enumerate(raw):
        body = body.replace(dumps(f"\x00{marker}:{index}\x00"), data, 1)
    return body
