"""Channel renditions carried by pushed bundles and deltas, so a receiver serves from
the push alone: the web hall gets each article, package and business as sanitized
HTML with its image URLs and package cards, the mini-program as rich-text nodes,
the SMS gateway each template's final text (signature, opt-out) with its segment
count, and the account's SMS rules.

Rendered with ``renditions.services.render_many``: the items of a kind are loaded
once, their images and package cards in one query each per batch of 200, so a
bundle's queries do not grow with its items (tests/publishing/test_push_renditions.py)."""

from content import kinds
from content.models import ChannelAccount
from content.services import sms as sms_rules
from renditions.services import render_many

# The account types whose pushes carry renditions, and the kinds rendered for each.
RENDERED_ON = {
    ChannelAccount.Type.WEB: (
        kinds.Kind.ARTICLE,
        kinds.Kind.PACKAGE,
        kinds.Kind.BUSINESS,
    ),
    ChannelAccount.Type.WECHAT_MINIPROGRAM: (
        kinds.Kind.ARTICLE,
        kinds.Kind.PACKAGE,
        kinds.Kind.BUSINESS,
    ),
    ChannelAccount.Type.SMS: (kinds.Kind.SMS_TEMPLATE,),
}


def carries(account, kind):
    """True when the account's pushes carry renditions of this kind."""
    return kind in RENDERED_ON.get(account.type, ())


def _warnings(rendition):
    return [
        {"code": w.code, "message": w.message, "blocking": w.blocking}
        for w in rendition.warnings
    ]


def _web(rendition):
    return {
        "channel": rendition.channel,
        "title": rendition.title,
        "url": rendition.meta.get("url"),
        "html": rendition.html,
        "cover": rendition.cover,
        "cards": rendition.meta.get("cards", []),
        "blocking": rendition.blocking,
        "warnings": _warnings(rendition),
    }


def _miniprogram(rendition):
    return {
        "channel": rendition.channel,
        "title": rendition.title,
        "nodes": rendition.nodes,
        "cover": rendition.cover,
        "cards": rendition.meta.get("cards", []),
        "links": rendition.meta.get("links", []),
        "blocking": rendition.blocking,
        "warnings": _warnings(rendition),
    }


def _sms(rendition):
    return {
        "channel": rendition.channel,
        "text": rendition.text,
        "segments": rendition.segments,
        "encoding": rendition.meta.get("encoding", ""),
        "blocking": rendition.blocking,
        "warnings": _warnings(rendition),
    }


DOCUMENTS = {
    ChannelAccount.Type.WEB: _web,
    ChannelAccount.Type.WECHAT_MINIPROGRAM: _miniprogram,
    ChannelAccount.Type.SMS: _sms,
}


def document(rendition, account_type):
    """The JSON a push carries for one rendition on an account of this type."""
    return DOCUMENTS[account_type](rendition)


def attach(documents, items, account):
    """Add ``rendition`` to each document (its item in the queryset ``items``) for the account."""
    if not documents:
        return documents
    by_code = {doc["code"]: doc for doc in documents}
    # ``items`` is the queryset the documents were built from: the same rows, loaded whole.
    for item, (rendition,) in render_many(items.order_by("pk"), [account]):
        doc = by_code.get(item.code)
        if doc is not None:
            doc["rendition"] = document(rendition, account.type)
    return documents


def sms_rules_document(account):
    """The SMS text rules of an SMS account as its gateway applies them (defaults filled in)."""
    rules = sms_rules.rules_for(None, account)
    return {
        "signature": rules.signature,
        "optOutText": rules.opt_out_text,
        "maxSegments": rules.max_segments,
    }
