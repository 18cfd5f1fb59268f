"""Import one legacy ``menus`` record (legacy-channel-export/1): create or update
the menu and its draft, and publish a version only when the tree changed.
Refused records write nothing and name the node key and field of each violation."""

from django.db import transaction

from content.errors import RecordError
from content.models import Brand, ChannelAccount
from menus.models import Menu
from menus.services import live_version, publish, replace_draft
from menus.tree import assign_uids, build_tree, load_rows, normalise, tree_hash, uids_by_key, walk
from menus.validation import MenuValidationError, validate_tree

IMPORT_COMMENT = "导入"
# Attributes that make a variant node an override rather than a copy of the base node.
COMPARED = ("name", "order", "type", "brands", "hidden", "valid", "command", "reply_template", "url", "event_key",
            "miniprogram", "article", "shelf_kind", "family")


def import_menu(record, *, user=None, announce=True):
    """Create or update the menu of one legacy record; returns "created", "updated" or "unchanged".
    ``announce=False`` publishes without ``menu_version_published`` (see ``menus.services.publish``)."""
    code = str(record.get("code") or "")
    account, brand, errors = _resolve_menu_refs(record, code)
    if errors:
        raise MenuValidationError(errors)
    nodes = normalise(record.get("nodes"))
    _fill_app_ids(nodes)
    errors = validate_tree(account, nodes)
    if errors:
        raise MenuValidationError(errors)
    with transaction.atomic():
        menu = Menu.objects.select_for_update(of=("self",)).filter(code=code).order_by("pk").first()
        errors = _check_identity(menu, code, account, brand)
        if errors:
            raise MenuValidationError(errors)
        if brand is not None:
            base = Menu.objects.filter(account=account, brand__isnull=True).first()
            if base is None:
                raise MenuValidationError([RecordError(record=code, field="brand",
                                                       message="须先导入此账号的基础菜单,品牌变体覆盖基础菜单", code="no_base")])
            base_version = live_version(base)
            base_tree = base_version.tree if base_version else build_tree(load_rows(base))[0]
            nodes = to_overrides(base_tree, nodes)
        status = "updated"
        if menu is None:
            menu = Menu.objects.create(code=code, name=str(record.get("name") or code)[:100], account=account,
                                       brand=brand)
            status = "created"
        elif menu.name != record.get("name") and record.get("name"):
            menu.name = str(record["name"])[:100]
            menu.save(update_fields=["name"])
        else:
            status = "unchanged"
        version = live_version(menu)
        if version is not None:
            # Most runs change no menu: a tree equal to the live version's (its keys all
            # there, so its uids too) needs no draft rows read.
            assign_uids(nodes, uids_by_key(version.tree))
            if tree_hash(nodes) == version.tree_hash:
                return status
        draft = build_tree(load_rows(menu))[0]
        known = uids_by_key(draft)
        if version is not None:
            known.update(uids_by_key(version.tree))
        assign_uids(nodes, known)
        if version is None or tree_hash(nodes) != version.tree_hash:
            replace_draft(menu, nodes)
            publish(menu, user, comment=IMPORT_COMMENT, announce=announce)
            status = "created" if status == "created" else "updated"
    return status


def _resolve_menu_refs(record, code):
    errors = []
    if not code:
        errors.append(RecordError(record="?", field="code", message="菜单代码不能为空", code="required"))
    account = ChannelAccount.objects.filter(code=record.get("account") or "").first()
    if account is None:
        errors.append(RecordError(record=code, field="account", message=f"渠道账号 {record.get('account')} 不存在",
                                  code="unknown_account"))
    elif record.get("channel") and record["channel"] != account.type:
        errors.append(RecordError(record=code, field="channel",
                                  message=f"渠道 {record['channel']} 与账号类型 {account.type} 不符", code="invalid"))
    brand = None
    if record.get("brand"):
        brand = Brand.objects.filter(code=record["brand"]).first()
        if brand is None:
            errors.append(RecordError(record=code, field="brand", message=f"未知品牌 {record['brand']}",
                                      code="unknown_brand"))
    if not isinstance(record.get("nodes"), list):
        errors.append(RecordError(record=code, field="nodes", message="节点须为列表", code="invalid"))
    return account, brand, errors


def _check_identity(menu, code, account, brand):
    brand_id = brand.pk if brand else None
    if menu is not None and (menu.account_id != account.pk or menu.brand_id != brand_id):
        return [RecordError(record=code, field="code", message="此代码已用于其他账号或品牌的菜单", code="duplicate")]
    if menu is None:
        other = Menu.objects.filter(account=account, brand=brand).first()
        if other is not None:
            return [RecordError(record=code, field="account",
                                message=f"账号 {account.code} 已有菜单 {other.code}", code="duplicate")]
    return []


def _fill_app_ids(nodes):
    """Mini-program buttons carry the mini-program's app id, as the snapshot does."""
    mini = [n["miniprogram"] for n, _, _ in walk(nodes) if n.get("miniprogram") and n["miniprogram"].get("account")]
    if not mini:
        return
    app_ids = dict(ChannelAccount.objects.filter(code__in={m["account"] for m in mini}).values_list("code", "app_id"))
    for m in mini:
        m["app_id"] = app_ids.get(m["account"], "")


def _same(a, b):
    return all(a.get(f) == b.get(f) for f in COMPARED)


def to_overrides(base, full):
    """A brand's full legacy tree as overrides of the base: nodes equal to the base
    are left out (or kept as ``inherit`` placeholders when they hold overrides),
    base nodes missing from the brand's tree become hidden overrides."""
    by_key = {node["key"]: node for node in base}
    out = []
    for node in full:
        base_node = by_key.pop(node["key"], None)
        if base_node is None:
            out.append(node)
            continue
        children = node.get("children") or []
        if node["type"] == "submenu":
            children = to_overrides(base_node.get("children") or [], children)
        if _same(node, base_node):
            if children:
                out.append({**node, "inherit": True, "children": children})
            continue
        out.append({**node, "children": children})
    for missing in by_key.values():
        out.append({**missing, "uid": None, "hidden": True, "children": []})
    return out
