"""The channel limit checks of an editorial item, for the edit page and the approval
step (content.checks asks through the ``editorial_item_checks`` hook): the warnings
of its renditions for every account it reaches, each said once per channel."""

from dataclasses import replace

from content import kinds
from content.reach import target_account_list
from renditions.rendition import SMS
from renditions.services import render_all


def _representatives(accounts):
    # WeChat, mini-program and web limits are the platform's, the same for every
    # account of the type: one account each is rendered. SMS accounts carry their
    # own signature and segment limit: each is rendered.
    out, types = [], set()
    for account in accounts:
        if account.type == SMS or account.type not in types:
            types.add(account.type)
            out.append(account)
    return out


def channel_checks(item):
    """Warnings of ``item``'s renditions on the accounts it targets, one per
    channel and cause (accounts of one channel share the same limits)."""
    kind = kinds.kind_of(item)
    if kind is not None and kind.code == kinds.Kind.NEWS_GROUP:
        # A news group is checked as the articles it sends, on the group's accounts.
        accounts = _representatives(target_account_list(item))
        renditions = [r for article in item.ordered_articles() for r in render_all(article, accounts)]
    elif kind is None or not kind.rendered or item.pk is None:
        return []
    else:
        renditions = render_all(item, _representatives(target_account_list(item)))
    seen, out = set(), []
    for rendition in renditions:
        for warning in rendition.warnings:
            key = (warning.item, warning.channel, warning.code, warning.message)
            if key not in seen:
                seen.add(key)
                out.append(replace(warning, account=""))
    return sorted(out, key=lambda warning: not warning.blocking)
