"""Accepting a template message to send: every check the platform can make before
WeChat sees it, then one stored ``Send`` and its delivery job.

What is checked, and refused with a ``SendRefused`` naming the field:
- the account is one the caller may send from (its API client's accounts);
- the definition code names a live definition sent from that account, whose template
  id the account has obtained;
- the values fill exactly the definition's fields, each within its keyword type
  (``wechat.template_values``: text, length, format);
- the openid is well formed and not known as another account's follower: WeChat's
  openids are per account, and the callback records who writes to which account
  (``callback.models.Follower``). An openid that unsubscribed from the account is
  refused too. An openid the callback never saw cannot be checked here: it is sent,
  and WeChat's answer (40003 invalid openid, 43004 not following) is the outcome;
- a client message id already used on the account returns the original send, or
  is refused when the request differs from it (409).

The check-then-insert races are closed by the unique (account, client message id):
of two concurrent requests one inserts, the other reads its row back."""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from callback.models import Follower
from content.models import ChannelAccount, TemplateMessage, TemplateMessageMapping
from publishing.services.dispatch import enqueue
from wechat import template_values

from .models import Send

OPENID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
CLIENT_MSG_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
MAX_URL_CHARS = 1024


@dataclass
class Problem:
    field: str
    code: str
    message: str


@dataclass
class SendRefused(Exception):
    """The request cannot be sent; ``status`` is the HTTP status the API answers."""

    problems: list = field(default_factory=list)
    status: int = 400

    def __str__(self):
        return "; ".join(f"{p.field}: {p.message}" for p in self.problems)


@dataclass(frozen=True)
class Request:
    """What a business system (or the admin's test-send) asks to send."""

    definition: object
    account: object
    openid: object
    values: object
    client_msg_id: object
    url: object = ""


def _refuse(field_name, code, message, status=400):
    raise SendRefused([Problem(field_name, code, message)], status)


def _text(value, field_name, pattern, what):
    if not isinstance(value, str) or not value:
        _refuse(field_name, "REQUIRED", f"缺少{what}")
    if not pattern.match(value):
        _refuse(field_name, "INVALID_VALUE", f"{what} {value[:64]} 格式不正确")
    return value


def _account(request, allowed_account_ids):
    code = request.account
    if not isinstance(code, str) or not code:
        _refuse("account", "REQUIRED", "缺少公众号代码")
    account = ChannelAccount.objects.filter(code=code, pk__in=allowed_account_ids, enabled=True).first()
    if account is None:
        _refuse("account", "ACCOUNT_NOT_ALLOWED", f"公众号 {code[:64]} 不存在或不在本调用方的授权范围内", 403)
    if account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        _refuse("account", "NOT_OFFICIAL_ACCOUNT", f"账号 {code} 不是微信公众号")
    return account


def _fingerprint(definition_code, openid, values, url):
    return (definition_code, openid, values, url or "")


def _replayed(account, client_msg_id, request):
    original = Send.objects.filter(account=account, client_msg_id=client_msg_id).first()
    if original is None:
        return None
    asked = _fingerprint(request.definition, request.openid, request.values, request.url)
    if asked != _fingerprint(original.code, original.openid, original.values, original.url):
        _refuse(
            "client_msg_id",
            "CLIENT_MSG_ID_REUSED",
            f"调用方消息ID {client_msg_id} 已用于另一条消息(第 {original.pk} 号发送)",
            409,
        )
    return original


def _definition(request, account):
    code = request.definition
    if not isinstance(code, str) or not code:
        _refuse("definition", "REQUIRED", "缺少模板消息代码")
    definition = TemplateMessage.objects.filter(code=code, live=True).first()
    if definition is None:
        _refuse("definition", "UNKNOWN_DEFINITION", f"模板消息 {code[:64]} 不存在或未发布")
    mapping = TemplateMessageMapping.objects.filter(definition=definition, account=account).first()
    if mapping is None:
        _refuse("definition", "NOT_FOR_ACCOUNT", f"模板消息 {code} 不从公众号 {account.code} 发送")
    if not mapping.wechat_template_id:
        reason = f":{mapping.bind_error}" if mapping.bind_error else ""
        _refuse("definition", "NOT_BOUND", f"模板消息 {code} 尚未在公众号 {account.code} 获取模板ID{reason}")
    return definition, mapping.wechat_template_id


def check_values(definition, values):
    """Problems of ``values`` against the definition's fields (all of them at once)."""
    if not isinstance(values, dict):
        return [Problem("values", "WRONG_TYPE", "字段值必须是对象 {字段key: 文本}")]
    problems = []
    known = {}
    for spec in definition.fields or []:
        if isinstance(spec, dict) and spec.get("key"):
            known[spec["key"]] = spec
    for key, spec in known.items():
        label = spec.get("label") or key
        if key not in values:
            problems.append(Problem(f"values.{key}", "REQUIRED", f"缺少字段 {key}({label})"))
            continue
        problem = template_values.value_problem(spec.get("type", ""), values[key])
        if problem:
            problems.append(Problem(f"values.{key}", problem[0], f"字段 {key}({label}){problem[1]}"))
    for key in values:
        if key not in known:
            problems.append(
                Problem(
                    f"values.{str(key)[:40]}", "UNKNOWN_FIELD", f"模板消息 {definition.code} 没有字段 {str(key)[:40]}"
                )
            )
    return problems


def check_openid(account, openid):
    """Refuse an openid known to follow another account, or no longer this one."""
    seen = dict(Follower.objects.filter(openid=openid).values_list("account_id", "subscribed"))
    if account.pk in seen:
        if not seen[account.pk]:
            _refuse("openid", "UNSUBSCRIBED", f"openid {openid} 已取消关注公众号 {account.code}")
        return
    if seen:
        _refuse("openid", "FOREIGN_OPENID", f"openid {openid} 属于其他公众号,不是公众号 {account.code} 的粉丝")


def _url(value):
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > MAX_URL_CHARS or not re.match(r"^https?://[^\s]+$", value):
        _refuse("url", "INVALID_VALUE", "跳转链接须为 http(s) 地址,不超过1024个字符")
    return value


def accept(request, *, allowed_account_ids, caller, test=False):
    """The stored send of ``request`` and whether it is a replay; ``SendRefused`` otherwise."""
    account = _account(request, allowed_account_ids)
    client_msg_id = _text(request.client_msg_id, "client_msg_id", CLIENT_MSG_ID, "调用方消息ID")
    original = _replayed(account, client_msg_id, request)
    if original is not None:
        return original, True
    definition, template_id = _definition(request, account)
    openid = _text(request.openid, "openid", OPENID, "openid")
    url = _url(request.url)
    problems = check_values(definition, request.values)
    if problems:
        raise SendRefused(problems)
    check_openid(account, openid)
    send = Send(
        account=account,
        definition=definition,
        code=definition.code,
        openid=openid,
        values=dict(request.values),
        url=url,
        template_id=template_id,
        client_msg_id=client_msg_id,
        caller=caller[:150],
        test=test,
    )
    try:
        with transaction.atomic():
            send.save()
            from .tasks import deliver

            enqueue(deliver, send.pk)
    except IntegrityError:
        # A concurrent request with the same client message id stored it first.
        return _replayed(account, client_msg_id, request), True
    return send, False
