"""What an editor asks for: a preview, the send, the deletion of a sent message.
Each is checked here and stored as a job the worker runs (``broadcasts.tasks``);
nothing talks to WeChat in the request."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.services.dispatch import enqueue, enqueue_many

from ..models import BroadcastPreview, BroadcastSend, State
from . import rules
from .quota import quotas

SENT_OR_GOING = (State.QUEUED, State.SENDING, State.SUBMITTED, State.SENT)


def _refuse(field, message):
    raise ValidationError({field: [message]})


def request_preview(broadcast, account, *, touser="", towxname="", user=None):
    """Queue a preview of the broadcast's latest content on ``account`` to a test
    follower (``touser``) or WeChat id (``towxname``)."""
    touser, towxname = (touser or "").strip(), (towxname or "").strip()
    content = broadcast.get_latest_revision_as_object()
    if not (touser or towxname):
        _refuse(
            "touser",
            _("群发 %(name)s:预览请填写测试粉丝的 OpenID 或微信号")
            % {"name": broadcast.title},
        )
    if account.pk not in {a.pk for a in content.accounts.all()}:
        _refuse(
            "account",
            _("群发 %(name)s:公众号 %(account)s 不在本群发的公众号中")
            % {"name": broadcast.title, "account": account.code},
        )
    problems = rules.content_problems(content)
    if problems:
        raise ValidationError(problems)
    preview = BroadcastPreview.objects.create(
        broadcast=broadcast,
        account=account,
        content_hash=rules.content_hash(content),
        touser="" if towxname else touser,
        towxname=towxname,
        requested_by=user,
    )
    from ..tasks import run_preview

    enqueue(run_preview, preview.pk)
    return preview


def previewed(broadcast, digest):
    return BroadcastPreview.objects.filter(
        broadcast=broadcast, content_hash=digest, state=State.SENT
    ).exists()


def send_plan(broadcast):
    """(problems, [(account, tag_id, quota)]) of sending the approved broadcast now."""
    name = broadcast.title
    problems = []
    if not broadcast.live or broadcast.live_revision_id is None:
        problems.append(_("群发 %(name)s 尚未审核通过,不能发送") % {"name": name})
    elif broadcast.has_unpublished_changes:
        problems.append(
            _("群发 %(name)s 有未审核的修改:审核通过后才能发送") % {"name": name}
        )
    for reasons in rules.content_problems(broadcast).values():
        problems.extend(reasons)
    digest = rules.content_hash(broadcast)
    if not problems and not previewed(broadcast, digest):
        problems.append(
            _("群发 %(name)s 的当前内容尚未预览成功:请先预览给测试粉丝")
            % {"name": name}
        )
    accounts = list(broadcast.accounts.order_by("code"))
    problems.extend(rules.account_problems(broadcast, accounts))
    done = set(
        broadcast.sends.filter(state__in=SENT_OR_GOING).values_list(
            "account_id", flat=True
        )
    )
    waiting = [account for account in accounts if account.pk not in done]
    for account in waiting:
        if not account.enabled:
            problems.append(
                _("群发 %(name)s:公众号 %(account)s 已停用")
                % {"name": name, "account": account.code}
            )
    waiting = [account for account in waiting if account.enabled]
    tag_ids, missing = rules.tag_ids_for(broadcast, waiting)
    problems.extend(missing)
    waiting = [account for account in waiting if account.pk in tag_ids]
    allowance = quotas([(account, tag_ids[account.pk]) for account in waiting])
    plan = []
    for account in waiting:
        quota = allowance[account.pk]
        if not quota.allowed:
            problems.append(quota.refusal(broadcast))
        plan.append((account, tag_ids[account.pk], quota))
    if not plan and not problems:
        problems.append(_("群发 %(name)s 已在所选公众号发送过") % {"name": name})
    return problems, plan


@transaction.atomic
def start_send(broadcast, user=None):
    """Queue the send on each chosen account not yet sent to; ValidationError listing
    every reason (unapproved, not previewed, over quota, unknown tag) and nothing queued."""
    broadcast = type(broadcast).objects.select_for_update().get(pk=broadcast.pk)
    problems, plan = send_plan(broadcast)
    if problems:
        raise ValidationError({"send": problems})
    digest = rules.content_hash(broadcast)
    sends = []
    for account, tag_id, _quota in plan:
        send = BroadcastSend.objects.filter(
            broadcast=broadcast, account=account
        ).first()
        if send is None:
            send = BroadcastSend(
                broadcast=broadcast,
                account=account,
                clientmsgid=f"cms-bc{broadcast.pk}-{account.pk}-{digest[:16]}",
            )
        # A refused send is tried again with its clientmsgid: WeChat kept no record of it.
        send.content_hash, send.tag_id, send.state, send.error, send.sent_by = (
            digest,
            tag_id,
            State.QUEUED,
            "",
            user,
        )
        send.save()
        sends.append(send)
    from ..tasks import run_send

    enqueue_many(run_send, [(send.pk,) for send in sends])
    return sends


@transaction.atomic
def request_delete(broadcast, user=None):
    """Queue the deletion of the sent message on every account it went to."""
    sends = list(
        broadcast.sends.select_for_update()
        .filter(state__in=(State.SUBMITTED, State.SENT))
        .exclude(msg_id="")
    )
    if not sends:
        _refuse(
            "delete",
            _("群发 %(name)s 没有可删除的已发送消息") % {"name": broadcast.title},
        )
    BroadcastSend.objects.filter(pk__in=[s.pk for s in sends]).update(
        error="", claimed_at=timezone.now()
    )
    from ..tasks import run_delete

    enqueue_many(run_delete, [(send.pk,) for send in sends])
    return sends
