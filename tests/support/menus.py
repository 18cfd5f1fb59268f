"""Menu trees for the tests: nodes in the legacy export's shape, trees in the
snapshot shape, menus with a draft, and the reply templates their commands use."""

import copy

from menus.models import Menu
from menus.services import replace_draft
from menus.tree import assign_uids, normalise
from tests.support.factories import SmsTemplateFactory


def node(key, name, type="submenu", children=(), **fields):
    """A node dict as the legacy export writes it."""
    return {"key": key, "name": name, "type": type, "brands": [], "hidden": False, "valid": True,
            "children": list(children), **fields}


def tree(*nodes):
    """Nodes in the snapshot shape, with fresh uids."""
    out = normalise(list(nodes))
    assign_uids(out, {})
    return out


def make_menu(account, nodes, *, code=None, brand=None, name="菜单"):
    menu = Menu.objects.create(code=code or f"menu-{account.code}{'-' + brand.code if brand else ''}", name=name,
                               account=account, brand=brand)
    replace_draft(menu, tree(*nodes) if nodes and "uid" not in nodes[0] else nodes)
    return menu


def make_template(code, text, parameters=(), *, organisation, live=True):
    """A reply template (live unless ``live=False``) that menu commands can point at."""
    return SmsTemplateFactory(code=code, category="reply", organisation=organisation, text=text,
                              parameters=list(parameters), live=live)


def legacy_menu(export, code):
    """A copy of the menu ``code`` of a legacy export's data."""
    return copy.deepcopy(next(m for m in export["menus"] if m["code"] == code))
