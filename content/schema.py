"""GraphQL types of the organisation matrix: public fields only, never secrets."""

import graphene
from graphene_django import DjangoObjectType

from content.models import Brand, ChannelAccount, Organisation


class OrganisationType(DjangoObjectType):
    class Meta:
        model = Organisation
        name = "Organisation"
        fields = ("code", "name", "level", "parent")


class BrandType(DjangoObjectType):
    class Meta:
        model = Brand
        name = "Brand"
        fields = ("code", "name")


class ChannelAccountType(DjangoObjectType):
    class Meta:
        model = ChannelAccount
        name = "ChannelAccount"
        # Explicit allow-list: secrets and API base URLs are never exposed.
        fields = ("code", "name", "type", "organisation", "app_id", "service_number", "signature", "base_url")


class Query(graphene.ObjectType):
    organisations = graphene.List(graphene.NonNull(OrganisationType), required=True)
    brands = graphene.List(graphene.NonNull(BrandType), required=True)
    channel_accounts = graphene.List(graphene.NonNull(ChannelAccountType), required=True)

    def resolve_organisations(root, info):
        from content.permissions import visible

        return visible(Organisation.objects.select_related("parent"), info.context.org_scope)

    def resolve_brands(root, info):
        return Brand.objects.all()

    def resolve_channel_accounts(root, info):
        from content.permissions import visible

        return visible(ChannelAccount.objects.select_related("organisation"), info.context.org_scope)
