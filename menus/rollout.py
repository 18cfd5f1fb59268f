"""Menu rollout: the base menu of an official account (the province's WeChat menu)
served to chosen official accounts of its organisation and below, each with its own
variables. The one place that says which menu an account is served (its effective
menu) and where that menu comes from; the GraphQL query, the admin, the push and the
drift check all ask here."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Subquery, When

from api import reused_sql
from content.models import ChannelAccount
from content.permissions import can_edit
from content.services.organisations import subtree_ids
from menus.models import Menu, MenuRollout, MenuVersion
from menus.signals import menu_rollout_changed
from menus.tree import served
from menus.validation import MenuValidationError
from menus.variables import has_placeholders, substituted, values_for

OFFICIAL = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


@dataclass(frozen=True)
class Source:
    """Where an account's menu comes from: ``menu`` (a base menu, None when the
    account has none) and whether it was rolled out from another account's."""

    menu: Menu | None
    rolled_out: bool = False

    @property
    def organisation(self):
        return self.menu.account.organisation if self.menu is not None else None


@dataclass(frozen=True)
class ServedMenu:
    """Which menu an account is served, as plain values (no model built): what the
    API says of where the menu comes from, and whose tree it serves."""

    code: str
    account_id: int
    account_code: str
    organisation_code: str
    live: bool
    rolled_out: bool


SERVED_FIELDS = ("code", "account_id", "account__code", "account__organisation__code", "live")


def _menus_of(account_id):
    return Menu.objects.filter(
        Q(pk__in=MenuRollout.objects.filter(account_id=account_id).values("menu_id"))
        | Q(account_id=account_id, brand__isnull=True)
    )


def _pick(found, account_id, account_of):
    """(the menu among ``found`` an account is served, whether rolled out to it): the
    one rolled out to it, else its own (None when neither)."""
    rolled = next((menu for menu in found if account_of(menu) != account_id), None)
    if rolled is not None:
        return rolled, True
    return (found[0] if found else None), False


def source_of(account_id):
    """The Source of an account's menu: the menu rolled out to it, else its own. One
    query, compiled once per process (api.reused_sql)."""
    found = reused_sql.fetch(
        ("menu_source",), lambda pk: _menus_of(pk).select_related("account__organisation")[:2], [account_id], Menu
    )
    return Source(*_pick(found, account_id, lambda menu: menu.account_id))


def served_menu(account_id):
    """The ServedMenu of an account (as ``source_of`` chooses it), None when it has no
    menu. One query, compiled once per process."""
    found = reused_sql.fetch(
        ("served_menu",), lambda pk: _menus_of(pk).values_list(*SERVED_FIELDS)[:2], [account_id], Menu
    )
    row, rolled_out = _pick(found, account_id, lambda values: values[1])
    return ServedMenu(*row, rolled_out) if row is not None else None


def _tree_served(account_id, menu_account_id, brand, include_hidden):
    """The live tree of the menus of ``menu_account_id`` as ``account_id`` is served it."""
    from menus.services import published_tree

    return _with_variables(account_id, published_tree(menu_account_id, brand=brand, include_hidden=include_hidden))


def _with_variables(account_id, tree):
    """``tree`` with the account's variables substituted (read only when it names one)."""
    if not has_placeholders(tree):
        return tree
    return substituted(tree, values_for([account_id]).get(account_id, {}))


def effective_tree(account_id, brand=None, *, include_hidden=False, source=None):
    """(Source, tree): the published tree the account is served as a caller of
    ``brand``, with the account's variables substituted. Constant queries."""
    source = source or source_of(account_id)
    if source.menu is None or not source.menu.live:
        return source, []
    return source, _tree_served(account_id, source.menu.account_id, brand, include_hidden)


def served_menu_tree(account_id, brand=None):
    """(ServedMenu or None, tree): ``effective_tree`` without building the menu's
    models, for the API. Two queries."""
    served = served_menu(account_id)
    if served is None or not served.live:
        return served, []
    return served, _tree_served(account_id, served.account_id, brand, False)


def _served_account(account_id):
    """The account whose menus ``account_id`` is served, as a subquery: ``_pick``'s rule
    in SQL (a menu rolled out to it before its own); NULL when that menu is not live or
    there is none, as ``served_menu_tree`` then serves nothing."""
    own_last = ExpressionWrapper(Q(account_id=account_id), output_field=BooleanField())
    served_if_live = Case(When(live=True, then=F("account_id")), default=None)
    return Subquery(_menus_of(account_id).annotate(own=own_last, served=served_if_live)
                    .order_by("own").values("served")[:1])


def tree_served_to(account_id, brand=None):
    """The tree of ``served_menu_tree`` without where it comes from, in one query (the
    served menu chosen in SQL), compiled once per process: for the API when the menu's
    source is not asked."""
    from menus.services import live_trees, tree_of

    values = [account_id, brand] if brand else [account_id]
    rows = reused_sql.fetch(
        ("tree_served_to", len(values)), lambda pk, *brands: live_trees(_served_account(pk), *brands), values,
        MenuVersion,
    )
    return _with_variables(account_id, tree_of(rows, brand))


