"""Channel renditions: one published item (article, package, business, SMS
template) rendered right for each channel account it reaches.

    render(item, account, channel=None) -> Rendition
    render_all(item, accounts) -> [Rendition]   # item loaded once for all accounts

A rendition whose ``blocking`` is true must not be published to that channel;
its ``warnings`` name the item, the channel and the cause. The renderers read
the object they are given: pass the live object to publish, the latest
revision (``item.get_latest_revision_as_object()``) to preview."""

from django.db.models import prefetch_related_objects

from content import kinds, memo
from renditions.context import RenderContext
from renditions.images import ImageSet, wechat_body_renditions, wechat_cover
from renditions.miniprogram import render_miniprogram
from renditions.rendition import (
    CHANNELS,
    MINIPROGRAM,
    SMS,
    WEB,
    WECHAT,
    Rendition,
    RenditionWarning,
)
from renditions.sms import render_sms
from renditions.sources import Source, card_prefetches, kind_of, package_prefetches
from renditions.web import render_web
from renditions.wechat import image_placeholders, render_wechat, swap_images

__all__ = [
    "CHANNELS",
    "Rendition",
    "RenditionWarning",
    "blocked_accounts",
    "image_placeholders",
    "kind_of",
    "render",
    "render_all",
    "render_many",
    "swap_images",
    "wechat_body_renditions",
    "wechat_cover",
]

RENDERERS = {WEB: render_web, WECHAT: render_wechat, MINIPROGRAM: render_miniprogram, SMS: render_sms}
# Channels each kind of item can be rendered for.
SUPPORTED = {kind.code: frozenset(kind.channels or CHANNELS) for kind in kinds.rendered()}


def render(item, account, channel=None, page=None):
    """The item rendered for ``account`` (as ``channel``, by default the account's type);
    with the ``page`` (renditions.page) holding the item, from the reads of the whole page."""
    channel = channel or account.type
    if page is not None and page.holds(item):
        return _render(page.context(item, account, channel), account, channel)
    return _render(RenderContext(item, [account]), account, channel)


def render_all(item, accounts):
    """The item rendered for each account, sharing one load of its images and relations."""
    accounts = list(accounts)
    context = RenderContext(item, accounts)
    return [_render(context, account, account.type) for account in accounts]


def render_many(items, accounts, batch_size=200):
    """(item, [rendition per account]) for many items, loading the images and
    related packages of each batch of items in one query each."""
    accounts = list(accounts)
    items = list(items)
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        articles = [item for item in batch if kind_of(item) == kinds.Kind.ARTICLE and item.pk]
        if articles:
            # The "on sale" check reads each package's sale organisations and the
            # article organisation's ancestors.
            prefetch_related_objects(articles, *card_prefetches())
        contexts = [RenderContext(item, accounts) for item in batch]
        ids, codes = set(), set()
        for context in contexts:
            item_ids, item_codes = context.source.image_refs
            ids.update(item_ids)
            codes.update(item_codes)
        images = ImageSet.load(ids, codes)
        for item, context in zip(batch, contexts):
            context.images = images
            yield item, [_render(context, account, account.type) for account in accounts]


def share_images(items):
    """Inside a content.memo block: the images of all ``items`` loaded in one query,
    for every later rendering of each of them, and their package cards' organisations."""
    sources = [(item, Source(item)) for item in items if (kind := kinds.kind_of(item)) is not None and kind.rendered]
    ids, codes = set(), set()
    for _item, source in sources:
        item_ids, item_codes = source.image_refs
        ids.update(item_ids)
        codes.update(item_codes)
    images = ImageSet.load(ids, codes)
    for item, _source in sources:
        memo.remember_for(item, "images", images)
    # The package cards of the articles: their packages' sale organisations and owners.
    packages = {p.pk: p for item, source in sources if source.kind == kinds.Kind.ARTICLE
                for p in item.related_packages.all()}
    prefetch_related_objects(list(packages.values()), *package_prefetches())


def blocked_accounts(renditions):
    """{account code: [blocking warnings]} of the renditions that must not be published."""
    return {r.account: [w for w in r.warnings if w.blocking] for r in renditions if r.blocking}


def _render(context, account, channel):
    source = context.source
    if channel not in SUPPORTED[source.kind]:
        rendition = Rendition(channel, source.kind, source.code, title=source.title, account=account.code)
        rendition.warn("unsupported_channel", "此类内容不能在该渠道发布", blocking=True)
        return rendition
    rendition = RENDERERS[channel](context, account)
    if source.channels is not None and channel not in source.channels:
        rendition.warn("not_targeted", "内容的目标渠道不包含此渠道", blocking=True)
    return rendition

