"""Emulated deletion of published articles (freepublish/delete, whole or one
``index`` of a multi-article message), and the control that changes an account's
articles behind the platform's back (``/_emulator/control/articles/...``) so drift
and repair can be tested."""

from .state import ApiError

OK = {"errcode": 0, "errmsg": "ok"}
INVALID_ARTICLE = 53600  # WeChat: article_id 无效


def _published(state, appid, article_id):
    article = state.published.get(str(article_id or ""))
    if article is None or article["appid"] != appid:
        raise ApiError(INVALID_ARTICLE, "invalid article_id")
    return article


def delete_article(state, appid, article_id, index=0):
    """Delete the whole message (``index`` 0) or its ``index``-th article (from 1)."""
    article = _published(state, appid, article_id)
    if not isinstance(index, int) or not 0 <= index <= len(article["news_item"]):
        raise ApiError(40035, "invalid parameter: index")
    if index == 0:
        del state.published[str(article_id)]
        state.deleted_articles.append({"appid": appid, "article_id": str(article_id), "index": 0})
        return
    item = article["news_item"][index - 1]
    if item.get("is_deleted"):
        raise ApiError(INVALID_ARTICLE, "invalid article_id: article already deleted")
    item["is_deleted"] = True
    state.deleted_articles.append({"appid": appid, "article_id": str(article_id), "index": index})
    if all(i.get("is_deleted") for i in article["news_item"]):
        del state.published[str(article_id)]


def freepublish_delete(state, appid, req):
    body = req.json()
    article_id = body.get("article_id")
    if not article_id:
        raise ApiError(40035, "invalid parameter: article_id missing")
    delete_article(state, appid, article_id, body.get("index") or 0)
    return OK


def control(state, path, body):
    """``POST /_emulator/control/articles/delete`` {appid, article_id[, index]}: the
    account's editor deleted the article in WeChat's own back office."""
    if path == "/_emulator/control/articles/delete":
        with state.lock:
            delete_article(state, str(body.get("appid", "")), body.get("article_id"), body.get("index") or 0)
        return True
    return False


ROUTES = {"freepublish/delete": ("POST", freepublish_delete)}
