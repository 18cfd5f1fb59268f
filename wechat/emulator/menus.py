"""The control that changes an account's menus behind the platform's back (another
admin tool, a person in WeChat's own console), so drift checks can be tested:
POST /_emulator/control/menus/<appid> with ``{"menu": {"button": [...]} | null,
"conditional": [{"button": [...], "matchrule": {...}}, ...]}``."""

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
