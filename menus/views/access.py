"""Which menus and accounts an admin user may open, through content.permissions:
outside the user's organisations is a 404, a missing action permission a 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.permissions import policy_registry

from content.models import ChannelAccount
from content.permissions import can_view, scope_for_user
from menus.models import Menu


def menu_policy():
    return policy_registry.get_by_type(Menu)


def menu_for(request, pk, action="view"):
    menu = Menu.objects.select_related("account", "brand").filter(pk=pk).first()
    if menu is None or not can_view(request.user, menu):
        raise Http404
    if not menu_policy().user_has_permission_for_instance(request.user, action, menu):
        raise PermissionDenied
    return menu


def may(user, action, menu):
    return menu_policy().user_has_permission_for_instance(user, action, menu)


def sms_accounts_for(user):
    """SMS accounts the user may simulate: those of their organisations and those that
    serve them from above (a branch's customers text the province's business hall)."""
    if not menu_policy().user_has_permission(user, "view"):
        raise PermissionDenied
    scope = scope_for_user(user)
    accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.SMS)
    if scope.everything:
        return accounts.order_by("code")
    return accounts.filter(organisation_id__in=scope.readable).order_by("code")
