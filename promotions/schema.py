"""GraphQL of promotion slots: ``slots(channel, code, brand, organisation)``, the
live slots of a channel type with the entries shown now to that audience
(promotions.serving). Types only; the rules are in content.services.promotions."""

import graphene

from content.models import PromotionEntry
from content.schema.types import ArticleNode, BusinessNode, ChannelType, PackageNode
from promotions.serving import served_slots

PromotionTarget = graphene.Enum(
    "PromotionTarget",
    [(value.upper(), value) for value in PromotionEntry.Target.values],
    description="What a promotion entry points at.",
)


class PromotionImageNode(graphene.ObjectType):
    class Meta:
        name = "PromotionImage"
        description = "The entry's image rendered for the slot's channel."

    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    alt = graphene.String(required=True)


class PromotionEntryNode(graphene.ObjectType):
    class Meta:
        name = "PromotionEntry"

    position = graphene.Int(required=True, description="1-based position in the slot as edited.")
    title = graphene.String(required=True, description="The entry's title, else its item's name.")
    subtitle = graphene.String(required=True)
    target = graphene.Field(PromotionTarget, required=True)
    url = graphene.String(required=True, description="The item's web URL, or the external link.")
    article = graphene.Field(ArticleNode)
    package = graphene.Field(PackageNode)
    business = graphene.Field(BusinessNode)
    image = graphene.Field(PromotionImageNode, description="Rendition for the slot's channel; null when none.")
    brands = graphene.List(graphene.NonNull(graphene.String), required=True, description="Empty: every brand.")
    regions = graphene.List(graphene.NonNull(graphene.String), required=True, description="Empty: every region.")
    starts_at = graphene.DateTime()
    ends_at = graphene.DateTime()


class PromotionSlotNode(graphene.ObjectType):
    class Meta:
        name = "PromotionSlot"

    code = graphene.String(required=True)
    title = graphene.String(required=True)
    channel = graphene.Field(ChannelType, required=True)
    organisation = graphene.String(required=True, description="Code of the owning organisation.")
    entries = graphene.List(graphene.NonNull(PromotionEntryNode), required=True)


class Query(graphene.ObjectType):
    slots = graphene.List(
        graphene.NonNull(PromotionSlotNode),
        required=True,
        channel=ChannelType(required=True),
        code=graphene.String(description="One slot by code."),
        brand=graphene.String(description="Brand code: entries for that brand (and for every brand)."),
        organisation=graphene.String(description="Region: slots and entries shown there."),
        description="Live promotion slots (营销位) of a channel type reaching your accounts, entries live now.",
    )

    def resolve_slots(root, info, channel, code=None, brand=None, organisation=None):
        return served_slots(info, getattr(channel, "value", channel), code or None, brand or None, organisation or None)
