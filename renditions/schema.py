"""The ``rendition(channel, account)`` field of packages, businesses, articles and
SMS templates: an item rendered for one of the caller's channel accounts. Defined
here, mounted on the content types by ``extend_content_types`` (api.types)."""

import graphene
from django.conf import settings

from api import cache, limits
from api.errors import ApiError, ErrorCode
from api.scalars import JSON
from api.types import add_field
from content import access
from content.schema.loaders import read_per_page
from content.schema.types import (
    ArticleNode,
    BusinessNode,
    ChannelType,
    PackageNode,
    SmsTemplateNode,
)
from renditions.page import Page, read_account
from renditions.services import kind_of, render

PAGE_ATTR = "_rendition_page"


class RenditionWarningNode(graphene.ObjectType):
    class Meta:
        name = "RenditionWarning"

    code = graphene.String(required=True)
    message = graphene.String(required=True)
    blocking = graphene.Boolean(required=True)


class RenditionNode(graphene.ObjectType):
    """An item rendered for one channel account (publishing.renditions)."""

    class Meta:
        name = "Rendition"

    channel = graphene.Field(ChannelType, required=True)
    account = graphene.String(required=True)
    title = graphene.String(required=True)
    html = graphene.String(required=True, description="Web and WeChat markup.")
    nodes = graphene.Field(JSON, required=True, description="Mini-program rich-text nodes.")
    text = graphene.String(required=True, description="SMS text.")
    segments = graphene.Int(required=True, description="SMS segments.")
    cover = graphene.Field(JSON, required=True, description="Cover image URLs by rendition spec.")
    warnings = graphene.List(graphene.NonNull(RenditionWarningNode), required=True)
    blocking = graphene.Boolean(required=True, description="True when the item must not be published there.")


def _rendition_account_id(info, channel, code):
    """The id of the caller's account the rendition is for, without a query."""
    who = access.principal(info)
    if code is not None:
        account_id, _ = access.account_audience(info, code)
        if who.account_types[code] != channel:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"account {code} is not a {channel} account", field="account")
        return account_id
    candidates = [who.accounts[bound] for bound, type_ in who.account_types.items() if type_ == channel]
    if not candidates:
        raise ApiError(ErrorCode.FORBIDDEN, f"no {channel} account is bound to this token", field="channel")
    if len(candidates) > 1:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, f"several {channel} accounts are bound; pass account", field="account")
    return candidates[0]


def resolve_rendition(item, info, channel, account=None):
    """The item rendered for one of the caller's accounts of ``channel``."""
    channel = getattr(channel, "value", channel)
    account_id = _rendition_account_id(info, channel, account)
    if getattr(item, "_is_preview", False) or not cache.enabled():
        return _render(item, account_id, channel)
    return cached_rendition(item, account_id, channel)


def _render(item, account_id, channel):
    # The item's page (share_page) reads what every rendition of the page reads once for all.
    page = getattr(item, PAGE_ATTR, None)
    if page is None:
        return render(item, read_account(account_id), channel)
    return render(item, page.account(account_id), channel, page)


def share_page(items):
    """Called with every page of items whose query asks for ``rendition`` (content.schema.loaders):
    their renditions read their images, cards, reach and account once for the page."""
    if items:
        page = Page(items)
        for item in items:
            setattr(item, PAGE_ATTR, page)


def cached_rendition(item, account_id, channel):
    """A live item's rendition, rendered once per published change (shared cache):
    it depends on the item, its related packages and the account, and a publish or
    a change to an account bumps the content generation, as for answers and bundles."""
    key = f"gql:rendition:{kind_of(item)}:{item.pk}:{account_id}:{channel}"
    generation, rendition = cache.get(cache.CONTENT, key)
    if rendition is None:
        rendition = _render(item, account_id, channel)
        cache.put(generation, key, rendition, settings.GRAPHQL_CACHE_TIMEOUT)
    return rendition


def rendition_field():
    return graphene.Field(
        RenditionNode,
        channel=graphene.Argument(ChannelType, required=True),
        account=graphene.String(description="Code of one of your accounts; default: your only account of the channel."),
        resolver=resolve_rendition,
    )


# An uncached rendition renders the item for a channel (up to ~25 ms on the full-scale
# data, bench/results/renditions.md; its queries are read once per page): it weighs like 1,000 objects.
RENDITION_WEIGHT = 1000


def extend_content_types():
    """Mount ``rendition`` on every content type that has channel renditions (once)."""
    for node in (PackageNode, BusinessNode, ArticleNode, SmsTemplateNode):
        if "rendition" not in node._meta.fields:
            add_field(node, "rendition", rendition_field())
        limits.weigh(node, "rendition", RENDITION_WEIGHT)
    read_per_page("rendition", share_page)
