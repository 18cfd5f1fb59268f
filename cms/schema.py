"""The GraphQL schema, assembled from the types beside each domain app.

The printed schema is the contract in graphql/schema.graphql
(``python manage.py graphql_schema --out graphql/schema.graphql``); a test fails
when the two disagree."""

import graphene

from content.schema.types import ChannelAccountNode, OrganisationNode
from content.models import ChannelAccount, Organisation
from content.schema import Query as ContentQuery
from menus.schema import Query as MenusQuery
from promotions.schema import Query as PromotionsQuery
from publishing.schema import Query as PublishingQuery
from renditions.schema import extend_content_types


class ViewerNode(graphene.ObjectType):
    """Who the token belongs to and what it is bound to."""

    class Meta:
        name = "Viewer"

    name = graphene.String(required=True)
    kind = graphene.String(required=True, description='"client" (API token of a front end) or "editor".')
    organisation = graphene.Field(OrganisationNode)
    accounts = graphene.List(graphene.NonNull(ChannelAccountNode), required=True, description="Bound, enabled accounts.")

    def resolve_organisation(principal, info):
        if principal.organisation_id is None:
            return None
        return Organisation.objects.select_related("parent__parent").filter(pk=principal.organisation_id).first()

    def resolve_accounts(principal, info):
        return ChannelAccount.objects.select_related("organisation__parent").filter(pk__in=principal.accounts.values())


class Query(PublishingQuery, PromotionsQuery, MenusQuery, ContentQuery, graphene.ObjectType):
    viewer = graphene.Field(ViewerNode, required=True)

    def resolve_viewer(root, info):
        return info.context.principal


extend_content_types()
schema = graphene.Schema(query=Query, auto_camelcase=True)
