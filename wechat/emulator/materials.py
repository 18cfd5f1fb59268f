"""Emulated permanent materials beyond adding them: the list by type
(material/batchget_material) and the counts (material/get_materialcount), with
WeChat's shapes and limits. Materials keep the file name they were uploaded
with, as WeChat does, so a client can find an upload whose answer was lost."""

from .state import ApiError

TYPES = ("image", "video", "voice", "news")


def _of_type(state, appid, kind):
    # Thumbs are image materials in WeChat's lists and counts.
    wanted = ("image", "thumb") if kind == "image" else (kind,)
    own = [(media_id, m) for media_id, m in state.materials.items() if m["appid"] == appid and m["type"] in wanted]
    return sorted(own, key=lambda pair: (pair[1].get("seq", 0), pair[0]), reverse=True)  # newest first


def batchget_material(state, appid, req):
    body = req.json()
    kind, offset, count = body.get("type"), body.get("offset", 0), body.get("count", 20)
    if kind not in TYPES:
        raise ApiError(40004, "invalid media type")
    if not isinstance(offset, int) or not isinstance(count, int) or offset < 0 or not 1 <= count <= 20:
        raise ApiError(40035, "invalid parameter: offset/count")
    own = _of_type(state, appid, kind)
    page = own[offset:offset + count]
    return {
        "total_count": len(own),
        "item_count": len(page),
        "item": [{"media_id": media_id, "name": m.get("name", ""), "update_time": m.get("update_time", 0),
                  "url": m.get("url", "")} for media_id, m in page],
    }


def get_materialcount(state, appid, req):
    return {f"{kind}_count": len(_of_type(state, appid, kind)) for kind in TYPES}


ROUTES = {
    "material/batchget_material": ("POST", batchget_material),
    "material/get_materialcount": ("GET", get_materialcount),
}
