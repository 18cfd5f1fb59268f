"""The control that changes an account's menus behind the platform's back (another
admin tool, a person in WeChat's own console), so drift checks can be tested:
POST /_emulator/control/menus/<appid> with ``{"menu": {"button": [...]} | null,
"conditional": [{"button": [...], "matchrule": {...}}, ...]}``. Also menu/get, which
lists what an account holds in WeChat's documented shape."""

from .state import ApiError

PREFIX = "/_emulator/control/menus/"


def replace_menus(state, appid, body):
    with state.lock:
        menu = body.get("menu")
        held = {"menu": None, "conditional": []}
        if menu:
            held["menu"] = {"button": menu["button"], "menuid": next(state.seq)}
            for conditional in body.get("conditional") or []:
                held["conditional"].append({"button": conditional["button"], "matchrule": conditional["matchrule"],
                                            "menuid": str(400_000_000 + next(state.seq))})
        state.menus[appid] = held


def _as_listed(buttons):
    # menu/get lists every button with a sub_button list, empty for leaves.
    return [{**b, "sub_button": _as_listed(b.get("sub_button") or [])} for b in buttons]


def menu_get(state, appid, req):
    menus = state.menus[appid]
    if menus["menu"] is None:
        raise ApiError(46003, "menu no exist")
    conditional = [{**m, "button": _as_listed(m["button"]), "menuid": int(m["menuid"])} for m in menus["conditional"]]
    return {"menu": {**menus["menu"], "button": _as_listed(menus["menu"]["button"])}, "conditionalmenu": conditional}


ROUTES = {"menu/get": ("GET", menu_get)}
