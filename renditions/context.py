"""Everything the renderers of one item share, loaded once for all its channels:
the item's source, its images with their renditions, its web address."""

from functools import cached_property

from django.conf import settings

from content import memo
from content.models import ChannelAccount

from . import links
from .images import ImageSet
from .sources import Source


class RenderContext:
    def __init__(self, item, accounts=(), images=None, source=None):
        self.item = item
        # Given when shared by the renditions of a page (renditions.page).
        self.source = source if source is not None else Source(item)
        self.accounts = list(accounts)
        if images is not None:
            # Shared by a batch (render_many): loaded once for all its items.
            self.images = images

    @cached_property
    def images(self):
        # Once per item inside a content.memo block (the release page renders each
        # draft for its checks and for its plan; releases.reading loads all at once).
        return memo.once_for(self.item, "images", lambda: ImageSet.load(*self.source.image_refs))

    @cached_property
    def web_account(self):
        return links.web_account_for(self.item, self.accounts)

    @cached_property
    def web_url(self):
        """Absolute URL of the item's web rendition, or None when no web site carries it."""
        if self.web_account is None:
            return None
        return links.web_url_on(self.web_account, self.source.kind, self.source.code)

    def web_url_of(self, kind, code):
        return links.web_url_on(self.web_account, kind, code) if self.web_account else None

    @cached_property
    def service_number(self):
        """The SMS hall number editors tell customers to text order commands to."""
        for account in self.accounts:
            if account.type == ChannelAccount.Type.SMS and account.service_number:
                return account.service_number
        return settings.RENDITIONS_SERVICE_NUMBER

    def short_link(self):
        return links.short_link(self.source.kind, self.source.pk)
