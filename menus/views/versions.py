"""Versions of a menu: the list, the node-by-node diff of two, and rollback."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.http import Http404

from menus.services import diff_versions, rollback
from menus.validation import MenuValidationError
from menus.views.access import may, menu_for

KIND_LABELS = {"added": "新增", "removed": "删除", "renamed": "改名", "moved": "移动", "retargeted": "改目标",
               "changed": "其他修改"}


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def versions(request, pk):
    menu = menu_for(request, pk, "view")
    listed = list(menu.versions.select_related("author").defer("tree").order_by("-number"))
    numbers = [v.number for v in listed]
    b = _number(request.GET.get("b")) or (numbers[0] if numbers else None)
    a = _number(request.GET.get("a")) or (numbers[1] if len(numbers) > 1 else None)
    diff = None
    if a in numbers and b in numbers:
        pair = {v.number: v for v in menu.versions.filter(number__in=[a, b])}
        diff = diff_versions(pair[a], pair[b])
    return TemplateResponse(request, "menus/versions.html", {
        "menu": menu,
        "versions": listed,
        "live_number": numbers[0] if numbers else None,
        "a": a,
        "b": b,
        "diff": _diff_rows(diff) if diff is not None else None,
        "counts": {KIND_LABELS[k]: n for k, n in diff.counts.items() if n} if diff is not None else {},
        "can_rollback": may(request.user, "publish", menu),
        "page_title": f"菜单版本:{menu.name}",
        "header_icon": "history",
    })


def _diff_rows(diff):
    return [{"label": KIND_LABELS[c.kind], **c.as_dict()} for c in diff]


def rollback_version(request, pk, number):
    """GET: what rolling back will change and where, to confirm; POST: roll back."""
    menu = menu_for(request, pk, "publish")
    if request.method != "POST":
        return _confirm_rollback(request, menu, number)
    try:
        version = rollback(menu, number, request.user)
    except MenuValidationError as error:
        messages.error(request, f"无法回滚到版本 {number}:" + ";".join(str(e) for e in error.errors[:5]))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, ";".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"已将版本 {number} 发布为版本 {version.number}")
    return redirect("menus_admin:versions", pk=menu.pk)


def _confirm_rollback(request, menu, number):
    listed = {v.number: v for v in menu.versions.select_related("author").order_by("-number")}
    target = listed.get(number)
    if target is None:
        raise Http404
    live = next(iter(listed.values()))
    diff = diff_versions(live, target)
    return TemplateResponse(request, "menus/confirm_rollback.html", {
        "menu": menu,
        "target": target,
        "live": live,
        "new_number": live.number + 1,
        "accounts": [menu.account],
        "diff": _diff_rows(diff),
        "counts": {KIND_LABELS[k]: n for k, n in diff.counts.items() if n},
        "page_title": f"确认回滚:{menu.name}",
        "header_icon": "history",
    })
