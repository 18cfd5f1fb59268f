"""Channel rules of a menu as each account is served it: the tree with the account's
variables substituted (menus/variables.py), checked by the one validator
(menus/validation.py) for the menu's own account and for every account the menu is
rolled out to, so a name that fits with one branch's value and not with another's
is refused naming that account and node."""

from content.errors import RecordError
from menus.lookups import Lookups
from menus.tree import merge_variant
from menus.validation import effective_tree, validate_tree
from menus.variables import has_placeholders, substitute, values_for


def served_trees(menu, tree):
    """[(variant or None, tree)]: what publishing ``tree`` for ``menu`` serves: the
    tree (a variant over its base), and for a base menu each live variant over it
    (named, so its violations say which variant)."""
    from menus.models import Menu
    from menus.services import live_version

    trees = [(None, effective_tree(menu, tree))]
    if menu.is_variant:
        return trees
    variants = Menu.objects.filter(
        account_id=menu.account_id, brand__isnull=False, live=True
    ).select_related("brand")
    for variant in variants.order_by("brand__code"):
        version = live_version(variant)
        if version is not None:
            trees.append((variant, merge_variant(tree, version.tree)))
    return trees


def account_violations(account, trees, values, *, name_account=False, go_live_at=None, lookups=None):
    """The violations of ``trees`` served to ``account`` with its ``values`` (going live
    now or at ``go_live_at``); ``name_account`` puts the account's code in front of each
    (a rollout target); ``lookups`` shared by the accounts of one pass."""
    errors, seen = [], set()
    for variant, tree in trees:
        served, unknown = substitute(tree, values, account.code)
        # A field still holding an unknown {name} is reported once, as that.
        unknown_fields = {(error.record, error.field) for error in unknown}
        found_here = [
            e
            for e in validate_tree(account, served, go_live_at=go_live_at, lookups=lookups)
            if (e.record, e.field) not in unknown_fields
        ]
        for error in unknown + found_here:
            message = error.message
            if variant is not None and not message.startswith("品牌变体"):
                message = f"品牌变体 {variant.brand.code}:{message}"
            where = " ".join(
                part
                for part in (
                    account.code if name_account else "",
                    variant.code if variant is not None else "",
                )
                if part
            )
            found = RecordError(
                record=error.record,
                field=error.field,
                message=message,
                code=error.code,
                list=where,
            )
            if str(found) not in seen:
                seen.add(str(found))
                errors.append(found)
    return errors


def _values(trees, account_ids):
    """The accounts' variables, read only when a tree names one."""
    if not any(has_placeholders(tree) for _, tree in trees):
        return {}
    return values_for(account_ids)


def publish_violations(menu, tree, *, go_live_at=None):
    """Violations of publishing ``tree`` for ``menu`` (now, or scheduled at
    ``go_live_at``): for its own account and each account its base menu is rolled out
    to, each with its own variables."""
    from content.models import ChannelAccount

    trees = served_trees(menu, tree)
    targets = []
    if menu.account.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        base_id = (
            menu.base_menu().pk if menu.is_variant and menu.base_menu() else menu.pk
        )
        targets = list(
            ChannelAccount.objects.filter(menu_rollout__menu_id=base_id).order_by(
                "code"
            )
        )
    values = _values(trees, [menu.account_id, *(a.pk for a in targets)])
    lookups = Lookups()
    errors = account_violations(
        menu.account, trees, values.get(menu.account_id, {}), go_live_at=go_live_at, lookups=lookups
    )
    for account in targets:
        errors += account_violations(
            account, trees, values.get(account.pk, {}), name_account=True, go_live_at=go_live_at, lookups=lookups
        )
    return errors


def rollout_violations(version, accounts):
    """Violations of serving ``version``'s menu (a base menu) on ``accounts``, before
    they are chosen."""
    menu = version.menu
    trees = served_trees(menu, version.tree)
    values = _values(trees, [a.pk for a in accounts])
    errors, lookups = [], Lookups()
    for account in accounts:
        errors += account_violations(
            account, trees, values.get(account.pk, {}), name_account=True, lookups=lookups
        )
    return errors