def served_accounts(menu):
    """The accounts served ``menu``'s base menu, ordered by code: its own account
    (unless another menu is rolled out to it) and every account it is rolled out to."""
    base = menu.base_menu() if menu.is_variant else menu
    if base is None:
        return []
    accounts = ChannelAccount.objects.filter(menu_rollout__menu=base)
    if not MenuRollout.objects.filter(account_id=base.account_id).exists():
        accounts = accounts | ChannelAccount.objects.filter(pk=base.account_id)
    return list(accounts.order_by("code"))


def candidates(menu, user):
    """Official accounts ``menu`` may be rolled out to by ``user``: of the menu's
    organisation and below, that the user manages, other than the menu's own."""
    accounts = (
        ChannelAccount.objects.filter(
            type=OFFICIAL, organisation_id__in=subtree_ids(menu.account.organisation_id)
        )
        .exclude(pk=menu.account_id)
        .select_related("organisation")
        .order_by("code")
    )
    return [account for account in accounts if can_edit(user, account)]


def _refusals(menu, accounts, user):
    if menu.is_variant:
        raise ValidationError(
            {
                "menu": ValidationError(
                    f"菜单 {menu.code} 是品牌变体,请下发其基础菜单", code="variant"
                )
            }
        )
    if menu.account.type != OFFICIAL:
        raise ValidationError(
            {
                "menu": ValidationError(
                    f"菜单 {menu.code} 不是公众号菜单,不能下发", code="channel"
                )
            }
        )
    if MenuRollout.objects.filter(account_id=menu.account_id).exists():
        raise ValidationError(
            {
                "menu": ValidationError(
                    f"菜单 {menu.code} 的账号 {menu.account.code} 自身接收了其它菜单的下发,不能再下发",
                    code="chained",
                )
            }
        )
    allowed = {account.pk for account in candidates(menu, user)}
    outside = [account.code for account in accounts if account.pk not in allowed]
    if outside:
        raise PermissionDenied(
            f"不能将菜单 {menu.code} 下发到这些账号:{', '.join(outside)}"
        )
    sources = dict(
        Menu.objects.filter(account__in=accounts, rollouts__isnull=False).values_list(
            "account__code", "code"
        )
    )
    taken = dict(
        MenuRollout.objects.filter(account__in=accounts)
        .exclude(menu=menu)
        .values_list("account__code", "menu__code")
    )
    problems = [
        f"账号 {code} 已在下发自己的菜单 {source}"
        for code, source in sorted(sources.items())
    ]
    problems += [
        f"账号 {code} 已接收菜单 {other} 的下发,请先在该菜单中取消"
        for code, other in sorted(taken.items())
    ]
    if problems:
        raise ValidationError(
            {"accounts": [ValidationError(p, code="taken") for p in problems]}
        )


def choose(menu, accounts, user):
    """Make ``accounts`` the accounts ``menu`` is rolled out to, among those ``user``
    manages (rollouts to accounts the user does not manage stay). Refused whole, with
    nothing stored, when an account is outside the user's reach, follows another menu,
    or breaks a channel rule with its variables. (added, removed) account lists."""
    from menus.account_checks import rollout_violations
    from menus.services import live_version

    accounts = list(dict.fromkeys(accounts))
    _refusals(menu, accounts, user)
    version = live_version(menu)
    if version is None:
        raise ValidationError(
            {
                "menu": ValidationError(
                    f"菜单 {menu.code} 尚未发布,不能下发", code="not_published"
                )
            }
        )
    errors = rollout_violations(version, accounts)
    if errors:
        raise MenuValidationError(errors)
    managed = {account.pk for account in candidates(menu, user)}
    with transaction.atomic():
        locked = (
            MenuRollout.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(menu=menu)
        )
        current = {r.account_id: r for r in locked}
        wanted = {account.pk: account for account in accounts}
        removed = [
            r.account
            for r in current.values()
            if r.account_id not in wanted and r.account_id in managed
        ]
        MenuRollout.objects.filter(menu=menu, account__in=removed).delete()
        added = [account for pk, account in wanted.items() if pk not in current]
        MenuRollout.objects.bulk_create(
            MenuRollout(menu=menu, account=account, added_by=user) for account in added
        )
        if added or removed:
            menu_rollout_changed.send(sender=MenuRollout, menu=menu, added=added, removed=removed)
    return added, removed


def chosen(menu):
    """The accounts ``menu`` is rolled out to, by code."""
    return list(
        ChannelAccount.objects.filter(menu_rollout__menu=menu)
        .select_related("organisation")
        .order_by("code")
    )


def served_tree(version, account):
    """``version``'s base tree as ``account`` is served it, hidden nodes left out."""
    values = values_for([account.pk]).get(account.pk, {})
    return substituted(served(version.tree), values, account.code)
