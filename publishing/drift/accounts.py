"""Check and repair one WeChat account: read its live state (menus, published
articles, permanent material counts), compare it with the CMS, store the result
(``AccountDrift``); a repair starts the same push jobs editors start, so it is
idempotent, retried and recorded like theirs."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from content.models import Article, ChannelAccount
from publishing.models import AccountDrift, PublishBatch
from publishing.services.articles import open_client
from publishing.services.batches import create_batch
from publishing.services.runner import Refused
from publishing.services.served_menus import menu_now
from wechat.errors import WeChatError
from wechat.models import UploadedAsset

from .articles import article_findings, takedown_of
from .findings import EXTRA, MISSING, Finding
from .menus import latest_push, menu_findings, pushed_menu


@dataclass
class AccountCheck:
    account: ChannelAccount
    findings: list = field(default_factory=list)
    error: str = ""

    @property
    def drifted(self):
        return bool(self.error) or any(f.drifts for f in self.findings)


def official_accounts(codes=None):
    accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, enabled=True)
    if codes:
        accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, code__in=codes)
    return list(accounts.order_by("code"))


def _material_findings(account, counts):
    uploaded = UploadedAsset.objects.filter(app_id=account.app_id, kind__in=("image", "thumb")).exclude(media_id="")
    ours = uploaded.count()
    if counts["image"] < ours:
        return [Finding("material", MISSING, f"永久图片素材:平台上传 {ours} 张,公众号现有 {counts['image']} 张")]
    if counts["image"] > ours:
        return [Finding("material", "foreign", f"永久图片素材 {counts['image'] - ours} 张")]
    return []


def check_account(account):
    """Read the account's live state, compare it and store the result."""
    result = AccountCheck(account)
    try:
        with open_client(account) as client:
            result.findings += menu_findings(account, client.live_menus())
            result.findings += article_findings(account, client.published_article_ids())
            result.findings += _material_findings(account, client.material_counts())
    except (WeChatError, Refused) as exc:
        result.error = f"无法读取公众号 {account.code}:{getattr(exc, 'reason', exc)}"
    AccountDrift.objects.update_or_create(account=account, defaults={
        "checked_at": timezone.now(), "drifted": result.drifted, "error": result.error[:500],
        "findings": [f.as_dict() for f in result.findings],
    })
    return result


def _take_down_menu(account, user, origin):
    """No menu serves the account but the platform's last push left one: delete it."""
    push = latest_push(account)
    menu = pushed_menu(push) if push is not None else None
    if menu is None:
        return None
    batch = create_batch(menu, PublishBatch.Kind.MENU, [account], user=user, origin=origin,
                         action=PublishBatch.Action.UNPUBLISH, code=menu.code, label=f"修复:删除已下线的菜单 {menu.name}")
    return menu if batch is not None else None


def repair_account(account, findings, *, user=None, origin=PublishBatch.Origin.COMMAND):
    """Start the pushes that converge the account; what was started, in words."""
    from publishing.services import publish_item, publish_menu_version

    started = []
    drifting = [f for f in findings if f.drifts]
    if any(f.area == "menu" for f in drifting):
        version = menu_now(account)
        if version is not None and publish_menu_version(version, accounts=[account], user=user, origin=origin):
            started.append(f"菜单 {version.menu.code} v{version.number}")
        elif version is None and (taken_down := _take_down_menu(account, user, origin)):
            started.append(f"删除已下线的菜单 {taken_down.code}")
    for code in sorted({f.code for f in drifting if f.area == "article" and f.kind == MISSING}):
        try:
            publish_item(Article.objects.get(code=code), accounts=[account], user=user, origin=origin)
        except (Article.DoesNotExist, ValidationError) as exc:
            started.append(f"图文 {code} 不能重新发布:{'; '.join(getattr(exc, 'messages', [str(exc)]))}")
        else:
            started.append(f"图文 {code}")
    extra = {f.ref for f in drifting if f.area == "article" and f.kind == EXTRA and f.ref}
    for source_id, article_ids in sorted(takedown_of(account, extra).items()):
        # A replaced version or a takedown that did not land: delete it (freepublish/delete).
        create_batch(Article(pk=int(source_id)), PublishBatch.Kind.ARTICLE, [account], user=user, origin=origin,
                     action=PublishBatch.Action.UNPUBLISH, takedown={account.pk: article_ids},
                     label=f"修复:删除多余图文 {', '.join(article_ids)}"[:200])
        started.append(f"删除多余图文 {', '.join(article_ids)}")
    if any(f.area == "material" and f.kind == MISSING for f in drifting):
        # Covers WeChat no longer holds are uploaded again by the next push that needs them.
        UploadedAsset.objects.filter(app_id=account.app_id, kind__in=("image", "thumb")).delete()
        started.append("永久图片素材记录已清除,下次推送重新上传")
    return started
