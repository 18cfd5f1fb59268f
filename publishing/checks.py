"""The channel checks an editorial item's edit page shows and its approval obeys
(content.checks asks through the ``editorial_item_checks`` hook): the warnings of
its renditions on the accounts it reaches. A blocking warning refuses approval on a
channel the item is pushed to as that rendition (an article to WeChat official
accounts); elsewhere the channel serves the item from its bundle, so it is a hint."""

from dataclasses import replace

from content import kinds
from content.models import ChannelAccount
from renditions.checks import channel_checks

from publishing.services.batches import WECHAT_KINDS

WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


def pushed_channels(item):
    """Channels ``item`` is pushed to as its rendition."""
    kind = kinds.kind_of(item)
    return {WECHAT} if kind is not None and kind.code in WECHAT_KINDS else set()


def approval_checks(item):
    pushed = pushed_channels(item)
    return [
        warning if warning.channel in pushed or not warning.blocking else replace(warning, blocking=False)
        for warning in channel_checks(item)
    ]
