"""The sender API of template messages for business systems (billing, order notices):

    POST /api/notices/send/      Authorization: Bearer <API client token>
    {"definition": "bill_reminder", "account": "wx-sx-01", "openid": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M",
     "values": {"thing1": "2025年5月账单", "amount2": "58.00元"}, "client_msg_id": "BILL-202505-0001",
     "url": "https://m.example.cn/bill"}

answers 202 with the stored send, 200 with the original one for a replayed client
message id, or the errors ``[{field, code, message}]`` (400, 401, 403 or 409) and
nothing sent. ``GET /api/notices/sends/<account>/<client_msg_id>/`` reads a send's
outcome. Tokens are the GraphQL ones (``cms.callers``); a client sends only from the
accounts it is bound to. The checks live in ``notices.sending``."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from api.errors import ApiError
from cms.callers.principal import bearer_token, principal_for_token
from notices.models import Send
from notices.sending import Request, SendRefused, accept

MAX_BODY_BYTES = 16 * 1024


def _errors(status, problems):
    return JsonResponse({"errors": problems}, status=status, json_dumps_params={"ensure_ascii": False})


def _principal(request):
    """The API client calling, or an answer refusing it. Bearer tokens only: a session
    cookie would let any page the editor opens send in their name."""
    try:
        token = bearer_token(request)
        if token is None:
            return None, _errors(
                401, [{"field": "", "code": "UNAUTHENTICATED", "message": "use Authorization: Bearer <token>"}]
            )
        return principal_for_token(token), None
    except ApiError as exc:
        return None, _errors(exc.status, [{"field": "", "code": exc.code.value, "message": exc.message}])


def describe(send):
    """A send as the API shows it (no values: they may be personal, and the caller has them)."""
    return {
        "id": send.pk,
        "client_msg_id": send.client_msg_id,
        "definition": send.code,
        "account": send.account.code,
        "openid": send.openid,
        "state": send.state,
        "msgid": send.msgid or None,
        "errcode": send.errcode,
        "reason": send.reason,
        "created_at": send.created_at.isoformat() if send.created_at else None,
        "sent_at": send.sent_at.isoformat() if send.sent_at else None,
        "finished_at": send.finished_at.isoformat() if send.finished_at else None,
    }


@csrf_exempt
@require_POST
def send_notice(request):
    principal, refusal = _principal(request)
    if refusal:
        return refusal
    if len(request.body) > MAX_BODY_BYTES:
        return _errors(413, [{"field": "", "code": "REQUEST_TOO_LARGE", "message": "body over 16 KB"}])
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        return _errors(400, [{"field": "", "code": "BAD_REQUEST", "message": "the body must be a JSON object"}])
    asked = Request(
        definition=body.get("definition"),
        account=body.get("account"),
        openid=body.get("openid"),
        values=body.get("values"),
        client_msg_id=body.get("client_msg_id"),
        url=body.get("url") or "",
    )
    try:
        send, replayed = accept(
            asked, allowed_account_ids=list(principal.accounts.values()), caller=f"{principal.kind}:{principal.name}"
        )
    except SendRefused as refused:
        return _errors(refused.status, [vars(p) for p in refused.problems])
    return JsonResponse(
        {"send": describe(send), "replayed": replayed},
        status=200 if replayed else 202,
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def send_outcome(request, account, client_msg_id):
    principal, refusal = _principal(request)
    if refusal:
        return refusal
    send = (
        Send.objects.select_related("account")
        .filter(account__code=account, account_id__in=list(principal.accounts.values()), client_msg_id=client_msg_id)
        .first()
    )
    if send is None:
        return _errors(
            404,
            [
                {
                    "field": "client_msg_id",
                    "code": "NOT_FOUND",
                    "message": f"公众号 {account[:64]} 没有调用方消息ID {client_msg_id[:64]} 的发送",
                }
            ],
        )
    return JsonResponse({"send": describe(send)}, json_dumps_params={"ensure_ascii": False})
