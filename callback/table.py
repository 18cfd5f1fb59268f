"""Per-account reply tables in the Django cache (Redis when configured), rebuilt on
publish, and their compiled form held per process.

Keys: ``index`` (the codes of accounts that take callbacks), ``gen:<code>`` (the
current generation of an account's table) and ``table:<code>:<generation>``. A
request reads ``index`` and ``gen:<code>`` in one round trip and finds the
compiled table in process memory unless the generation moved. Secrets travel
through the cache Fernet-encrypted, as they are at rest."""

import logging
import time
import uuid

from django.core.cache import cache

from content.models import AutoReply, ChannelAccount
from content.secrets import SecretUnreadable, encrypt
from content.services.replies import effective_rules

from .articles import news_article
from .images import reply_image_media_id
from .replies import clip_text
from .rules import ReplyTable

logger = logging.getLogger(__name__)

PREFIX = "wechat_callback"
INDEX_KEY = f"{PREFIX}:index"
# Tables of an old generation are dropped on rebuild; the timeout only bounds leftovers.
TABLE_TIMEOUT = 30 * 24 * 3600

# How long a process answers from its compiled table before asking the cache whether
# the generation moved: a publish reaches other processes within this delay, and
# the hot path saves a cache round trip on most requests.
RECHECK_SECONDS = 1.0

# code -> ReplyTable, per process.
_compiled = {}


def gen_key(code):
    return f"{PREFIX}:gen:{code}"


def table_key(code, generation):
    return f"{PREFIX}:table:{code}:{generation}"


def callback_accounts():
    """Official accounts that take callbacks: enabled and with a callback token."""
    return (
        ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, enabled=True)
        .exclude(callback_token="")
        .select_related("organisation")
    )


def _rule_data(rule, account):
    data = {
        "id": rule.pk,
        "kind": rule.kind,
        "keyword": rule.keyword,
        "match": rule.match,
        "event_key": rule.event_key,
        "priority": rule.priority,
    }
    if rule.reply_type == AutoReply.ReplyType.TEXT:
        if not rule.reply_text.strip():
            return None
        return {**data, "reply_type": "text", "text": clip_text(rule.reply_text)}
    if rule.reply_type == AutoReply.ReplyType.ARTICLE:
        article = rule.reply_article
        if article is None or not article.live:
            logger.warning("auto-reply %s points at an unpublished article; it is left out", rule.pk)
            return None
        return {**data, "reply_type": "news", "article": news_article(article, account)}
    if rule.reply_type == AutoReply.ReplyType.IMAGE:
        media_id = reply_image_media_id(rule, account)
        if not media_id:
            # Its push job uploads the image and rebuilds the table when it is done.
            logger.info("auto-reply %s: its image is not uploaded to %s yet; left out", rule.pk, account.code)
            return None
        return {**data, "reply_type": "image", "media_id": media_id}
    return None


def build_table(account):
    """The cacheable table of one account from its effective published rules (its
    own merged with those its organisations share down)."""
    data = {
        "generation": uuid.uuid4().hex,
        "account_id": account.pk,
        "code": account.code,
        "app_id": account.app_id,
        "token": "",
        "aes_key": "",
        "rules": [],
    }
    try:
        data["token"] = encrypt(account.callback_token.reveal())
        data["aes_key"] = encrypt(account.encoding_aes_key.reveal())
    except SecretUnreadable as exc:
        # Stored under a key no longer configured: the callback refuses with this
        # reason (not a 500) until the key is restored or the secret set again.
        data["unreadable"] = str(exc)
        return data
    for effective in effective_rules(account):
        compiled = _rule_data(effective.rule, account)
        if compiled is not None:
            data["rules"].append(compiled)
    return data


def rebuild_index():
    """Store the set of callback account codes; drop generations of accounts gone."""
    codes = frozenset(callback_accounts().values_list("code", flat=True))
    for code in set(_compiled) - codes:
        _compiled.pop(code, None)
    previous = cache.get(INDEX_KEY) or frozenset()
    cache.set(INDEX_KEY, codes, None)
    gone = [gen_key(code) for code in previous - codes]
    if gone:
        cache.delete_many(gone)
    return codes


def rebuild_table(code, *, only_if_absent=False):
    """Build and store an account's table; returns its data, or None when the account
    takes no callbacks. ``only_if_absent`` (a cache miss while answering) never
    replaces a generation stored meanwhile by a publish."""
    _compiled.pop(code, None)
    account = callback_accounts().filter(code=code).first()
    if account is None:
        cache.delete(gen_key(code))
        return None
    data = build_table(account)
    cache.set(table_key(code, data["generation"]), data, TABLE_TIMEOUT)
    if only_if_absent:
        if not cache.add(gen_key(code), data["generation"], None):
            current = cache.get(gen_key(code))
            stored = cache.get(table_key(code, current)) if current else None
            return stored or data
        return data
    previous = cache.get(gen_key(code))
    cache.set(gen_key(code), data["generation"], None)
    if previous and previous != data["generation"]:
        cache.delete(table_key(code, previous))
    return data


def rebuild_account(account_id):
    """Rebuild after a change of the account or its rules (called on commit)."""
    rebuild_accounts([account_id])


def rebuild_accounts(account_ids):
    """Rebuild the tables of several accounts, e.g. every one below an organisation
    whose shared rule changed."""
    codes = ChannelAccount.objects.filter(pk__in=list(account_ids)).values_list("code", flat=True)
    rebuild_index()
    for code in sorted(codes):
        rebuild_table(code)


def rebuild_all():
    """Every account's table and the index, e.g. after a bulk import."""
    codes = rebuild_index()
    for code in sorted(codes):
        rebuild_table(code)
    return codes


def lookup(code):
    """The compiled ReplyTable of an account, or None for an account that takes no
    callbacks. Warm: at most one cache round trip a second per process, no SQL."""
    held = _compiled.get(code)
    now = time.monotonic()
    if held is not None and now - held.checked_at < RECHECK_SECONDS:
        return held
    # The generations of every table held here come in the same round trip: one a
    # second per process, not one per account.
    others = [other for other in list(_compiled) if other != code]  # list(): one atomic copy
    found = cache.get_many([INDEX_KEY, gen_key(code), *map(gen_key, others)])
    index = found.get(INDEX_KEY)
    if index is not None:
        for other in others:
            table = _compiled.get(other)
            if (table is not None and not table.unreadable and other in index
                    and found.get(gen_key(other)) == table.generation):
                table.checked_at = now
    if index is None:
        index = rebuild_index()
    if code not in index:
        return None
    generation = found.get(gen_key(code))
    if held is not None and generation is not None and held.generation == generation and not held.unreadable:
        held.checked_at = now
        return held
    data = cache.get(table_key(code, generation)) if generation else None
    if data is None:
        data = rebuild_table(code, only_if_absent=True)
    elif data.get("unreadable"):
        # A table without its secrets is built again (at most once a second per
        # process), so restoring the key heals the callback without a rebuild command.
        data = rebuild_table(code)
    if data is None:
        return None
    try:
        table = ReplyTable(data)
    except ValueError:
        # Secrets sealed under a previous CMS_SECRETS_KEY: build again under the current one.
        data = rebuild_table(code)
        if data is None:
            return None
        table = ReplyTable(data)
    table.checked_at = now
    _compiled[code] = table
    return table
