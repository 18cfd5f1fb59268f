"""GraphQL of the content app: ``types`` (the object types and enums),
``loaders`` (joins and batch loading of a page, public for other apps' feeds)
and ``queries`` (the root fields), with ``search`` and ``suggest`` from
content.search, assembled into cms.schema."""

import graphene

from content.schema.queries import Query as ItemsQuery
from content.search.schema import Query as SearchQuery


class Query(SearchQuery, ItemsQuery, graphene.ObjectType):
    """Content's root fields: the items (``queries``) and their search (content.search)."""


__all__ = ["Query"]
