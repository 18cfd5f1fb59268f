"""Admin of menus: the Menu snippet (metadata, locking, history, review workflow),
links to the tree editor and versions, and the SMS simulator."""

from django.urls import include, path, reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, PublishingPanel
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView

from content.models import ChannelAccount
from content.permissions import editable, scope_for_user
from content.views.filters import StatusFilterSet
from content.views.panels import StatusPanel
from content.views.scoped import EditorialStatusMixin
from content.views.takedown import ConfirmedDeleteView, ConfirmedUnpublishView
from content.viewsets import (
    OrganisationOwnedForm,
    OrganisationScopedViewSet,
    ScopedModelForm,
)
from menus import urls as menus_urls
from menus.models import AccountVariable, Menu
from menus.validation import validate_draft
from menus.views.access import may, menu_policy


class MenuForm(OrganisationOwnedForm):
    """Accounts limited to those of the editor's organisations."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("account")
        if field is not None and for_user is not None:
            field.queryset = editable(ChannelAccount.objects.all(), scope_for_user(for_user))


class MenuEditView(EditView):
    def form_valid(self, form):
        # Publishing or submitting for review refuses a draft that breaks a channel rule.
        approving = self.action == "workflow-action" and getattr(self, "workflow_action", None) == "approve"
        if approving or self.action in ("publish", "submit", "restart-workflow"):
            go_live_at = form.cleaned_data.get("go_live_at")
            errors = validate_draft(self.object, go_live_at=go_live_at if go_live_at and go_live_at > now() else None)
            if errors:
                for error in errors[:20]:
                    form.add_error(None, str(error))
                if len(errors) > 20:
                    form.add_error(None, f"……共 {len(errors)} 处,见菜单树编辑页")
                self.produced_error_code = "invalid_tree"
                self.produced_error_message = f"菜单树有 {len(errors)} 处不符合渠道规则,未提交"
                return self.form_invalid(form)
        return super().form_valid(form)


class MenuFilterSet(StatusFilterSet):
    class Meta:
        model = Menu
        fields = ["account", "brand"]


class MenuViewSet(EditorialStatusMixin, OrganisationScopedViewSet):
    model = Menu
    icon = "list-ul"
    menu_label = _("渠道菜单")
    menu_order = 210
    add_to_admin_menu = True
    base_form_class = MenuForm
    edit_view_class = MenuEditView
    # Unpublishing, and deleting a live menu, name the account it leaves.
    unpublish_view_class = ConfirmedUnpublishView
    delete_view_class = ConfirmedDeleteView
    delete_template_name = ConfirmedDeleteView.template_name
    list_display = ["name", "code", "account", "brand"]
    filterset_class = MenuFilterSet
    search_fields = ["name", "code"]
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "brand")

    # A brand variant's follower tag is created and kept by the platform (FollowerTag).
    # Go-live and expiry times come with Wagtail's publishing panel, as for every kind.
    panels = [StatusPanel(), FieldPanel("code"), FieldPanel("name"), FieldPanel("account"), FieldPanel("brand"),
              PublishingPanel()]


register_snippet(MenuViewSet)


class AccountVariableForm(ScopedModelForm):
    """Official accounts the editor manages only."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("account")
        if field is not None and for_user is not None:
            accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
            field.queryset = editable(accounts, scope_for_user(for_user)).order_by("code")


class AccountVariableViewSet(OrganisationScopedViewSet):
    """Per-account values of ``{name}`` in the menus an account is served (menu rollout)."""

    model = AccountVariable
    icon = "code"
    menu_label = _("菜单变量")
    menu_order = 212
    add_to_admin_menu = True
    base_form_class = AccountVariableForm
    list_display = ["account", "name", "value"]
    list_filter = ["account"]
    search_fields = ["name", "value"]
    panels = [FieldPanel("account"), FieldPanel("name"), FieldPanel("value")]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


register_snippet(AccountVariableViewSet)


@hooks.register("register_admin_urls")
def register_menus_urls():
    return [path("menus/", include((menus_urls, "menus_admin"), namespace="menus_admin"))]


@hooks.register("register_snippet_listing_buttons")
def menu_listing_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Menu):
        return
    yield ListingButton(_("菜单树"), reverse("menus_admin:tree_editor", args=[snippet.pk]), icon_name="list-ul",
                        priority=5)
    yield ListingButton(_("版本"), reverse("menus_admin:versions", args=[snippet.pk]), icon_name="history",
                        priority=6)
    if snippet.account.type == ChannelAccount.Type.SMS and may(user, "view", snippet):
        yield ListingButton(_("模拟"), reverse("menus_admin:simulator") + f"?account={snippet.account_id}",
                            icon_name="mail", priority=7)


class SimulatorMenuItem(MenuItem):
    def is_shown(self, request):
        return menu_policy().user_has_permission(request.user, "view")


@hooks.register("register_admin_menu_item")
def simulator_menu_item():
    return SimulatorMenuItem(_("短信菜单模拟器"), reverse("menus_admin:simulator"), icon_name="mail", order=211)
