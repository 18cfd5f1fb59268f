"""加入上线计划 from an item's list row, its edit page or the menu tree editor: the
editor picks one of their organisations' releases that may still take items, or
creates one, and the item is added or refused with the reason (another open release
holds it, the editor may not edit it). Back on the page it came from, with a message."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.action_menu import ActionMenuItem

from content import kinds
from content.permissions import can_edit, can_view, editable, owner_id, scope_for_user
from releases import membership
from releases.models import Release
from releases.views import _messages_of, _policy, release_for


def add_to_url(item, next_url=""):
    kind = kinds.kind_of(item)
    query = {"ref": f"{kind.code}:{kind.item_code(item)}"}
    if next_url:
        query["next"] = next_url
    return f"{reverse('releases_admin:add_to')}?{urlencode(query)}"


class AddToReleaseMenuItem(ActionMenuItem):
    """The edit page action "加入上线计划", shown to an editor of the item."""

    name = "action-add-to-release"
    label = _("加入上线计划")
    icon_name = "calendar-alt"
    order = 85

    def is_shown(self, context):
        instance = context.get("instance")
        return (
            context.get("view") == "edit"
            and instance is not None
            and can_edit(context["request"].user, instance)
        )

    def get_url(self, parent_context):
        request = parent_context["request"]
        return add_to_url(parent_context["instance"], request.get_full_path())


def _item(request, ref):
    """The item named by ``ref``; a 404 when it does not exist or is out of sight."""
    try:
        item = membership.resolve(ref)
    except ValidationError:
        raise Http404 from None
    if not can_view(request.user, item):
        raise Http404
    return item


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and safe else ""


def _back(request, release):
    return redirect(
        _next_url(request) or reverse("releases_admin:release", args=[release.pk])
    )


def _add(request, release, item, ref, created=False):
    try:
        membership.add(release, [item], user=request.user)
    except ValidationError as error:
        transaction.set_rollback(True)  # a release created for the item goes with it
        for message in _messages_of(error):
            messages.error(request, f"未加入上线计划 {release.code}:{message}")
        if created:
            messages.error(request, f"上线计划 {release.code} 未创建")
        return False
    messages.success(request, f"{ref} 已加入上线计划 {release.code}({release.title})")
    return True


def _new_release(request, item):
    """A release of the item's organisation, or the form errors naming the field."""
    if not _policy().user_has_permission(request.user, "add"):
        return None, {"general": ["无权新建上线计划"]}
    release = Release(
        code=request.POST.get("code", "").strip(),
        title=request.POST.get("title", "").strip(),
        organisation_id=owner_id(item),
        created_by=request.user,
    )
    try:
        release.full_clean()
    except ValidationError as error:
        errors = error.message_dict
        errors["general"] = errors.pop(NON_FIELD_ERRORS, [])
        return None, errors
    release.save()
    return release, {}


def add_to(request):
    ref = request.GET.get("ref") or request.POST.get("ref", "")
    item = _item(request, ref)
    choices = membership.taking_items(
        editable(Release.objects.all(), scope_for_user(request.user))
    )
    errors = {}
    if request.method == "POST":
        with transaction.atomic():
            created = request.POST.get("action") == "create"
            if created:
                release, errors = _new_release(request, item)
            else:
                release = choices.filter(pk=request.POST.get("release") or 0).first()
                if release is None:
                    raise Http404
                release = release_for(request, release.pk, "change")
            if release is not None:
                _add(request, release, item, ref, created)
                return _back(request, release)
    holder = membership.holder_of(item)
    return TemplateResponse(
        request,
        "releases/add_to.html",
        {
            "ref": ref,
            "item": item,
            "releases": choices.select_related("organisation").order_by("-created_at"),
            "holder": holder,
            "editable": can_edit(request.user, item),
            "can_create": _policy().user_has_permission(request.user, "add"),
            "errors": errors,
            "form": request.POST if errors else {},
            "next": _next_url(request),
            "page_title": f"加入上线计划:{ref}",
            "header_icon": "calendar-alt",
        },
    )


def menu_editor_links(request, menu):
    """The tree editor's link to this form (menus.views.editor.LINKS_HOOK)."""
    if can_edit(request.user, menu):
        yield _("加入上线计划"), add_to_url(menu, request.get_full_path())
