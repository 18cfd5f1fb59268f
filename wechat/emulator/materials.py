"""Permanent material counts (material/get_materialcount): what an account holds by type."""

from collections import Counter


def get_materialcount(state, appid, req):
    held = Counter(m["type"] for m in state.materials.values() if m["appid"] == appid)
    return {"voice_count": held["voice"], "video_count": held["video"],
            "image_count": held["image"] + held["thumb"], "news_count": held["news"]}


ROUTES = {"material/get_materialcount": ("GET", get_materialcount)}
