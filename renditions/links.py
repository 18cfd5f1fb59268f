"""Where an item's web rendition lives, and the short link an SMS carries to it.

A short link is ``RENDITIONS_SHORT_LINK_BASE`` + a token naming the item's kind
and id (base62), resolved at click time by ``renditions.urls`` to the
web rendition of the live item: nothing to store, nothing to expire."""

import string
from urllib.parse import quote, urljoin

from django.conf import settings

from content import kinds, memo
from content.models import ChannelAccount

from .rendition import ARTICLE, BUSINESS, PACKAGE

TOKEN_PREFIX = {ARTICLE: "a", PACKAGE: "p", BUSINESS: "b"}
KIND_BY_PREFIX = {prefix: kind for kind, prefix in TOKEN_PREFIX.items()}
BASE62 = string.digits + string.ascii_letters


def base_url_of(account):
    """The account's site address with a trailing slash, or "" when not set."""
    base = (getattr(account, "base_url", "") or "").strip()
    if base and not base.endswith("/"):
        base += "/"
    return base


def web_path(kind, code):
    pattern = settings.RENDITIONS_WEB_PATHS.get(kind)
    return pattern.format(code=quote(code, safe="")) if pattern else None


def web_url_on(account, kind, code):
    base = base_url_of(account)
    path = web_path(kind, code)
    return urljoin(base, path) if base and path else None


def web_account_for(item, accounts=(), near=None):
    """The web account carrying the item: one of ``accounts`` if given, else an
    enabled web account it reaches (content.reach) -- the one of organisation
    ``near`` or the nearest above it when given, else the first by code."""
    given = given_web_account(accounts)
    if given is not None or not item.pk:
        return given
    return nearest_web(stored_web_accounts(item), near)


def given_web_account(accounts):
    """The first of ``accounts`` that is a web account with a site address, or None."""
    for account in accounts:
        if account.type == ChannelAccount.Type.WEB and base_url_of(account):
            return account
    return None


def stored_web_accounts(item):
    """The enabled web accounts with a site address the stored item reaches, by code
    (read once per item inside a content.memo block)."""
    if getattr(item, "_cluster_related_objects", None):  # answered from the stored item
        return memo.once(("web accounts", type(item), item.pk), lambda: _stored_webs(item))
    return memo.once_for(item, "web accounts", lambda: _stored_webs(item))


def nearest_web(webs, near=None):
    """Of ``webs``, the one of organisation ``near`` or the nearest above it, else the first."""
    if near is not None and webs:
        by_org = {}
        for web in webs:
            by_org.setdefault(web.organisation_id, web)
        for org_id in [near.pk, *near.ancestor_ids()]:
            if org_id in by_org:
                return by_org[org_id]
    return webs[0] if webs else None


def _stored_webs(item):
    from content.reach import target_account_list

    if getattr(item, "_cluster_related_objects", None):
        # A revision (or an edited copy) holds its relations in memory; the reach
        # of an item is decided on what is stored.
        model, pk = type(item), item.pk
        item = memo.once(("stored", model, pk), lambda: model._default_manager.filter(pk=pk).first())
        if item is None:
            return []
    return [a for a in target_account_list(item) if a.type == ChannelAccount.Type.WEB and a.base_url != ""]


def web_url_of(item, near=None):
    """The absolute URL of the item's web rendition (see ``web_account_for``), or
    None when no web site carries it. The one definition of an item's web address:
    renditions, short links and the callback's keyword replies all use it."""
    account = web_account_for(item, near=near)
    return web_url_on(account, kinds.kind_of(item).code, item.code) if account else None


def _base62(number):
    if number == 0:
        return BASE62[0]
    out = []
    while number:
        number, rest = divmod(number, 62)
        out.append(BASE62[rest])
    return "".join(reversed(out))


def short_token(kind, pk):
    return f"{TOKEN_PREFIX[kind]}{_base62(pk)}"


def parse_token(token):
    """(model, pk) of a short-link token, or None when it is not one."""
    if len(token) < 2 or token[0] not in KIND_BY_PREFIX:
        return None
    pk = 0
    for char in token[1:]:
        index = BASE62.find(char)
        if index < 0:
            return None
        pk = pk * 62 + index
    return kinds.get(KIND_BY_PREFIX[token[0]]).model, pk


def short_link(kind, pk):
    base = settings.RENDITIONS_SHORT_LINK_BASE
    if not base.endswith("/"):
        base += "/"
    return base + short_token(kind, pk)


def resolve_short_link(token):
    """The web rendition URL a short link leads to, or None (unknown, not live, no web site)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    model, pk = parsed
    item = model.objects.filter(pk=pk, live=True).first()
    if item is None:
        return None
    return web_url_of(item)
