"""Follower tags (tags/create, tags/get) as WeChat keeps them: names of at most 30
bytes, unique per account (45157), at most 100 per account (45056); ids 0-2 are
WeChat's own, so created tags start at 100."""

from .. import limits
from .state import ApiError

FIRST_TAG_ID = 100


def _tags(state, appid):
    return state.tags.setdefault(appid, {})


def tags_create(state, appid, req):
    tag = req.json().get("tag") or {}
    name = str(tag.get("name") or "")
    violations = limits.check_tag_name(name)
    if violations:
        raise ApiError(violations[0].errcode, "invalid tag name" if violations[0].errcode == 45157
                       else "tag name too long")
    held = _tags(state, appid)
    if any(t["name"] == name for t in held.values()):
        raise ApiError(45157, "invalid tag name, tag name duplicated")
    if len(held) >= limits.TAGS_MAX:
        raise ApiError(45056, "too many tags now, no need to add new")
    tag_id = max(held, default=FIRST_TAG_ID - 1) + 1
    held[tag_id] = {"id": tag_id, "name": name, "count": 0}
    return {"tag": {"id": tag_id, "name": name}}


def tags_get(state, appid, req):
    return {"tags": [dict(t) for t in _tags(state, appid).values()]}


ROUTES = {
    "tags/create": ("POST", tags_create),
    "tags/get": ("GET", tags_get),
}
