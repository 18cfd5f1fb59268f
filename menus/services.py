"""Menu services: publish the draft as an immutable version, serve the published
tree of an account for a brand, diff and roll back versions. Called alike by the
admin, the importer, the API and tasks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery

from api import reused_sql
from content.models import Article, ChannelAccount, SmsTemplate
from menus.diff import MenuDiff, diff_trees
from menus.models import Menu, MenuNode, MenuVersion
from menus.signals import menu_version_published
from menus.tree import build_tree, count_nodes, load_rows, merge_variant, served, tree_hash, walk
from menus.validation import MenuValidationError, validate_for_publish

__all__ = [
    "MenuDiff",
    "diff_versions",
    "live_version",
    "publish",
    "publish_revision",
    "published_tree",
    "replace_draft",
    "rollback",
    "validate_for_publish",
]


def live_version(menu):
    """The version a menu serves: its highest number (a rollback publishes anew)."""
    return menu.versions.order_by("-number").first()


def _refuse_if_locked(menu, user):
    lock = menu.get_lock() if user is not None else None
    if lock is not None and lock.for_user(user):
        raise PermissionDenied(lock.get_message(user))


def publish(menu, user=None, comment="", *, rolled_back_from=None, announce=True):
    """Freeze the draft as the next version and serve it. A tree that breaks a
    channel rule is refused whole (MenuValidationError); the live version keeps serving.
    ``announce=False`` sends no ``menu_version_published`` (the import owes the change
    row, and the push when asked, through its outbox instead)."""
    with transaction.atomic():
        menu = Menu.objects.select_for_update(of=("self",)).select_related("account", "brand").get(pk=menu.pk)
        _refuse_if_locked(menu, user)
        tree, structural = build_tree(load_rows(menu))
        if structural:
            raise MenuValidationError(structural)
        # The version stores the tree; the revision only records who published when.
        menu._revision_tree = False
        menu.go_live_at = None  # published now, whatever a schedule said (menus.scheduling schedules)
        revision = menu.save_revision(user=user, clean=False)
        return publish_revision(menu, revision, user=user, comment=comment, rolled_back_from=rolled_back_from,
                                skip_permission_checks=True, tree=tree, draft_is_tree=True, announce=announce)


def publish_revision(menu, revision, *, user=None, comment="", changed=True, log_action=True, previous_revision=None,
                     skip_permission_checks=False, rolled_back_from=None, tree=None, draft_is_tree=False, announce=True,
                     checked=False):
    """Publish a Wagtail revision of a menu (the edit view, a workflow approval, or
    ``publish``): validate its tree (the one the revision carries, else ``tree``, else
    the draft; not when the caller ``checked`` that very tree with nothing changed
    since, as a release whose checks still stand), let Wagtail mark the menu live and log it, store the version and announce it.
    A revision whose go-live time is still ahead is only scheduled (Wagtail keeps its
    ``approved_go_live_at``; beat publishes it then): no version yet, returns None."""
    from wagtail.actions.publish_revision import PublishRevisionAction

    from content.holds import refuse_held
    from menus.scheduling import go_live_at_of

    refuse_held(menu)
    with transaction.atomic():
        menu = Menu.objects.select_for_update(of=("self",)).select_related("account", "brand").get(pk=menu.pk)
        if revision.content.get("tree") is not None:
            tree = revision.content["tree"]
            draft_is_tree = False
        if tree is None:
            tree = build_tree(load_rows(menu))[0]
            draft_is_tree = True
        go_live_at = go_live_at_of(revision)
        errors = [] if checked else validate_for_publish(menu, tree, go_live_at=go_live_at)
        if errors:
            raise MenuValidationError(errors)
        PublishRevisionAction(
            revision, user=user, changed=changed, log_action=log_action, previous_revision=previous_revision
        ).execute(skip_permission_checks=skip_permission_checks)
        if go_live_at is not None:
            return None
        number = (menu.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        published_hash = tree_hash(tree)
        version = MenuVersion.objects.create(
            menu=menu,
            number=number,
            tree=tree,
            node_count=count_nodes(tree),
            tree_hash=published_hash,
            author=user if user is not None and user.is_authenticated else None,
            comment=comment[:255],
            revision=revision,
            rolled_back_from=rolled_back_from,
        )
        changed_since = not draft_is_tree and tree_hash(build_tree(load_rows(menu))[0]) != published_hash
        Menu.objects.filter(pk=menu.pk).update(has_unpublished_changes=changed_since)
        if announce:
            menu_version_published.send(sender=MenuVersion, version=version, menu=menu, account=menu.account)
    return version


def _brand_code(brand):
    if brand is None or isinstance(brand, str):
        return brand or None
    return brand.code


def live_trees(account, *brand_codes):
    """(brand code, tree) of the latest versions of the live menus of ``account`` (an id,
    or an expression giving one): its base menu (brand code None) and its variants of
    ``brand_codes``."""
    latest = MenuVersion.objects.filter(menu=OuterRef("menu")).order_by("-number").values("number")[:1]
    menus = Q(menu__brand__isnull=True)
    for code in brand_codes:
        menus |= Q(menu__brand__code=code)
    return MenuVersion.objects.filter(
        menus, menu__account_id=account, menu__live=True, number=Subquery(latest)
    ).values_list("menu__brand__code", "tree")


def tree_of(rows, brand_code, include_hidden=False):
    """The tree served to a caller of ``brand_code`` from ``live_trees``' rows: the
    brand's variant over the base, valid nodes of that brand, hidden nodes only when asked."""
    rows = dict(rows)
    base, variant = rows.get(None), rows.get(brand_code) if brand_code else None
    tree = merge_variant(base or [], variant) if variant is not None else base or []
    return served(tree, brand_code, include_hidden=include_hidden)


