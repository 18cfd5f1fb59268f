"""What the editor reads the moment an item goes live from the admin: how many
accounts its push reaches, with a link to the push's progress on the dashboard
(the batch is made by the worker a moment later, so the link names the item and
waits for its batch)."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from content.reach import target_accounts
from publishing.services.batches import Action, channels_for, kind_of


def push_reach(item):
    """The accounts a publish of ``item`` has work for (WeChat jobs or webhooks)."""
    plan = channels_for(kind_of(item), Action.PUBLISH, target_accounts(item))
    return len({account.pk for account, _channel in plan})


def item_progress_url(item, since=None):
    """The page of ``item``'s push made at or after ``since`` (a datetime)."""
    content_type = ContentType.objects.get_for_model(item, for_concrete_model=False)
    url = reverse("publishing:item_batch", args=[content_type.pk, item.pk])
    return f"{url}?since={since.timestamp():.3f}" if since is not None else url


def announce(request, item, approved):
    # The batch is made after this request's transaction commits: a second of slack.
    since = timezone.now() - timedelta(seconds=1)
    done = "已批准并发布" if approved else "已发布"
    count = push_reach(item)
    if not count:
        messages.success(request, f"{done}「{item}」:没有需要推送的账号,各渠道从内容包读取")
        return
    messages.success(
        request, f"{done}「{item}」,正在推送到 {count} 个账号",
        buttons=[messages.button(item_progress_url(item, since), "查看推送进度")],
    )
