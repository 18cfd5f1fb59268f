"""Where an item is live now, from the ledger of pushes: the WeChat official accounts
whose last finished push of the item published it (not taken down since), and the
accounts that read it from their bundle or the API (every account it reaches,
``content.reach.target_accounts``). Unpublish and delete confirmations list them."""

from django.contrib.contenttypes.models import ContentType

from content import kinds
from content.models import ChannelAccount
from content.reach import target_accounts
from content.views.takedown import LiveAccount
from publishing.models import Publication, PublishBatch, State
from publishing.services.batches import WECHAT_KINDS

WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


def pushed_to(item):
    """WeChat official accounts holding ``item``: the last done WeChat push of it per account was a publish."""
    content_type = ContentType.objects.get_for_model(item, for_concrete_model=False)
    done = (
        Publication.objects.filter(
            batch__source_type=content_type, batch__source_id=str(item.pk),
            channel=Publication.Channel.WECHAT, state=State.DONE,
        )
        .select_related("account", "batch")
        .order_by("finished_at", "pk")
    )
    last = {}
    for publication in done:
        last[publication.account_id] = (publication.account, publication.batch.action)
    return sorted((account for account, action in last.values() if action == PublishBatch.Action.PUBLISH),
                  key=lambda account: account.code)


def live_accounts(item):
    """[LiveAccount] serving ``item`` now, WeChat pushes first."""
    if not getattr(item, "live", False) or item.pk is None:
        return []
    kind = kinds.kind_of(item)
    if kind is not None and kind.code == kinds.Kind.MENU:
        account = item.account
        return [LiveAccount(account.code, account.name, account.get_type_display(), "当前提供此菜单")]
    pushed = kind is not None and kind.code in WECHAT_KINDS
    out = [
        LiveAccount(a.code, a.name, a.get_type_display(), "已推送发布到该公众号")
        for a in (pushed_to(item) if pushed else [])
    ]
    for account in target_accounts(item):
        if pushed and account.type == WECHAT:
            continue  # known from the ledger above
        out.append(LiveAccount(account.code, account.name, account.get_type_display(), "从内容包/接口读取,将不再提供"))
    return out

