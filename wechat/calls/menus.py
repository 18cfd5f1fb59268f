"""Custom menus (menu/*): the default menu and personalised (conditional) menus,
checked against WeChat's limits before they are sent."""

from .. import limits
from ..errors import LimitViolation, PermanentError

MENUID_NOT_EXIST = 65301
NO_MENU = 46003


class MenuCalls:
    def create_menu(self, menu: dict) -> None:
        """Replace the default menu (menu/create) with ``{"button": [...]}``."""
        violations = limits.check_menu(menu)
        if violations:
            raise LimitViolation("menu/create", violations)
        self._call("menu/create", json_body={"button": menu["button"]})

    def add_conditional_menu(self, menu: dict) -> str:
        """menuid of a personalised menu (brand variants) with ``matchrule``; after a
        lost answer an existing menu with the same rule and buttons is reused."""
        violations = limits.check_menu(menu) + limits.check_matchrule(menu.get("matchrule"))
        if violations:
            raise LimitViolation("menu/addconditional", violations)
        body = {"button": menu["button"], "matchrule": menu["matchrule"]}
        tried = []

        def attempt():
            if tried:
                for existing in _live(self._send("menu/get", "GET"))["conditionalmenu"]:
                    same_rule = existing["matchrule"] == body["matchrule"]
                    if same_rule and existing["button"] == plain_buttons(body["button"]):
                        return existing["menuid"]
            tried.append(True)
            return str(self._send("menu/addconditional", json_body=body)["menuid"])

        return self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} menu/addconditional")

    def delete_conditional_menu(self, menuid: str) -> None:
        """Delete a personalised menu; one already gone (65301, a retry after a lost
        answer) counts as deleted."""
        try:
            self._call("menu/delconditional", json_body={"menuid": str(menuid)})
        except PermanentError as exc:
            if exc.errcode != MENUID_NOT_EXIST:
                raise

    def delete_menu(self) -> None:
        """Delete the default menu and every personalised menu (menu/delete)."""
        self._call("menu/delete", "GET")

    def get_menu(self) -> dict:
        return self._call("menu/get", "GET")

    def live_menus(self) -> dict:
        """``{"menu": {...} | None, "conditionalmenu": [...]}``: what followers see now
        (menu/get; an account without a menu answers 46003), in the shape menus are sent."""
        try:
            answer = self.get_menu()
        except PermanentError as exc:
            if exc.errcode != NO_MENU:
                raise
            return {"menu": None, "conditionalmenu": []}
        return _live(answer)


def plain_buttons(buttons):
    """Buttons as sent, for comparing with menu/get's answer, which adds an empty
    ``sub_button`` list to every button."""
    out = []
    for button in buttons or []:
        plain = {k: v for k, v in button.items() if k != "sub_button"}
        if button.get("sub_button"):
            plain["sub_button"] = plain_buttons(button["sub_button"])
        out.append(plain)
    return out


def _live(answer):
    """menu/get's answer with plain buttons, menuids as strings and the match rule's
    tag as ``tag_id`` (WeChat reports it as ``group_id`` too)."""
    menu = answer.get("menu")
    conditionals = []
    for item in answer.get("conditionalmenu") or []:
        rule = {k: v for k, v in (item.get("matchrule") or {}).items() if v not in ("", None)}
        if "group_id" in rule:
            rule.setdefault("tag_id", rule.pop("group_id"))
        if "tag_id" in rule:
            rule["tag_id"] = str(rule["tag_id"])
        conditionals.append({"button": plain_buttons(item.get("button")), "matchrule": rule,
                             "menuid": str(item.get("menuid", ""))})
    return {"menu": {**menu, "button": plain_buttons(menu.get("button"))} if menu else None,
            "conditionalmenu": conditionals}
