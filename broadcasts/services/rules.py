"""The rules of a mass send, one place for the form, the model, preview and send:
what it carries (a live news group or a text), to whom (all followers or a brand's
tag) and on which accounts (official accounts of its organisation and below), and
the digest of its content that a preview is matched against."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models import ChannelAccount
from content.services.groups import group_problems
from content.services.organisations import subtree_ids
from menus.models import FollowerTag


def _name(broadcast):
    return broadcast.title or _("群发")


def content_problems(broadcast):
    """{field: [reasons]} of what the message carries; {} when it can be sent."""
    from broadcasts.models import Broadcast

    name = _name(broadcast)
    if broadcast.kind == Broadcast.Kind.NEWS:
        group = broadcast.news_group
        if group is None:
            return {"news_group": [_("群发 %(name)s:请选择图文组合") % {"name": name}]}
        if not group.live:
            return {
                "news_group": [
                    _("群发 %(name)s:图文组合 %(group)s 尚未发布")
                    % {"name": name, "group": group.code}
                ]
            }
        problems = group_problems(group, group.ordered_articles())
        return {"news_group": problems} if problems else {}
    if broadcast.kind == Broadcast.Kind.TEXT and not (broadcast.text or "").strip():
        return {"text": [_("群发 %(name)s:文本内容不能为空") % {"name": name}]}
    return {}


def allowed_accounts(organisation_id):
    """Official accounts a broadcast of this organisation may go to: its own and those below."""
    return ChannelAccount.objects.filter(
        organisation_id__in=subtree_ids(organisation_id),
        type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT,
    )


def account_problems(broadcast, accounts):
    name = _name(broadcast)
    if not accounts:
        return [_("群发 %(name)s:请至少选择一个公众号") % {"name": name}]
    problems = []
    allowed = set()
    if broadcast.organisation_id:
        allowed = set(
            allowed_accounts(broadcast.organisation_id)
            .filter(pk__in=[a.pk for a in accounts])
            .values_list("pk", flat=True)
        )
    for account in accounts:
        if account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
            problems.append(
                _("群发 %(name)s:%(account)s 不是公众号")
                % {"name": name, "account": account.code}
            )
        elif broadcast.organisation_id and account.pk not in allowed:
            problems.append(
                _("群发 %(name)s:公众号 %(account)s 不属于本组织或下级组织")
                % {"name": name, "account": account.code}
            )
    return problems


def validate_broadcast(broadcast, accounts=None):
    """ValidationError naming the broadcast and the field of each broken rule. The
    accounts are checked when given: a form holds them apart from the instance until
    it saves (the send checks them again)."""
    from broadcasts.models import Broadcast

    errors = content_problems(broadcast)
    if broadcast.audience == Broadcast.Audience.BRAND and broadcast.brand_id is None:
        errors["brand"] = [
            _("群发 %(name)s:发给品牌标签的粉丝时请选择品牌")
            % {"name": _name(broadcast)}
        ]
    problems = [] if accounts is None else account_problems(broadcast, list(accounts))
    if problems:
        errors["accounts"] = problems
    if errors:
        raise ValidationError(errors)


def tag_ids_for(broadcast, accounts):
    """({account pk: WeChat tag id, or None for all followers}, [problems]) in one
    query: a brand without a follower tag on an account cannot be sent to there (tags
    are created when the brand's menu variant is published on the account)."""
    from broadcasts.models import Broadcast

    if broadcast.audience != Broadcast.Audience.BRAND:
        return {account.pk: None for account in accounts}, []
    held = dict(
        FollowerTag.objects.filter(
            account__in=accounts, brand_id=broadcast.brand_id
        ).values_list("account_id", "tag_id")
    )
    problems = [
        _(
            "群发 %(name)s:公众号 %(account)s 上没有品牌「%(brand)s」的粉丝标签(发布该品牌的菜单变体时创建),无法按标签群发"
        )
        % {
            "name": _name(broadcast),
            "account": account.code,
            "brand": broadcast.brand.name,
        }
        for account in accounts
        if account.pk not in held
    ]
    return held, problems


def content_hash(broadcast):
    """Digest of what followers would receive: the text, or the news group's live
    revision and each of its articles' live revisions in order."""
    from broadcasts.models import Broadcast

    if broadcast.kind == Broadcast.Kind.NEWS and broadcast.news_group is not None:
        group = broadcast.news_group
        carried = {
            "group": group.pk,
            "revision": group.live_revision_id,
            "articles": [[a.pk, a.live_revision_id] for a in group.ordered_articles()],
        }
    else:
        carried = {"text": broadcast.text}
    carried.update(kind=broadcast.kind, reprint=bool(broadcast.send_ignore_reprint))
    return hashlib.sha256(
        json.dumps(carried, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