def published_tree(account, brand=None, *, include_hidden=False):
    """The live tree of an account as a caller of ``brand`` (a Brand, a code or None)
    is served: the brand's variant over the base, valid nodes of that brand, hidden
    nodes only when asked. One query."""
    brand_code = _brand_code(brand)
    account_id = account.pk if isinstance(account, ChannelAccount) else account
    # Compiled once per process (api.reused_sql): building it costs more than running it.
    values = [account_id, brand_code] if brand_code else [account_id]
    rows = reused_sql.fetch(("published_tree", len(values)), live_trees, values, MenuVersion)
    return tree_of(rows, brand_code, include_hidden)


def diff_versions(a, b):
    """Node-by-node changes from version ``a`` to version ``b`` (MenuVersion or node lists)."""
    before = a.tree if isinstance(a, MenuVersion) else a
    after = b.tree if isinstance(b, MenuVersion) else b
    return diff_trees(before, after)


def rollback(menu, version_number, user=None):
    """Publish an old version's tree as a new version (and make it the draft again)."""
    source = menu.versions.filter(number=version_number).first()
    if source is None:
        raise ValidationError({"version": ValidationError(f"菜单 {menu.code} 没有版本 {version_number}", code="not_found")})
    errors = validate_for_publish(menu, source.tree)
    if errors:
        raise MenuValidationError(errors)
    with transaction.atomic():
        replace_draft(menu, source.tree)
        return publish(menu, user, comment=f"回滚到版本 {version_number}", rolled_back_from=version_number)


def replace_draft(menu, nodes):
    """Make ``nodes`` (node dicts, already valid) the menu's draft, keeping their uids.
    Inserts level by level: one query per depth, not per node."""
    codes = {"template": set(), "account": set(), "article": set()}
    for node, _, _ in walk(nodes):
        if node.get("reply_template"):
            codes["template"].add(node["reply_template"])
        if (node.get("miniprogram") or {}).get("account"):
            codes["account"].add(node["miniprogram"]["account"])
        if node.get("article"):
            codes["article"].add(node["article"])
    templates = dict(SmsTemplate.objects.filter(code__in=codes["template"]).values_list("code", "pk"))
    accounts = dict(ChannelAccount.objects.filter(code__in=codes["account"]).values_list("code", "pk"))
    articles = dict(Article.objects.filter(code__in=codes["article"]).values_list("code", "pk"))
    with transaction.atomic():
        MenuNode.objects.filter(menu=menu).delete()
        level = [(node, None) for node in nodes]
        while level:
            rows = [_row(menu, node, parent, templates, accounts, articles) for node, parent in level]
            MenuNode.objects.bulk_create(rows)
            level = [(child, row) for (node, _), row in zip(level, rows) for child in node.get("children") or []]
        Menu.objects.filter(pk=menu.pk).update(has_unpublished_changes=True)


def _row(menu, node, parent, templates, accounts, articles):
    mini = node.get("miniprogram") or {}
    return MenuNode(
        menu=menu,
        parent=parent,
        uid=node["uid"],
        key=str(node["key"]).rsplit(".", 1)[-1],
        name=node["name"],
        order=node.get("order") or 0,
        type=node["type"],
        brands=list(node.get("brands") or []),
        hidden=bool(node.get("hidden")),
        valid=bool(node.get("valid", True)),
        inherit=bool(node.get("inherit")),
        command=node.get("command") or "",
        reply_template_id=templates.get(node.get("reply_template")),
        url=node.get("url") or "",
        event_key=node.get("event_key") or "",
        miniprogram_account_id=accounts.get(mini.get("account")),
        pagepath=mini.get("pagepath") or "",
        article_id=articles.get(node.get("article")),
        shelf_kind=node.get("shelf_kind") or "",
        family=node.get("family") or "",
    )
