"""The tree editor: one page holding the draft rows, a JSON endpoint per edit that
answers with the changed rows and the current channel-rule violations, and publish."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail import hooks

from content.models import Brand, ChannelAccount
from menus import editing, scheduling
from menus.models import MenuNode, NodeType
from menus.services import live_version, publish
from menus.tree import build_tree, load_rows, walk
from menus.validation import RULES, MenuValidationError, validate_draft
from menus.views.access import may, menu_for

# Violations name node fields by code name (the importer and API keep them); the editor
# shows their labels. Fields of the tree that are no model column get one here.
FIELD_LABELS = {
    **{f.name: str(f.verbose_name) for f in MenuNode._meta.fields},
    "children": "下级节点", "nodes": "节点", "miniprogram": "小程序", "brands": "适用品牌",
}


# Apps above menus add links to the editor's status bar (releases: 加入上线计划):
# a hook ``fn(request, menu)`` yielding (label, url).
LINKS_HOOK = "menu_editor_links"


def _violations(menu):
    return [e.as_dict() for e in validate_draft(menu)]


def tree_editor(request, pk):
    menu = menu_for(request, pk, "view")
    lock = menu.get_lock()
    locked_for_user = bool(lock and lock.for_user(request.user))
    editable = may(request.user, "change", menu) and not locked_for_user
    rules = RULES[menu.account.type]
    base_keys = []
    if menu.is_variant and menu.base_menu():
        base_keys = [n["key"] for n, _, _ in walk(build_tree(load_rows(menu.base_menu()))[0])]
    version = live_version(menu)
    schedule = scheduling.schedule_of(menu)
    data = {
        "menu": {"id": menu.pk, "name": menu.name, "channel": menu.account.type, "is_variant": menu.is_variant},
        "rows": editing.editor_rows(menu),
        "violations": _violations(menu),
        "types": [[t.value, t.label] for t in NodeType if t in rules.types],
        "type_labels": {t.value: str(t.label) for t in NodeType},
        "field_labels": FIELD_LABELS,
        "brands": list(Brand.objects.values_list("code", "name")),
        "miniprograms": list(
            ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_MINIPROGRAM).values_list("code", "name")
        ),
        "base_keys": base_keys,
        "editable": editable,
        "ops_url": reverse("menus_admin:tree_ops", args=[menu.pk]),
    }
    return TemplateResponse(request, "menus/tree_editor.html", {
        "menu": menu,
        "data": data,
        "version": version,
        "schedule": schedule,
        "can_unschedule": schedule.go_live_at is not None and may(request.user, "publish", menu),
        "lock_message": lock.get_message(request.user) if lock else "",
        "rolled_out_over": _rolled_out_over(menu),
        "links": [link for hook in hooks.get_hooks(LINKS_HOOK) for link in hook(request, menu)],
        "can_publish": may(request.user, "publish", menu) and not locked_for_user,
        "page_title": f"菜单树:{menu.name}",
        "header_icon": "list-ul",
    })


def _rolled_out_over(menu):
    """The menu rolled out to this menu's account, which it is served instead (menus.rollout)."""
    from menus.rollout import source_of

    source = source_of(menu.account_id)
    return source.menu if source.rolled_out else None


OPS = {
    "add": lambda menu, body, user: ([editing.add_node(menu, body.get("data") or {}, parent_id=body.get("parent_id"),
                                                       user=user).pk], []),
    "update": lambda menu, body, user: ([editing.update_node(menu, body["id"], body.get("data") or {}, user=user).pk],
                                        []),
    "hide": lambda menu, body, user: ([editing.set_hidden(menu, body["id"], body.get("hidden", True), user=user).pk],
                                      []),
    "move": lambda menu, body, user: (editing.move_node(menu, body["id"], parent_id=body.get("parent_id"),
                                                        position=body.get("position"), user=user), []),
    "delete": lambda menu, body, user: ([], editing.delete_node(menu, body["id"], user=user)),
    "override": lambda menu, body, user: (_override(menu, body, user), []),
}


def _override(menu, body, user):
    editing.override_base_node(menu, str(body.get("key") or ""), user=user)
    # Placeholders may have been created for ancestors: answer with every row.
    return [row["id"] for row in editing.editor_rows(menu)]


@require_POST
def tree_ops(request, pk):
    menu = menu_for(request, pk, "change")
    try:
        body = json.loads(request.body or b"{}")
        op = OPS[body.get("op")]
    except (ValueError, KeyError):
        return JsonResponse({"ok": False, "errors": {"op": ["未知操作"]}}, status=400)
    try:
        changed, removed = op(menu, body, request.user)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    except PermissionDenied as error:
        return JsonResponse({"ok": False, "errors": {"__all__": [str(error) or "没有权限"]}}, status=403)
    except editing.MenuNode.DoesNotExist:
        return JsonResponse({"ok": False, "errors": {"id": ["节点不在此菜单中"]}}, status=404)
    return JsonResponse({
        "ok": True,
        "rows": editing.rows_by_id(menu, changed),
        "removed": removed,
        "violations": _violations(menu),
    })


@require_POST
def publish_menu(request, pk):
    menu = menu_for(request, pk, "publish")
    try:
        version = publish(menu, request.user, comment=request.POST.get("comment", "").strip())
    except MenuValidationError as error:
        messages.error(request, f"菜单未发布:有 {len(error.errors)} 处不符合渠道规则,已在节点旁标出。线上仍是原版本。")
    except PermissionDenied as error:
        messages.error(request, str(error) or "没有权限")
    else:
        messages.success(request, f"已发布版本 {version.number}")
    return redirect("menus_admin:tree_editor", pk=menu.pk)
