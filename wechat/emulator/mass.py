"""Emulated mass sends (message/mass/sendall, preview, get, delete) with WeChat's
quotas and refusals, and the MASSSENDJOBFINISH event a send's end POSTs to the
account's callback URL.

Each account has followers (five untagged ones unless the control
``/_emulator/control/mass/followers`` sets them, with their tags and whether their
delivery fails) and a type: a subscription account mass sends once a Beijing day
(45028 after), a service account's follower receives four a calendar month (more
are filtered out; 45028 when every follower is over). A clientmsgid answers 45065
with the earlier msg_id for 24 hours; an unknown tag 45159; a media_id that is not
a draft of the account 40007; a preview to someone who does not follow 40003."""

import threading
import time
from collections import Counter

from .. import limits
from . import callbacks
from .state import BEIJING_OFFSET, ApiError

OK = {"errcode": 0, "errmsg": "ok"}
DEFAULT_FOLLOWERS = 5
KINDS = ("service", "subscription")


def book(state, appid):
    """The account's followers, type, sends and clientmsgids."""
    found = state.mass.get(appid)
    if found is None:
        found = state.mass[appid] = {
            "kind": "service",
            "followers": {
                f"o{appid[-10:]}{n:04d}": {"tags": [], "fails": False}
                for n in range(DEFAULT_FOLLOWERS)
            },
            "received": Counter(),  # (openid, month) -> mass sends received
            "days": [],  # Beijing days of sends (subscription accounts)
            "clientmsgids": {},  # clientmsgid -> (msg_id, submitted at)
            "jobs": {},  # msg_id -> job
            "previews": [],
        }
    return found


def _beijing(now):
    stamp = time.gmtime(now + BEIJING_OFFSET)
    return stamp.tm_year * 10000 + stamp.tm_yday, f"{stamp.tm_year}-{stamp.tm_mon:02d}"


def _message(state, appid, body):
    msgtype = body.get("msgtype")
    if msgtype not in limits.MASS_MSGTYPES:
        raise ApiError(40008, "invalid message type")
    if msgtype == "mpnews":
        media_id = (body.get("mpnews") or {}).get("media_id")
        draft = state.drafts.get(media_id or "")
        if draft is None or draft["appid"] != appid:
            raise ApiError(40007, "invalid media_id")
        return {
            "msgtype": "mpnews",
            "media_id": media_id,
            "titles": [i["title"] for i in draft["news_item"]],
        }
    content = (body.get("text") or {}).get("content")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(44003, "empty news data")
    return {"msgtype": "text", "content": content}


def preview(state, appid, req):
    body = req.json()
    message = _message(state, appid, body)
    towxname, touser = body.get("towxname"), body.get("touser")
    if not towxname and touser not in book(state, appid)["followers"]:
        raise ApiError(40003, "invalid openid")
    msg_id = 1_000_000_000 + next(state.seq)
    book(state, appid)["previews"].append(
        {"msg_id": msg_id, "to": towxname or touser, **message}
    )
    return {"errcode": 0, "errmsg": "preview success", "msg_id": msg_id}


def _audience(state, appid, held, flt):
    if not isinstance(flt, dict):
        raise ApiError(40035, "invalid parameter: filter")
    if flt.get("is_to_all") in (True, "true", 1):
        return None, list(held["followers"])
    tag_id = flt.get("tag_id")
    if not isinstance(tag_id, int) or tag_id not in state.tags.get(appid, {}):
        raise ApiError(45159, "invalid tag id")
    return tag_id, [
        openid for openid, f in held["followers"].items() if tag_id in f["tags"]
    ]


def sendall(state, appid, req):
    body = req.json()
    held, now = book(state, appid), time.time()
    clientmsgid = str(body.get("clientmsgid") or "")
    if len(clientmsgid.encode("utf-8")) > limits.MASS_CLIENTMSGID_MAX_BYTES:
        raise ApiError(45067, "clientmsgid size out of limit")
    earlier = held["clientmsgids"].get(clientmsgid)
    if earlier and now - earlier[1] < limits.MASS_CLIENTMSGID_WINDOW_SECONDS:
        return {"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": earlier[0]}
    message = _message(state, appid, body)
    tag_id, audience = _audience(state, appid, held, body.get("filter"))
    day, month = _beijing(now)
    if held["kind"] == "subscription":
        if held["days"].count(day) >= limits.MASS_SUBSCRIPTION_PER_DAY:
            raise ApiError(45028, "has no masssend quota")
        eligible = audience
    else:
        cap = limits.MASS_SERVICE_PER_FOLLOWER_PER_MONTH
        eligible = [
            openid for openid in audience if held["received"][(openid, month)] < cap
        ]
        if audience and not eligible:
            raise ApiError(45028, "has no masssend quota")
    msg_id = 3_147_000_000 + next(state.seq)
    held["days"].append(day)
    for openid in eligible:
        held["received"][(openid, month)] += 1
    failing = sum(1 for openid in eligible if held["followers"][openid]["fails"])
    held["jobs"][msg_id] = {
        "msg_id": msg_id,
        "appid": appid,
        "status": "SENDING",
        "tag_id": tag_id,
        **message,
        "clientmsgid": clientmsgid,
        "total": len(audience),
        "filtered": len(eligible),
        "sent": len(eligible) - failing,
        "errors": failing,
        "deleted": [],
    }
    if clientmsgid:
        held["clientmsgids"][clientmsgid] = (msg_id, now)
    return {
        "errcode": 0,
        "errmsg": "send job submission success",
        "msg_id": msg_id,
        "msg_data_id": 2_455_000_000 + next(state.seq),
    }


