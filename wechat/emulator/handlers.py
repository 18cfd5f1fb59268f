"""The emulated WeChat endpoints. Each handler takes the state, the caller's appid
and the parsed request, runs under the state lock, and returns the JSON answer or
raises ``ApiError`` with WeChat's code."""

import re
import time

from .. import limits
from . import freepublish, mass, materials, menus, tags, templates
from .state import ApiError

_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.I | re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']*)["']""", re.I)
OK = {"errcode": 0, "errmsg": "ok"}


def _error_for(violations):
    first = violations[0]
    return ApiError(first.errcode, f"{first.field}: {first.message}")


def _require(body, name, errcode=40035):
    value = body.get(name)
    if value in (None, ""):
        raise ApiError(errcode, f"invalid parameter: {name} missing")
    return value


def stable_token(state, appid, req):
    body = req.json()
    if body.get("grant_type") != "client_credential":
        raise ApiError(40002, "invalid grant_type")
    force = body.get("force_refresh") in (True, "true", 1)
    if force:
        state.calls[appid]["stable_token(force_refresh)"] += 1
    token, expires_in = state.issue_token(body.get("appid", ""), body.get("secret", ""), force)
    return {"access_token": token, "expires_in": expires_in}


# -- images -------------------------------------------------------------------------


def _media(req, kind):
    data = req.file("media")
    if data is None:
        raise ApiError(41005, "media data missing")
    violations = limits.check_image(data, kind)
    if violations:
        raise _error_for(violations)
    return data, limits.sniff_image(data)


def uploadimg(state, appid, req):
    data, fmt = _media(req, "uploadimg")
    name = f"{state.next_id('img')}.{'jpg' if fmt == 'jpeg' else fmt}"
    state.images[name] = {"appid": appid, "bytes": data, "format": fmt}
    return {"url": f"{state.public_base}/_emulator/media/{name}"}


def add_material(state, appid, req):
    kind = req.query.get("type", "")
    if kind not in ("image", "thumb"):
        raise ApiError(40004, "invalid media type")
    data, fmt = _media(req, kind)
    media_id = state.next_id("mat")
    name = f"{media_id}.{'jpg' if fmt == 'jpeg' else fmt}"
    state.images[name] = {"appid": appid, "bytes": data, "format": fmt}
    url = f"{state.public_base}/_emulator/media/{name}"
    state.materials[media_id] = {"appid": appid, "type": kind, "url": url, "format": fmt, "size": len(data),
                                 "name": req.filename("media") or name, "update_time": int(time.time()),
                                 "seq": next(state.seq)}
    return {"media_id": media_id, "url": url} if kind == "image" else {"media_id": media_id}


# -- drafts -------------------------------------------------------------------------


def _clean_content(state, appid, content):
    """WeChat drops scripts and images that were not uploaded through uploadimg."""
    filtered = 0
    own = f"{state.public_base}/_emulator/media/"

    def keep_own(match):
        nonlocal filtered
        src = _SRC.search(match.group(0))
        name = src.group(1)[len(own):] if src and src.group(1).startswith(own) else ""
        if name in state.images and state.images[name]["appid"] == appid:
            return match.group(0)
        filtered += 1
        return ""

    return _IMG.sub(keep_own, _SCRIPT.sub("", content)), filtered


def _news_item(state, appid, article, index):
    violations = limits.check_article(article, index)
    if violations:
        raise _error_for(violations)
    material = state.materials.get(article["thumb_media_id"])
    if material is None or material["appid"] != appid:
        raise ApiError(40007, f"invalid media_id: articles[{index}].thumb_media_id")
    content, filtered = _clean_content(state, appid, article["content"])
    item = {
        "article_type": "news",
        "title": article["title"],
        "author": article.get("author") or "",
        "digest": article.get("digest") or "",
        "content": content,
        "content_source_url": article.get("content_source_url") or "",
        "thumb_media_id": article["thumb_media_id"],
        "thumb_url": material["url"],
        "need_open_comment": int(article.get("need_open_comment") or 0),
        "only_fans_can_comment": int(article.get("only_fans_can_comment") or 0),
    }
    return item, filtered


def _draft_of(state, appid, media_id):
    draft = state.drafts.get(media_id)
    if draft is None or draft["appid"] != appid:
        raise ApiError(40007, "invalid media_id")
    return draft


def draft_add(state, appid, req):
    articles = req.json().get("articles") or []
    violations = limits.check_articles(articles)
    if violations:
        raise _error_for(violations)
    media_id = state.next_id("draft")
    items, filtered = [], 0
    for index, article in enumerate(articles):
        item, dropped = _news_item(state, appid, article, index)
        item["url"] = f"{state.public_base}/_emulator/drafts/{media_id}"
        items.append(item)
        filtered += dropped
    state.drafts[media_id] = {"appid": appid, "news_item": items, "update_time": int(time.time()),
                              "filtered_images": filtered}
    return {"media_id": media_id}


def draft_update(state, appid, req):
    body = req.json()
    draft = _draft_of(state, appid, _require(body, "media_id", 40007))
    index = body.get("index")
    if not isinstance(index, int) or not 0 <= index < len(draft["news_item"]):
        raise ApiError(40060, "invalid article index")
    item, filtered = _news_item(state, appid, body.get("articles") or {}, index)
    item["url"] = draft["news_item"][index]["url"]
    draft["news_item"][index] = item
    draft["update_time"] = int(time.time())
    draft["filtered_images"] += filtered
    return OK


def draft_get(state, appid, req):
    return {"news_item": _draft_of(state, appid, req.json().get("media_id"))["news_item"]}


def draft_delete(state, appid, req):
    media_id = req.json().get("media_id")
    _draft_of(state, appid, media_id)
    del state.drafts[media_id]
    return OK


def _page(req):
    body = req.json()
    offset, count = body.get("offset", 0), body.get("count", 20)
    if not isinstance(offset, int) or not isinstance(count, int) or offset < 0 or not 1 <= count <= 20:
        raise ApiError(40035, "invalid parameter: offset/count")
    return offset, count, bool(body.get("no_content"))


def _strip(items, no_content):
    return [{k: v for k, v in item.items() if not (no_content and k == "content")} for item in items]


def draft_batchget(state, appid, req):
    offset, count, no_content = _page(req)
    own = sorted(((k, d) for k, d in state.drafts.items() if d["appid"] == appid),
                 key=lambda pair: (pair[1]["update_time"], pair[0]), reverse=True)
    page = own[offset:offset + count]
    return {
        "total_count": len(own),
        "item_count": len(page),
        "item": [{"media_id": k, "content": {"news_item": _strip(d["news_item"], no_content)},
                  "update_time": d["update_time"]} for k, d in page],
    }


def draft_count(state, appid, req):
    return {"total_count": sum(1 for d in state.drafts.values() if d["appid"] == appid)}


# -- publishing ---------------------------------------------------------------------


def freepublish_submit(state, appid, req):
    media_id = req.json().get("media_id")
    draft = _draft_of(state, appid, media_id)
    publish_id = str(2_247_483_000 + next(state.seq))
    # Like WeChat, a submitted draft leaves the draft box (it comes back if publishing fails).
    del state.drafts[media_id]
    state.jobs[publish_id] = {
        "publish_id": publish_id, "appid": appid, "media_id": media_id, "publish_status": 1,
        "article_id": "", "fail_idx": [], "submitted_at": time.time(),
        "news_item": [dict(item) for item in draft["news_item"]],
        "draft": draft,
    }
    return {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": next(state.seq)}


def finish_job(state, publish_id, status=None, fail_idx=None):
    """Finish a publish job (scripted outcome, or success); returns the job or None."""
    job = state.jobs.get(publish_id)
    if job is None or job["publish_status"] != 1:
        return None
    if status is None:
        fault = state.take_scripted("freepublish/result", job["appid"])
        status = fault.publish_status if fault and fault.publish_status is not None else 0
        fail_idx = fault.fail_idx if fault else []
    job["publish_status"] = int(status)
    job["finished_at"] = time.time()
    if status == 0:
        article_id = state.next_id("art")
        urls = []
        for idx, item in enumerate(job["news_item"], start=1):
            item["url"] = f"{state.public_base}/_emulator/articles/{article_id}?idx={idx}"
            urls.append({"idx": idx, "article_url": item["url"]})
        job["article_id"] = article_id
        job["article_detail"] = {"count": len(urls), "item": urls}
        state.published[article_id] = {"appid": job["appid"], "publish_id": publish_id,
                                       "news_item": job["news_item"], "update_time": int(time.time())}
    else:
        job["fail_idx"] = list(fail_idx or ([1] if status in (2, 4) else []))
        state.drafts[job["media_id"]] = job["draft"]
    return job


def freepublish_get(state, appid, req):
    job = state.jobs.get(str(req.json().get("publish_id", "")))
    if job is None or job["appid"] != appid:
        raise ApiError(40007, "invalid publish_id")
    answer = {"publish_id": job["publish_id"], "publish_status": job["publish_status"], "fail_idx": job["fail_idx"]}
    if job["publish_status"] == 0:
        answer["article_id"] = job["article_id"]
        answer["article_detail"] = job["article_detail"]
    return answer


def freepublish_batchget(state, appid, req):
    offset, count, no_content = _page(req)
    own = sorted(((k, p) for k, p in state.published.items() if p["appid"] == appid),
                 key=lambda pair: (pair[1]["update_time"], pair[0]), reverse=True)
    page = own[offset:offset + count]
    return {
        "total_count": len(own),
        "item_count": len(page),
        "item": [{"article_id": k, "content": {"news_item": _strip(p["news_item"], no_content)},
                  "update_time": p["update_time"]} for k, p in page],
    }


# -- menus --------------------------------------------------------------------------


def _menu_body(state, appid, req):
    if re.search(rb"\\u[0-9a-fA-F]{4}", req.body):
        raise ApiError(40033, "invalid charset. please check your request, if include \\uxxxx will create fail!")
    body = req.json()
    violations = limits.check_menu(body)
    if violations:
        raise _error_for(violations)
    linked = state.account(appid).linked_miniprograms
    for miniprogram in limits.miniprogram_appids(body):
        if linked is not None and miniprogram not in linked:
            raise ApiError(45064, "no permission to use weapp in menu")
    return body


def menu_create(state, appid, req):
    body = _menu_body(state, appid, req)
    state.menus[appid]["menu"] = {"button": body["button"], "menuid": next(state.seq)}
    return OK


def menu_addconditional(state, appid, req):
    body = _menu_body(state, appid, req)
    violations = limits.check_matchrule(body.get("matchrule"))
    if violations:
        raise _error_for(violations)
    if state.menus[appid]["menu"] is None:
        raise ApiError(65303, "there is no selfmenu, please create selfmenu first")
    menuid = str(400_000_000 + next(state.seq))
    state.menus[appid]["conditional"].append({"button": body["button"], "matchrule": body["matchrule"],
                                              "menuid": menuid})
    return {"menuid": menuid}


def menu_delconditional(state, appid, req):
    menuid = str(req.json().get("menuid", ""))
    menus = state.menus[appid]["conditional"]
    if not any(m["menuid"] == menuid for m in menus):
        raise ApiError(65301, "menuid not exist")
    state.menus[appid]["conditional"] = [m for m in menus if m["menuid"] != menuid]
    return OK


def menu_delete(state, appid, req):
    state.menus[appid] = {"menu": None, "conditional": []}
    return OK


# endpoint -> (HTTP method, handler); stable_token is the one call without a token.
ROUTES = {
    "stable_token": ("POST", stable_token),
    "media/uploadimg": ("POST", uploadimg),
    "material/add_material": ("POST", add_material),
    "draft/add": ("POST", draft_add),
    "draft/update": ("POST", draft_update),
    "draft/get": ("POST", draft_get),
    "draft/delete": ("POST", draft_delete),
    "draft/batchget": ("POST", draft_batchget),
    "draft/count": ("GET", draft_count),
    "freepublish/submit": ("POST", freepublish_submit),
    "freepublish/get": ("POST", freepublish_get),
    "freepublish/batchget": ("POST", freepublish_batchget),
    "menu/create": ("POST", menu_create),
    "menu/addconditional": ("POST", menu_addconditional),
    "menu/delconditional": ("POST", menu_delconditional),
    "menu/delete": ("GET", menu_delete),
    # Endpoints kept in their own modules, registered here so the route table stays one.
    **materials.ROUTES,
    **freepublish.ROUTES,
    **menus.ROUTES,
    **tags.ROUTES,
    **mass.ROUTES,
    **templates.ROUTES,
}
