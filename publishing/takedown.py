"""Where an item is live now, as the unpublish and delete confirmations list it: the
WeChat official accounts the ledger has it live on (publishing.services.ledger), and
the accounts that read it from their bundle or the API (every account it reaches,
``content.reach.target_accounts``)."""

from content import kinds
from content.models import ChannelAccount
from content.reach import target_accounts
from content.views.takedown import LiveAccount
from publishing.services import ledger
from publishing.services.batches import WECHAT_KINDS

WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


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
        for a in (ledger.live_accounts(item) if pushed else [])
    ]
    for account in target_accounts(item):
        if pushed and account.type == WECHAT:
            continue  # known from the ledger above
        out.append(LiveAccount(account.code, account.name, account.get_type_display(), "从内容包/接口读取,将不再提供"))
    return out

