"""Admin of mass sends (群发): the Broadcast snippet (drafts, approval workflow,
history) under organisation isolation, and its 预览与发送 page."""

from dataclasses import dataclass

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet

from content.models import ChannelAccount
from content.permissions import editable, scope_for_user
from content.viewsets import OrganisationOwnedForm, OrganisationScopedViewSet

from . import urls
from .models import Broadcast
from .services.rules import account_problems, content_problems


class BroadcastForm(OrganisationOwnedForm):
    """Accounts limited to the official accounts of the editor's organisations."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("accounts")
        if field is not None and for_user is not None:
            official = ChannelAccount.objects.filter(
                type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
            )
            field.queryset = editable(official, scope_for_user(for_user)).order_by(
                "code"
            )

    def clean(self):
        # The chosen accounts live in cleaned_data until the form saves: checked here.
        cleaned = super().clean()
        accounts = cleaned.get("accounts")
        if accounts is not None and not self.has_error("accounts"):
            organisation = cleaned.get("organisation")
            if organisation is not None:
                self.instance.organisation = organisation
            for problem in account_problems(self.instance, list(accounts)):
                self.add_error("accounts", problem)
        return cleaned


class BroadcastViewSet(OrganisationScopedViewSet):
    model = Broadcast
    icon = "mail"
    menu_label = _("群发")
    menu_order = 220
    add_to_admin_menu = True
    base_form_class = BroadcastForm
    # A substring match of the title (Chinese has no word boundaries), as content's lists do.
    search_backend_name = None
    search_fields = ["title"]
    list_display = [
        "title",
        Column("kind", label=_("消息类型"), accessor="get_kind_display"),
        Column("audience", label=_("发送对象"), accessor="get_audience_display"),
        Column(
            "live", label=_("已审核"), accessor=lambda b: _("是") if b.live else _("否")
        ),
    ]
    panels = [
        FieldPanel("title"),
        FieldPanel("organisation", widget=forms.Select),
        FieldPanel("kind"),
        FieldPanel("news_group"),
        FieldPanel("text"),
        FieldPanel("audience"),
        FieldPanel("brand"),
        FieldPanel("accounts", widget=forms.CheckboxSelectMultiple),
        FieldPanel("send_ignore_reprint"),
    ]


register_snippet(BroadcastViewSet)


@hooks.register("register_admin_urls")
def register_broadcasts_urls():
    return [
        path(
            "broadcasts/",
            include((urls, "broadcasts_admin"), namespace="broadcasts_admin"),
        )
    ]


@hooks.register("register_snippet_listing_buttons")
def broadcast_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Broadcast):
        yield ListingButton(
            _("预览与发送"),
            reverse("broadcasts_admin:send", args=[snippet.pk]),
            icon_name="mail",
            priority=5,
        )


@dataclass(frozen=True)
class BroadcastProblem:
    """A broken content rule as an approval check (content.checks): approval is refused."""

    message: str
    blocking: bool = True
    channel: str = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT

    def __str__(self):
        return self.message


@hooks.register("editorial_item_checks")
def broadcast_checks(item):
    if not isinstance(item, Broadcast):
        return []
    return [
        BroadcastProblem(str(m))
        for messages in content_problems(item).values()
        for m in messages
    ]