def _job(state, appid, msg_id):
    try:
        key = int(msg_id)
    except (TypeError, ValueError):
        raise ApiError(40035, "invalid parameter: msg_id") from None
    job = book(state, appid)["jobs"].get(key)
    if job is None:
        raise ApiError(40035, "invalid parameter: msg_id not exist")
    return job


def get(state, appid, req):
    job = _job(state, appid, req.json().get("msg_id"))
    return {"msg_id": job["msg_id"], "msg_status": job["status"]}


def delete(state, appid, req):
    body = req.json()
    job = _job(state, appid, body.get("msg_id"))
    index = body.get("article_idx", 0) or 0
    if job["status"] == "DELETE":
        raise ApiError(40035, "invalid parameter: message already deleted")
    if (
        not isinstance(index, int)
        or index < 0
        or (index and (job["msgtype"] != "mpnews" or index > len(job["titles"])))
    ):
        raise ApiError(40035, "invalid parameter: article_idx")
    job["deleted"].append(index)
    if index == 0 or len(set(job["deleted"])) >= len(job.get("titles") or [1]):
        job["status"] = "DELETE"
    return OK


def event_xml(account, job, now=None):
    """The documented MASSSENDJOBFINISH event: MsgID, Status, TotalCount, FilterCount,
    SentCount, ErrorCount."""
    cdata = callbacks._cdata
    status = "send success" if job["status"] == "SEND_SUCCESS" else "send fail"
    return (
        "<xml>"
        f"<ToUserName>{cdata(account.original_id or 'gh_' + account.appid[-12:])}</ToUserName>"
        f"<FromUserName>{cdata('mphelper')}</FromUserName>"
        f"<CreateTime>{int(now or time.time())}</CreateTime>"
        f"<MsgType>{cdata('event')}</MsgType>"
        f"<Event>{cdata('MASSSENDJOBFINISH')}</Event>"
        f"<MsgID>{int(job['msg_id'])}</MsgID>"
        f"<Status>{cdata(status)}</Status>"
        f"<TotalCount>{job['total']}</TotalCount><FilterCount>{job['filtered']}</FilterCount>"
        f"<SentCount>{job['sent']}</SentCount><ErrorCount>{job['errors']}</ErrorCount>"
        "</xml>"
    )


def finish(state, appid, msg_id):
    """End the send and POST its event (outside the lock); the job, or None."""
    with state.lock:
        job = book(state, appid)["jobs"].get(int(msg_id))
        if job is None or job["status"] != "SENDING":
            return None
        job["status"] = (
            "SEND_SUCCESS" if job["sent"] or not job["filtered"] else "SEND_FAIL"
        )
        account = state.account(appid)
        url = callbacks.callback_url(account, state.config.callback_base)
        body = event_xml(account, job) if url else ""
    if url:
        code, error = callbacks.send(url, account.callback_token, body)
        with state.lock:
            state.callbacks.append(
                {
                    "msg_id": job["msg_id"],
                    "appid": appid,
                    "url": url,
                    "event": "MASSSENDJOBFINISH",
                    "http_status": code,
                    "error": error,
                    "at": time.time(),
                }
            )
    return job


def schedule_finish(state, appid, answer):
    """After a successful sendall: the send ends after ``publish_delay_ms``."""
    if answer.get("errcode") or not answer.get("msg_id"):
        return
    timer = threading.Timer(
        max(0, state.config.publish_delay_ms) / 1000,
        finish,
        args=(state, appid, answer["msg_id"]),
    )
    timer.daemon = True
    timer.start()


def control(state, path, body):
    """``POST /_emulator/control/mass/followers`` {appid, kind?, followers?: [{openid,
    tags?, fails?}]} sets an account's type and followers; ``/_emulator/control/mass/finish``
    {appid, msg_id} ends a send now."""
    if path == "/_emulator/control/mass/followers":
        appid = str(body.get("appid", ""))
        with state.lock:
            held = book(state, appid)
            if body.get("kind") is not None:
                if body["kind"] not in KINDS:
                    raise ApiError(
                        40035,
                        f"invalid parameter: kind must be one of {', '.join(KINDS)}",
                    )
                held["kind"] = body["kind"]
            if body.get("followers") is not None:
                held["followers"] = {
                    str(f["openid"]): {
                        "tags": [int(t) for t in f.get("tags") or []],
                        "fails": bool(f.get("fails")),
                    }
                    for f in body["followers"]
                }
        return True
    if path == "/_emulator/control/mass/finish":
        if finish(state, str(body.get("appid", "")), body.get("msg_id")) is None:
            raise ApiError(40035, "no running mass send with this msg_id")
        return True
    return False


def snapshot(state):
    return {
        appid: {
            "kind": held["kind"],
            "followers": held["followers"],
            "previews": held["previews"],
            "jobs": [{k: v for k, v in job.items()} for job in held["jobs"].values()],
        }
        for appid, held in state.mass.items()
    }


ROUTES = {
    "message/mass/sendall": ("POST", sendall),
    "message/mass/preview": ("POST", preview),
    "message/mass/get": ("POST", get),
    "message/mass/delete": ("POST", delete),
}
