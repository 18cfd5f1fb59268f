"""Per-account variables in menu trees: ``{hall_url}`` in a node's name, URL, event
key or mini-program page becomes the value of the account the tree is served to, so
one province menu serves each branch's account with the branch's own links.

``{account_name}`` and ``{account_code}`` come from the account itself; every other
name is an ``AccountVariable`` row of the account, edited in the admin (菜单变量)."""

import re

from content.errors import RecordError

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,31})\}")
# variable name -> ChannelAccount field
BUILT_IN = {"account_name": "name", "account_code": "code"}
FIELDS = ("name", "url", "event_key")


def _names_variable(text):
    # "{" first: most texts have none, and the regular expression costs more.
    return isinstance(text, str) and "{" in text and PLACEHOLDER.search(text) is not None


def has_placeholders(nodes):
    """True when any node of the tree names a variable (no values need reading otherwise).
    Asked on every read of a menu, so a plain loop rather than ``menus.tree.walk``."""
    for node in nodes if isinstance(nodes, list) else ():
        get = node.get
        for field in FIELDS:
            if _names_variable(get(field)):
                return True
        program = get("miniprogram")
        if isinstance(program, dict) and _names_variable(program.get("pagepath")):
            return True
        if has_placeholders(get("children")):
            return True
    return False


def values_for(account_ids):
    """{account id: {variable name: value}} of the accounts, in one query."""
    from content.models import ChannelAccount

    out = {}
    rows = ChannelAccount.objects.filter(pk__in=list(account_ids)).values_list(
        "pk", *BUILT_IN.values(), "menu_variables__name", "menu_variables__value"
    )
    for pk, *fields, name, value in rows:
        values = out.setdefault(pk, dict(zip(BUILT_IN, fields, strict=True)))
        if name is not None:
            values[name] = value
    return out


def substitute(nodes, values, account_code):
    """(copy of ``nodes`` with each ``{name}`` replaced by ``values[name]``, errors).
    A name the account has no value for stays as written and is a RecordError naming
    the node, the field and the account (``list``)."""
    errors = []

    def replace(node, field, text):
        def value(match):
            name = match.group(1)
            if name in values:
                return values[name]
            errors.append(
                RecordError(
                    record=str(node.get("key") or "?"),
                    field=field,
                    code="unknown_variable",
                    message=f"公众号 {account_code} 没有变量 {{{name}}}",
                    list=account_code,
                )
            )
            return match.group(0)

        return PLACEHOLDER.sub(value, text)

    def copy(level):
        out = []
        for node in level:
            new = dict(node)
            for field in FIELDS:
                if isinstance(new.get(field), str) and "{" in new[field]:
                    new[field] = replace(node, field, new[field])
            program = new.get("miniprogram")
            if isinstance(program, dict) and "{" in (program.get("pagepath") or ""):
                new["miniprogram"] = {
                    **program,
                    "pagepath": replace(
                        node, "miniprogram.pagepath", program["pagepath"]
                    ),
                }
            children = node.get("children")
            new["children"] = copy(children) if isinstance(children, list) else children
            out.append(new)
        return out

    return copy(nodes if isinstance(nodes, list) else []), errors


def substituted(nodes, values, account_code=""):
    """The tree as served to an account (unknown names left as written: a publish
    refuses them, see ``substitute``)."""
    return substitute(nodes, values, account_code)[0]
