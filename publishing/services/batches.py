"""Publishing an item or a menu version: one batch, one publication per target
account and channel, each run as a job once the transaction commits."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from content import kinds
from content.models import ChannelAccount
from content.reach import target_accounts
from content.services.approval import left_out_channels
from publishing.models import OPEN_STATES, Publication, PublishBatch, WebhookEndpoint

from . import ledger
from .dispatch import enqueue_many

Kind = PublishBatch.Kind
Action = PublishBatch.Action

# What WeChat's server API carries; everything else reaches channels through webhooks
# (auto-replies and template messages are served by the callback from the bundle;
# an image auto-reply's image goes up as a permanent material first, see wechat_work).
WECHAT_KINDS = {Kind.ARTICLE, Kind.NEWS_GROUP, Kind.MENU}


def wechat_work(kind, item):
    """True when publishing ``item`` calls WeChat's API (not only webhooks)."""
    if kind == Kind.AUTO_REPLY:
        return getattr(item, "reply_type", "") == "image" and getattr(item, "reply_image_id", None) is not None
    return kind in WECHAT_KINDS


def kind_of(obj):
    """The batch kind of what is pushed: an item, or a version of a menu."""
    from menus.models import MenuVersion

    if isinstance(obj, MenuVersion):
        return Kind.MENU
    kind = kinds.kind_of(obj)
    if kind is not None and kind.pushed and kind.code != Kind.MENU:
        return Kind(kind.code)
    raise ValidationError({"kind": f"{type(obj).__name__} 不能推送到渠道"})


def channels_for(kind, action, accounts, takedown=None, to_wechat=None):
    """(account, channel) pairs with work to do: WeChat jobs for official accounts
    (publishing; or deleting the articles ``takedown`` lists per account id),
    webhook deliveries for accounts with an enabled endpoint."""
    takedown = takedown or {}
    to_wechat = kind in WECHAT_KINDS if to_wechat is None else to_wechat
    accounts = list(accounts)
    hooked = set(
        WebhookEndpoint.objects.filter(account__in=accounts, enabled=True).values_list("account_id", flat=True)
    )
    plan = []
    for account in accounts:
        if (
            action == Action.PUBLISH
            and to_wechat
            and account.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
        ):
            plan.append((account, Publication.Channel.WECHAT))
        official = account.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
        # An unpublished menu leaves the account (menu/delete); an unpublished
        # article deletes the messages ``takedown`` lists.
        if action == Action.UNPUBLISH and (takedown.get(account.pk) or (kind == Kind.MENU and official)):
            plan.append((account, Publication.Channel.WECHAT))
        if account.pk in hooked:
            plan.append((account, Publication.Channel.WEBHOOK))
    return plan


def create_batch(source, kind, accounts, *, user=None, action=Action.PUBLISH, revision_id=None, code="", label="",
                 origin=PublishBatch.Origin.EDITOR, takedown=None, to_wechat=None, positions=None, left_out=()):
    """Store the batch and its publications; each job starts after commit. None when
    no target account has anything to receive. ``takedown`` ({account id: [article_id]})
    is what an unpublish deletes from each official account, fixed now so a later
    publish of the item is never deleted by it; ``positions`` ({account id: {article_id:
    index}}) narrows a deletion to one position of a news group's message."""
    takedown, positions = takedown or {}, positions or {}
    plan = channels_for(kind, action, accounts, takedown, to_wechat)
    if not plan:
        return None
    with transaction.atomic():
        batch = PublishBatch.objects.create(
            kind=kind,
            action=action,
            origin=origin,
            source_type=ContentType.objects.get_for_model(source, for_concrete_model=False),
            source_id=str(source.pk),
            source_code=code[:128],
            label=label[:200],
            revision_id=revision_id,
            left_out_channels=list(left_out),
            requested_by=user if user is not None and user.is_authenticated else None,
        )
        publications = Publication.objects.bulk_create(
            Publication(batch=batch, account=account, channel=channel,
                        remote=_takedown_remote(takedown, positions, account) if account.pk in takedown
                        and channel == Publication.Channel.WECHAT else {})
            for account, channel in plan
        )
        from publishing.tasks import run_publication

        enqueue_many(run_publication, [(publication.pk,) for publication in publications])
    return batch


def _takedown_remote(takedown, positions, account):
    remote = {"article_ids": takedown[account.pk]}
    if positions.get(account.pk):
        remote["positions"] = positions[account.pk]
    return remote


def _live_revision_id(item):
    return getattr(item, "live_revision_id", None)


