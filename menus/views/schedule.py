"""Scheduling from the tree editor: a go-live time (and an expiry) for the draft tree,
or an expiry for the live menu; cancelling a planned go-live (menus.scheduling)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from menus import scheduling
from menus.validation import MenuValidationError
from menus.views.access import menu_for

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        label="定时上线", required=False, input_formats=LOCAL_INPUT
    )
    expire_at = forms.DateTimeField(
        label="定时下线", required=False, input_formats=LOCAL_INPUT
    )


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@require_POST
def schedule_menu(request, pk):
    menu = menu_for(request, pk, "publish")
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "时间格式不正确:"
            + ";".join(f"{form.fields[f].label}" for f in form.errors),
        )
        return redirect("menus_admin:tree_editor", pk=menu.pk)
    go_live_at, expire_at = (
        form.cleaned_data["go_live_at"],
        form.cleaned_data["expire_at"],
    )
    try:
        if go_live_at is not None:
            scheduling.schedule(menu, request.user, go_live_at, expire_at=expire_at)
            until = f",{_local(expire_at)} 下线" if expire_at else ""
            messages.success(
                request, f"菜单 {menu.code} 已计划于 {_local(go_live_at)} 上线{until}"
            )
        elif expire_at is not None and menu.live:
            scheduling.set_expiry(menu, expire_at)
            messages.success(request, f"菜单 {menu.code} 将于 {_local(expire_at)} 下线")
        else:
            messages.error(
                request,
                "请填写定时上线时间" if not menu.live else "请填写定时上线或下线时间",
            )
    except MenuValidationError as error:
        shown = ";".join(str(e) for e in error.errors[:5])
        messages.error(
            request,
            f"菜单未定时:有 {len(error.errors)} 处在上线时不符合渠道规则:{shown}",
        )
    except ValidationError as error:
        messages.error(request, "菜单未定时:" + ";".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or "没有权限")
    return redirect("menus_admin:tree_editor", pk=menu.pk)


@require_POST
def unschedule_menu(request, pk):
    menu = menu_for(request, pk, "publish")
    scheduling.unschedule(menu)
    messages.success(request, f"已取消菜单 {menu.code} 的定时上线,线上版本不变")
    return redirect("menus_admin:tree_editor", pk=menu.pk)
