"""Renditions of a page of items (a GraphQL page of articles, packages, businesses or
SMS templates): what the renditions of its items read -- their parsed bodies, their
images with their renditions, the package cards of articles, the web accounts giving
the "阅读原文" address, the channel account -- read once for the whole page when the
first of them is rendered, so a page costs the same queries whatever its size.

    page = Page(items)                    # nothing read yet
    render(item, account, channel, page)  # renditions.services: the page's reads

Each read is made on first use only: a page whose renditions all come from the
cache reads nothing, and an SMS page reads no images. A preview draft (its
relations held in memory) renders on its own, as before."""

from functools import cached_property

from django.db.models import prefetch_related_objects

from content import memo
from content.models import ChannelAccount
from content.reach import share_reach

from . import links
from .context import RenderContext
from .images import ALL_SPECS, BODY_SPECS, COVER_SPECS, ImageSet
from .rendition import ARTICLE
from .sources import Source, card_prefetches, hold_ancestors

# The image renditions each channel's renderer reads: its body and cover specs.
CHANNEL_SPECS = {
    channel: tuple(dict.fromkeys((*BODY_SPECS[channel], *COVER_SPECS[channel]))) for channel in BODY_SPECS
}


def is_stored(item):
    """Whether the item is read as stored (not a preview draft or an edited copy)."""
    return bool(item.pk) and not getattr(item, "_is_preview", False) and not getattr(
        item, "_cluster_related_objects", None
    )


def read_account(account_id):
    """The channel account a rendition is made for, with its organisation."""
    return ChannelAccount.objects.select_related("organisation").get(pk=account_id)


class Page:
    """The stored items of one page, and what their renditions read, read for all at once."""

    def __init__(self, items):
        self.items = [item for item in items if is_stored(item)]
        self._accounts = {}
        self._images = {}
        self._cards_loaded = False

    def holds(self, item):
        return id(item) in self.sources

    @cached_property
    def sources(self):
        """{id(item): its Source}: each body parsed once for the page's images and its renditions."""
        return {id(item): _PageSource(item, self) for item in self.items}

    @cached_property
    def image_refs(self):
        """(ids, codes) of the images every item of the page references."""
        ids, codes = set(), set()
        for source in self.sources.values():
            item_ids, item_codes = source.image_refs
            ids.update(item_ids)
            codes.update(item_codes)
        return ids, codes

    def images(self, channel):
        """The images of every item of the page with their renditions for ``channel``
        (two queries per channel rendered: only that channel's renditions are read)."""
        if channel not in self._images:
            self._images[channel] = ImageSet.load(*self.image_refs, specs=CHANNEL_SPECS.get(channel, ALL_SPECS))
        return self._images[channel]

    def load_cards(self):
        """The related packages of the page's articles, their sale organisations and owners,
        and the articles' organisations with their parents (what the on-sale rule walks)."""
        if self._cards_loaded:
            return
        self._cards_loaded = True
        articles = [source.item for source in self.sources.values() if source.kind == ARTICLE]
        if articles:
            prefetch_related_objects(articles, *card_prefetches())
            hold_ancestors(articles)

    @cached_property
    def web_accounts(self):
        """{id(item): the web accounts it reaches}: the reach of every item read together
        (content.reach.share_reach, the enabled accounts and organisation tree once)."""
        with memo.shared():
            share_reach(self.items)
            return {id(item): links.stored_web_accounts(item) for item in self.items}

    def account(self, account_id):
        """The channel account (with its organisation), read once for the page."""
        if account_id not in self._accounts:
            self._accounts[account_id] = read_account(account_id)
        return self._accounts[account_id]

    def context(self, item, account, channel):
        """The RenderContext of one of the page's items for ``account`` as ``channel``."""
        return _PageContext(self, item, [account], channel)


class _PageSource(Source):
    def __init__(self, item, page):
        super().__init__(item)
        self.page = page

    def related_packages(self):
        self.page.load_cards()
        return super().related_packages()


class _PageContext(RenderContext):
    def __init__(self, page, item, accounts, channel):
        super().__init__(item, accounts, source=page.sources[id(item)])
        self.page = page
        self.channel = channel

    @cached_property
    def images(self):
        return self.page.images(self.channel)

    @cached_property
    def web_account(self):
        given = links.given_web_account(self.accounts)
        return given if given is not None else links.nearest_web(self.page.web_accounts[id(self.item)])