def publish_item(item, *, accounts=None, user=None, action=Action.PUBLISH, revision=None,
                 origin=PublishBatch.Origin.EDITOR):
    """Push a published (or just unpublished) content item to its target accounts.

    ``accounts`` narrows the targets (each must be one of them). The channels the
    approval of ``revision`` left out (content.services.approval) get nothing."""
    kind = kind_of(item)
    if action == Action.PUBLISH and not getattr(item, "live", True):
        raise ValidationError({"live": f"{item} 尚未发布,不能推送"})
    targets = list(target_accounts(item))
    if accounts is not None:
        allowed = {account.pk for account in targets}
        outside = [account.code for account in accounts if account.pk not in allowed]
        if outside:
            raise ValidationError({"account": f"{item} 不面向这些账号:{', '.join(outside)}"})
        targets = list(accounts)
    left_out = left_out_channels(revision) if action == Action.PUBLISH else []
    targets = [account for account in targets if account.type not in left_out]
    takedown = {}
    if action == Action.UNPUBLISH and kind in ledger.MESSAGE_KINDS:
        # Taken down wherever it is live, including accounts it no longer targets.
        takedown = ledger.live_ids_by_account(ContentType.objects.get_for_model(item, for_concrete_model=False),
                                              [item.pk])
        if accounts is not None:
            takedown = {pk: ids for pk, ids in takedown.items() if pk in {a.pk for a in accounts}}
        known = {account.pk for account in targets}
        targets += list(ChannelAccount.objects.filter(pk__in=set(takedown) - known).order_by("code"))
    revision_id = revision.pk if revision is not None else _live_revision_id(item)
    code = getattr(item, "code", "") or str(item.pk)
    return create_batch(item, kind, targets, user=user, action=action, revision_id=revision_id, code=code,
                        label=str(item), origin=origin, takedown=takedown, to_wechat=wechat_work(kind, item),
                        left_out=left_out)


def take_down_deleted(source_type_id, source_id, code="", label=""):
    """A deleted article or news group: delete its live WeChat articles from every
    account (the item is gone, so the batch is built from the ledger alone)."""
    source_type = ContentType.objects.get_for_id(source_type_id)
    model = source_type.model_class()
    takedown = ledger.live_ids_by_account(source_type, [source_id])
    if not takedown:
        return None
    accounts = list(ChannelAccount.objects.filter(pk__in=takedown).order_by("code"))
    return create_batch(model(pk=source_id), kind_of(model()), accounts, action=Action.UNPUBLISH, code=code,
                        label=label, takedown=takedown)


def take_down_group_positions(article_pk, code="", label=""):
    """A deleted library article that is a position of live news group messages:
    delete only that position (freepublish/delete with ``index``); the rest of each
    message stays live, and the group's ledger row with it."""
    from content.models import Article

    positions = ledger.live_group_positions(int(article_pk))
    if not positions:
        return None
    takedown = {account_id: sorted(ids) for account_id, ids in positions.items()}
    accounts = list(ChannelAccount.objects.filter(pk__in=positions).order_by("code"))
    return create_batch(Article(pk=article_pk), Kind.NEWS_GROUP, accounts, action=Action.UNPUBLISH, code=code,
                        label=f"从图文组合中删除 {label}"[:200], takedown=takedown, positions=positions)


def _being_taken_down(account_id):
    """article_ids an open takedown job of the account already holds."""
    remotes = Publication.objects.filter(
        account_id=account_id, channel=Publication.Channel.WECHAT, batch__action=Action.UNPUBLISH,
        state__in=OPEN_STATES,
    ).values_list("remote", flat=True)
    return {article_id for remote in remotes for article_id in (remote or {}).get("article_ids", [])}


def replace_superseded(publication_id):
    """After an article went live on an account: delete the versions it replaces there
    (an earlier version, or the shared original of a local copy) unless the account
    keeps replaced articles; and the new one too when the item was unpublished or
    deleted meanwhile. One small unpublish batch, shown on the dashboard."""
    pub = Publication.objects.select_related("batch", "account").filter(pk=publication_id).first()
    if (pub is None or pub.channel != Publication.Channel.WECHAT or pub.batch.kind not in ledger.MESSAGE_KINDS
            or pub.batch.action != Action.PUBLISH or not pub.article_id):
        return None
    batch = pub.batch
    item = batch.source_type.model_class()._default_manager.filter(pk=batch.source_id).first()
    stale = [] if pub.account.keep_replaced_articles else ledger.superseded(pub)
    if item is None or not getattr(item, "live", True):
        # Unpublished or deleted while this job ran: its takedown did not know this article yet.
        stale.append(pub.article_id)
    stale = [article_id for article_id in stale if article_id not in _being_taken_down(pub.account_id)]
    if not stale:
        return None
    source = batch.source_type.model_class()(pk=batch.source_id)
    return create_batch(source, batch.kind, [pub.account], action=Action.UNPUBLISH, code=batch.source_code,
                        label=f"替换旧版本 {batch.label}"[:200], origin=PublishBatch.Origin.EDITOR,
                        takedown={pub.account_id: stale})


def publish_menu_version(version, *, accounts=None, user=None, origin=PublishBatch.Origin.EDITOR):
    """Push a published menu version to ``accounts``, by default to every account its
    base menu serves (its own, unless another menu is rolled out to it, and each account
    it is rolled out to, menus.rollout): one batch, one publication per account."""
    from menus.rollout import served_accounts

    menu = version.menu
    targets = list(accounts) if accounts is not None else served_accounts(menu)
    return create_batch(
        version, Kind.MENU, targets, user=user, revision_id=version.pk, code=menu.code,
        label=f"{menu.name} v{version.number}", origin=origin,
    )
