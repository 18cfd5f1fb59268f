"""The GraphQL schema, assembled from the types beside each domain app."""

import graphene

from content.schema import Query as ContentQuery


class Query(ContentQuery, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query)
