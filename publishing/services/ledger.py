"""The ledger of what this platform published on WeChat: every done article (or
news group: one message, one ``article_id``) publication keeps its ``article_id``;
``withdrawn_at`` is set when that article was deleted (replaced by a newer version,
or taken down). Menus, keyword replies, the
API and the drift check read article ids from here only."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from content.models import Article, ChannelAccount
from publishing.models import Publication, PublishBatch, State

# What goes on WeChat as a published message (freepublish): an article, or a news group.
MESSAGE_KINDS = (PublishBatch.Kind.ARTICLE, PublishBatch.Kind.NEWS_GROUP)


def published():
    """Done WeChat publications of articles and news groups, each with its article_id."""
    return Publication.objects.filter(
        channel=Publication.Channel.WECHAT, batch__kind__in=MESSAGE_KINDS,
        batch__action=PublishBatch.Action.PUBLISH, state=State.DONE,
    ).exclude(article_id="")


def live():
    return published().filter(withdrawn_at=None)


def of_source(publications, source_type, source_ids):
    return publications.filter(batch__source_type=source_type, batch__source_id__in=[str(pk) for pk in source_ids])


def lineage(item):
    """The item and the original it is a local copy of: on an account they replace each other."""
    ids = [item.pk]
    if isinstance(item, Article) and item.origin_id:
        ids.append(item.origin_id)
    return ContentType.objects.get_for_model(item, for_concrete_model=False), ids


def live_article_id(code, account):
    """The article_id readers of ``account`` should be sent to for the article ``code``
    (its newest live publication there), or "" when it is not live there."""
    pub = live().filter(account=account, batch__kind=PublishBatch.Kind.ARTICLE, batch__source_code=code).order_by("-finished_at", "-pk").first()
    return pub.article_id if pub else ""


def platform_articles(account):
    """article_ids this platform published on ``account``: ``live`` (should be on
    WeChat) and ``withdrawn`` (replaced or taken down: should not)."""
    rows = published().filter(account=account).values_list("article_id", "withdrawn_at")
    live_ids = {article_id for article_id, withdrawn_at in rows if withdrawn_at is None}
    return {"live": live_ids, "withdrawn": {article_id for article_id, _ in rows} - live_ids}


def live_accounts(item):
    """Official accounts the item is live on now (what a takedown will delete from)."""
    source_type, ids = ContentType.objects.get_for_model(item, for_concrete_model=False), [item.pk]
    account_ids = of_source(live(), source_type, ids).values("account_id")
    return ChannelAccount.objects.filter(pk__in=account_ids).order_by("code")


def live_ids_by_account(source_type, source_ids):
    """{account_id: [article_id, ...]} of the live articles of these sources."""
    out = {}
    for account_id, article_id in of_source(live(), source_type, source_ids).values_list("account_id", "article_id"):
        out.setdefault(account_id, []).append(article_id)
    return out


def superseded(pub):
    """article_ids on ``pub``'s account that its (newer) article replaces: earlier
    versions of the same item, or the original a local copy stands in for."""
    batch = pub.batch
    model = batch.source_type.model_class()
    item = model._default_manager.filter(pk=batch.source_id).first()
    if item is None:
        return []
    source_type, ids = lineage(item)
    older = of_source(live(), source_type, ids).filter(account_id=pub.account_id).exclude(pk=pub.pk)
    return sorted(set(older.exclude(article_id=pub.article_id).values_list("article_id", flat=True)))


def live_group_positions(article_pk):
    """{account_id: {article_id: index}}: where the article is a position (from 1) of a
    live news group message, read from what each group publication sent."""
    out = {}
    rows = live().filter(batch__kind=PublishBatch.Kind.NEWS_GROUP).values_list("account_id", "article_id", "remote")
    for account_id, article_id, remote in rows:
        sent = (remote or {}).get("articles") or []
        if article_pk in sent:
            out.setdefault(account_id, {})[article_id] = sent.index(article_pk) + 1
    return out


def mark_withdrawn(account, article_id):
    """The article is no longer on the account: every ledger row carrying it says so."""
    return published().filter(account=account, article_id=article_id, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )
