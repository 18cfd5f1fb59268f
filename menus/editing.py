"""Draft edits of a menu tree (add, edit, move, hide, delete a node; override a
base node in a brand variant). Each edit touches a handful of rows; channel rules
are checked separately (``validation.validate_draft``) so an editor can pass
through an invalid draft on the way to a valid one."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from content.models import Article, Brand, ChannelAccount, SmsTemplate
from menus.models import Menu, MenuNode, NodeType
from menus.navigation import GROUPS
from menus.tree import ROW_FIELDS, build_tree, load_rows, walk

TEXT_FIELDS = {"key": 16, "name": 100, "command": 20, "url": 2048, "event_key": 256, "pagepath": 255, "shelf_kind": 16,
               "family": 100}
FLAG_FIELDS = ("hidden", "valid", "inherit")


def editor_rows(menu):
    """Flat draft rows for the tree editor (one query)."""
    return [_public(row) for row in load_rows(menu)]


def _public(row):
    return {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "uid": str(row["uid"]),
        "key": row["key"],
        "name": row["name"],
        "order": row["order"],
        "type": row["type"],
        "brands": row["brands"] or [],
        "hidden": row["hidden"],
        "valid": row["valid"],
        "inherit": row["inherit"],
        "command": row["command"],
        "reply_template": row["reply_template__code"] or "",
        "url": row["url"],
        "event_key": row["event_key"],
        "miniprogram_account": row["miniprogram_account__code"] or "",
        "pagepath": row["pagepath"],
        "article": row["article__code"] or "",
        "shelf_kind": row["shelf_kind"],
        "family": row["family"],
    }


def rows_by_id(menu, ids):
    return [_public(r) for r in MenuNode.objects.filter(menu=menu, pk__in=ids).values(*ROW_FIELDS)]


def guard(menu, user):
    """Refuse edits while someone else holds the menu's lock (or a review task
    locks it for the user). System edits (no user) are not locked out."""
    if user is None:
        return
    lock = menu.get_lock()
    if lock is not None and lock.for_user(user):
        raise PermissionDenied(lock.get_message(user))


def _touch(menu):
    Menu.objects.filter(pk=menu.pk).update(has_unpublished_changes=True)


def _apply(node, data):
    """Set the fields present in ``data`` (codes for references); errors per field."""
    errors = {}
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            value = str(data[name] or "").strip()
            if len(value) > limit:
                errors[name] = f"不能超过{limit}个字符"
            setattr(node, name, value)
    if "type" in data:
        if data["type"] not in NodeType.values:
            errors["type"] = f"未知类型 {data['type']}"
        node.type = data["type"]
    for name in FLAG_FIELDS:
        if name in data:
            setattr(node, name, data[name] in (True, "true", "on", "1", 1))
    if "order" in data:
        try:
            node.order = max(0, int(data["order"]))
        except (TypeError, ValueError):
            errors["order"] = "须为非负整数"
    if "brands" in data:
        brands = data["brands"]
        if isinstance(brands, str):
            brands = [b.strip() for b in brands.split(",") if b.strip()]
        unknown = set(brands) - set(Brand.objects.filter(code__in=brands).values_list("code", flat=True))
        if unknown:
            errors["brands"] = f"未知品牌 {', '.join(sorted(unknown))}"
        node.brands = sorted(set(brands))
    references = (
        ("reply_template", SmsTemplate.objects.all(), "回复模板"),
        ("miniprogram_account", ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_MINIPROGRAM), "小程序账号"),
        ("article", Article.objects.all(), "图文"),
    )
    for name, queryset, label in references:
        if name in data:
            code = str(data[name] or "").strip()
            target = queryset.filter(code=code).first() if code else None
            if code and target is None:
                errors[name] = f"{label} {code} 不存在"
            setattr(node, name, target)
    if errors:
        raise ValidationError(errors)


def _next_key(menu, parent_id):
    taken = set(MenuNode.objects.filter(menu=menu, parent_id=parent_id).values_list("key", flat=True))
    for candidate in range(1, 1000):
        if str(candidate) not in taken and (menu.account.type != ChannelAccount.Type.SMS or candidate <= 9):
            return str(candidate)
    return f"x{len(taken) + 1}"


def _parent(menu, parent_id):
    if parent_id in (None, "", "null"):
        return None
    parent = MenuNode.objects.filter(menu=menu, pk=parent_id).first()
    if parent is None:
        raise ValidationError({"parent": "上级节点不在此菜单中"})
    if parent.type not in GROUPS:
        raise ValidationError({"parent": "只能在子菜单或分类下添加节点"})
    return parent


def add_node(menu, data, *, parent_id=None, user=None):
    """A new node as the last child of ``parent_id`` (None: top level)."""
    guard(menu, user)
    with transaction.atomic():
        parent = _parent(menu, parent_id)
        node = MenuNode(menu=menu, parent=parent, uid=uuid.uuid4())
        _apply(node, {"type": NodeType.SUBMENU, **data})
        if not node.key:
            node.key = _next_key(menu, parent.pk if parent else None)
        if not node.name:
            raise ValidationError({"name": "名称不能为空"})
        last = MenuNode.objects.filter(menu=menu, parent=parent).aggregate(top=Max("order"))["top"]
        node.order = 0 if last is None else last + 1
        node.save()
        _touch(menu)
    return node


def update_node(menu, node_id, data, *, user=None):
    guard(menu, user)
    with transaction.atomic():
        node = MenuNode.objects.select_for_update().get(menu=menu, pk=node_id)
        data = {k: v for k, v in data.items() if k not in ("order", "parent", "parent_id", "id", "uid")}
        _apply(node, data)
        if not node.name:
            raise ValidationError({"name": "名称不能为空"})
        node.save()
        _touch(menu)
    return node


def set_hidden(menu, node_id, hidden, *, user=None):
    return update_node(menu, node_id, {"hidden": bool(hidden)}, user=user)


def delete_node(menu, node_id, *, user=None):
    """Delete a node and its subtree; returns the ids removed."""
    guard(menu, user)
    with transaction.atomic():
        rows = load_rows(menu)
        children = {}
        for row in rows:
            children.setdefault(row["parent_id"], []).append(row["id"])
        if not any(row["id"] == int(node_id) for row in rows):
            raise ValidationError({"node": "节点不在此菜单中"})
        removed, stack = [], [int(node_id)]
        while stack:
            current = stack.pop()
            removed.append(current)
            stack.extend(children.get(current, []))
        MenuNode.objects.filter(menu=menu, pk__in=removed).delete()
        _touch(menu)
    return removed


def move_node(menu, node_id, *, parent_id=None, position=None, user=None):
    """Re-parent and/or reorder: the node goes to ``position`` (0-based, default last)
    among the children of ``parent_id``. Returns the ids whose parent or order changed."""
    guard(menu, user)
    with transaction.atomic():
        node = MenuNode.objects.select_for_update().get(menu=menu, pk=node_id)
        parent = _parent(menu, parent_id)
        if parent is not None and _is_within(menu, parent.pk, node.pk):
            raise ValidationError({"parent": "不能把节点移到它自己或它的下级节点下"})
        old_parent_id = node.parent_id
        siblings = list(MenuNode.objects.filter(menu=menu, parent=parent).exclude(pk=node.pk).order_by("order", "id"))
        if old_parent_id != (parent.pk if parent else None) and node.key in {s.key for s in siblings}:
            # A key the new siblings already use would be ambiguous: take the next free one.
            node.key = _next_key(menu, parent.pk if parent else None)
        at = len(siblings) if position in (None, "") else max(0, min(int(position), len(siblings)))
        siblings.insert(at, node)
        node.parent = parent
        changed = _renumber(siblings)
        node.save(update_fields=["parent", "order", "key"])
        changed.add(node.pk)
        if old_parent_id != (parent.pk if parent else None):
            old = list(MenuNode.objects.filter(menu=menu, parent_id=old_parent_id).order_by("order", "id"))
            changed |= _renumber(old)
        _touch(menu)
    return sorted(changed)


def _renumber(nodes):
    changed = [n for i, n in enumerate(nodes) if n.order != i]
    for i, n in enumerate(nodes):
        n.order = i
    MenuNode.objects.bulk_update(changed, ["order"])
    return {n.pk for n in changed}


def _is_within(menu, candidate_id, ancestor_id):
    """Whether ``candidate_id`` is ``ancestor_id`` or below it."""
    parents = dict(MenuNode.objects.filter(menu=menu).values_list("pk", "parent_id"))
    seen = set()
    while candidate_id is not None and candidate_id not in seen:
        if candidate_id == ancestor_id:
            return True
        seen.add(candidate_id)
        candidate_id = parents.get(candidate_id)
    return False


def override_base_node(variant, key, *, user=None):
    """In a brand variant, a copy of the base node at ``key`` to edit, with inherit
    placeholders for its ancestors. Returns the override node."""
    guard(variant, user)
    base = variant.base_menu()
    if base is None:
        raise ValidationError({"key": "此菜单不是品牌变体"})
    base_nodes = {node["key"]: node for node, _, _ in walk(build_tree(load_rows(base))[0])}
    if key not in base_nodes:
        raise ValidationError({"key": f"基础菜单中没有键 {key}"})
    with transaction.atomic():
        own = {node["key"]: node for node, _, _ in walk(build_tree(load_rows(variant), with_ids=True)[0])}
        parts = key.split(".")
        parent_id = None
        for depth in range(1, len(parts) + 1):
            path = ".".join(parts[:depth])
            if path in own:
                parent_id = own[path]["id"]
                continue
            source = base_nodes[path]
            node = MenuNode.objects.create(
                menu=variant,
                parent_id=parent_id,
                key=parts[depth - 1],
                name=source["name"],
                order=source["order"],
                type=source["type"],
                brands=source["brands"],
                hidden=source["hidden"],
                valid=source["valid"],
                inherit=depth < len(parts),
                command=source["command"],
                reply_template=SmsTemplate.objects.filter(code=source["reply_template"]).first()
                if source["reply_template"] else None,
                url=source["url"],
                event_key=source["event_key"],
                miniprogram_account=ChannelAccount.objects.filter(
                    code=(source["miniprogram"] or {}).get("account")).first() if source["miniprogram"] else None,
                pagepath=(source["miniprogram"] or {}).get("pagepath") or "",
                article=Article.objects.filter(code=source["article"]).first() if source["article"] else None,
                shelf_kind=source.get("shelf_kind") or "",
                family=source.get("family") or "",
            )
            parent_id = node.pk
        _touch(variant)
    return MenuNode.objects.get(pk=parent_id)
