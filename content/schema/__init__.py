"""GraphQL of the content app: ``types`` (the object types and enums),
``loaders`` (joins and batch loading of a page, public for other apps' feeds)
and ``queries`` (the root fields, assembled into cms.schema)."""

from content.schema.queries import Query

__all__ = ["Query"]
