"""Emulated template messages: template/api_add_template (an industry template by its
library number, or a category template by its number and keyword names),
get_all_private_template, del_private_template and message/template/send, with
WeChat's refusals, and the TEMPLATESENDJOBFINISH event each accepted message is
followed by (POSTed to the account's callback like PUBLISHJOBFINISH).

Who follows an account: ``Account.followers`` (None: any openid follows); an openid
outside it is answered 40003. ``Account.blocked_openids`` refused the account's
messages (43101); ``Account.failing_openids`` are accepted and then reported
``failed: system failed`` by the event."""

import threading
import time

from .. import template_values
from . import callbacks
from .state import MAX_TEMPLATES, ApiError

OK = {"errcode": 0, "errmsg": "ok"}
INVALID_TEMPLATE = 40037
INVALID_OPENID = 40003
USER_REFUSED = 43101
KEYWORDS_INVALID = 40246
TEMPLATES_FULL = 45026
MAX_KEYWORDS = 5


def template_add(state, appid, req):
    body = req.json()
    short = str(body.get("template_id_short") or "")
    if not short:
        raise ApiError(40035, "invalid parameter: template_id_short missing")
    keywords = body.get("keyword_name_list") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise ApiError(KEYWORDS_INVALID, "invalid keyword_name_list")
    # A category template (a plain number) is added with the keywords it uses, in order.
    if short.isdigit() and not 1 <= len(keywords) <= MAX_KEYWORDS:
        raise ApiError(KEYWORDS_INVALID, "keyword_name_list is empty or has too many keywords")
    templates = state.templates[appid]
    if len(templates) >= MAX_TEMPLATES:
        raise ApiError(TEMPLATES_FULL, "template num exceeds limit")
    template_id = state.next_id("tpl")
    templates[template_id] = {
        "template_id": template_id,
        "template_id_short": short,
        "title": f"模板 {short}",
        "primary_industry": "IT科技",
        "deputy_industry": "互联网|电子商务",
        "content": "\n".join(f"{name}:{{{{keyword{i}.DATA}}}}" for i, name in enumerate(keywords, 1)),
        "keyword_name_list": list(keywords),
        "example": "",
    }
    return {"errcode": 0, "errmsg": "ok", "template_id": template_id}


def template_list(state, appid, req):
    return {
        "template_list": [
            {k: v for k, v in t.items() if k != "keyword_name_list"} for t in state.templates[appid].values()
        ]
    }


def template_delete(state, appid, req):
    template_id = req.json().get("template_id")
    if template_id not in state.templates[appid]:
        raise ApiError(INVALID_TEMPLATE, "invalid template_id")
    del state.templates[appid][template_id]
    return OK


def _check_data(data):
    if not isinstance(data, dict):
        raise ApiError(47001, "data format error: data")
    for key, item in data.items():
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ApiError(47001, f"data format error: data.{key}.value")
        problem = template_values.value_problem(template_values.type_of_key(key), item["value"])
        if problem:
            raise ApiError(template_values.ARGUMENT_INVALID, f"argument invalid! data.{key}.value {problem[1]}")


def template_send(state, appid, req):
    body = req.json()
    touser = body.get("touser")
    account = state.account(appid)
    if not isinstance(touser, str) or not touser or (account.followers is not None and touser not in account.followers):
        raise ApiError(INVALID_OPENID, "invalid openid")
    if body.get("template_id") not in state.templates[appid]:
        raise ApiError(INVALID_TEMPLATE, "invalid template_id")
    _check_data(body.get("data"))
    if touser in account.blocked_openids:
        raise ApiError(USER_REFUSED, "user refuse to accept the msg")
    # WeChat sends one message per openid + client_msg_id.
    dedup = (appid, touser, body.get("client_msg_id") or "")
    if dedup[2] and dedup in state.message_ids:
        return {"errcode": 0, "errmsg": "ok", "msgid": state.message_ids[dedup]}
    msgid = 3_000_000_000 + next(state.seq)
    if dedup[2]:
        state.message_ids[dedup] = msgid
    state.messages.append(
        {
            "appid": appid,
            "msgid": msgid,
            "touser": touser,
            "template_id": body["template_id"],
            "data": body["data"],
            "url": body.get("url", ""),
            "client_msg_id": dedup[2],
            "at": time.time(),
        }
    )
    status = "failed: system failed" if touser in account.failing_openids else "success"
    timer = threading.Timer(
        max(0, state.config.template_event_delay_ms) / 1000, deliver_event, args=(state, appid, touser, msgid, status)
    )
    timer.daemon = True
    timer.start()
    return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


def event_xml(account, openid, msgid, status, now=None):
    """The documented event: the recipient as FromUserName, MsgID and Status
    (``success``, ``failed:user block`` or ``failed: system failed``)."""
    cdata = callbacks.cdata
    return (
        "<xml>"
        f"<ToUserName>{cdata(account.original_id or 'gh_' + account.appid[-12:])}</ToUserName>"
        f"<FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{int(now or time.time())}</CreateTime>"
        f"<MsgType>{cdata('event')}</MsgType>"
        f"<Event>{cdata('TEMPLATESENDJOBFINISH')}</Event>"
        f"<MsgID>{int(msgid)}</MsgID>"
        f"<Status>{cdata(status)}</Status>"
        "</xml>"
    )


def deliver_event(state, appid, openid, msgid, status):
    """POST TEMPLATESENDJOBFINISH to the account's callback (outside the state lock)."""
    with state.lock:
        account = state.account(appid)
        url = callbacks.callback_url(account, state.config.callback_base)
        body = event_xml(account, openid, msgid, status) if url else ""
    if not url:
        return
    code, error = callbacks.send(url, account.callback_token, body)
    with state.lock:
        state.callbacks.append(
            {
                "msgid": msgid,
                "appid": appid,
                "url": url,
                "status": status,
                "http_status": code,
                "error": error,
                "at": time.time(),
            }
        )


ROUTES = {
    "template/api_add_template": ("POST", template_add),
    "template/get_all_private_template": ("GET", template_list),
    "template/del_private_template": ("POST", template_delete),
    "message/template/send": ("POST", template_send),
}
