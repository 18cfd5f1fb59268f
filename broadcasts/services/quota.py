"""WeChat's mass-send quota of an account, counted from this platform's own sends
(``BroadcastSend`` rows that were not refused): a subscription account sends once a
Beijing day; on a service account each follower receives four a calendar month.

WeChat does not tell which followers a tag send reached, so a service account's use
for an audience is counted as the sends to all followers this month plus the sends
to that tag (for all followers: plus the most any one tag received): never less than
what any follower of the audience received. Sends made in WeChat's own back office
are not seen here; WeChat then refuses with 45028, which the send records."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import ChannelAccount
from wechat import limits

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Quota:
    """An account's mass-send allowance for one audience, as the admin shows it."""

    account: ChannelAccount
    limit: int
    used: int
    period: str  # "day" or "month"

    @property
    def remaining(self):
        return max(0, self.limit - self.used)

    @property
    def allowed(self):
        return self.remaining > 0

    def __str__(self):
        if self.period == "day":
            return _("订阅号:今天已群发 %(used)s 次,每天 %(limit)s 次") % {
                "used": self.used,
                "limit": self.limit,
            }
        return _(
            "服务号:本月该范围的粉丝最多已收到 %(used)s 条,每人每月 %(limit)s 条"
        ) % {"used": self.used, "limit": self.limit}

    def refusal(self, broadcast):
        return _("群发 %(name)s:公众号 %(account)s 没有群发额度(%(quota)s)") % {
            "name": broadcast.title,
            "account": self.account.code,
            "quota": self,
        }


def _period_start(now, period):
    local = timezone.localtime(now, BEIJING)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        start = start.replace(day=1)
    return start.astimezone(datetime.UTC)


def quotas(audiences, now=None):
    """{account pk: Quota} for ``audiences``, pairs (account, tag id or None for all
    followers), read in one query whatever their number."""
    from broadcasts.models import BroadcastSend, State

    now = now or timezone.now()
    day, month = _period_start(now, "day"), _period_start(now, "month")
    used = {}  # account pk -> {tag id: [sends this month, sends today]}
    rows = (
        BroadcastSend.objects.filter(
            account__in=[account for account, _tag in audiences], queued_at__gte=month
        )
        .exclude(state=State.FAILED)
        .values_list("account_id", "tag_id")
        .annotate(month=Count("pk"), today=Count("pk", filter=Q(queued_at__gte=day)))
        .order_by()
    )
    for account_id, tag_id, this_month, today in rows:
        used.setdefault(account_id, {})[tag_id] = (this_month, today)
    return {
        account.pk: _quota(account, tag_id, used.get(account.pk, {}))
        for account, tag_id in audiences
    }


def _quota(account, tag_id, by_tag):
    if account.official_kind == ChannelAccount.OfficialKind.SUBSCRIPTION:
        today = sum(n for _month, n in by_tag.values())
        return Quota(account, limits.MASS_SUBSCRIPTION_PER_DAY, today, "day")
    monthly = {tag: n for tag, (n, _today) in by_tag.items()}
    to_all = monthly.pop(None, 0)
    tagged = (
        monthly.get(tag_id, 0)
        if tag_id is not None
        else max(monthly.values(), default=0)
    )
    return Quota(
        account, limits.MASS_SERVICE_PER_FOLLOWER_PER_MONTH, to_all + tagged, "month"
    )


def quota_for(account, tag_id=None, now=None):
    """The allowance of ``account`` for a send to all followers (``tag_id`` None) or to a tag."""
    return quotas([(account, tag_id)], now)[account.pk]
