"""Scalars shared by the domain schemas, and the JSON encoding of answers."""

import json
import secrets

from graphene.types.generic import GenericScalar


class JSON(GenericScalar):
    """Any JSON value (objects, lists, strings, numbers, booleans, null)."""

    class Meta:
        name = "JSON"


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
