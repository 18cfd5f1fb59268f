"""Admin for the organisation matrix; content models register their own viewsets."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content.forms import ChannelAccountForm, OrganisationForm
from content.models import Brand, ChannelAccount, Organisation
from content.viewsets import OrganisationScopedViewSet


class OrganisationViewSet(OrganisationScopedViewSet):
    model = Organisation
    icon = "site"
    menu_label = _("组织")
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    ordering = ["code"]
    base_form_class = OrganisationForm
    # Only provinces and branches can be parents: a short plain select beats a chooser.
    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("level"), FieldPanel("parent", widget=forms.Select)]


class BrandViewSet(SnippetViewSet):
    model = Brand
    icon = "tag"
    menu_label = _("品牌")
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    panels = [FieldPanel("code"), FieldPanel("name")]


class ChannelAccountViewSet(OrganisationScopedViewSet):
    model = ChannelAccount
    icon = "mail"
    menu_label = _("渠道账号")
    base_form_class = ChannelAccountForm
    list_display = ["name", "code", "type", "organisation", "enabled"]
    list_filter = ["type", "organisation", "enabled"]
    search_fields = ["name", "code"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("type"),
        FieldPanel("organisation"),
        FieldPanel("enabled"),
        MultiFieldPanel(
            [FieldPanel("app_id"), FieldPanel("original_id"), FieldPanel("api_base_url")], heading=_("微信")
        ),
        MultiFieldPanel(
            [FieldPanel("service_number"), FieldPanel("signature"), FieldPanel("opt_out_text"), FieldPanel("max_segments")],
            heading=_("短信"),
        ),
        FieldPanel("base_url"),
        MultiFieldPanel(
            [
                FieldPanel("app_secret_new"),
                FieldPanel("callback_token_new"),
                FieldPanel("encoding_aes_key_new"),
                FieldPanel("webhook_key_new"),
            ],
            heading=_("密钥(只写)"),
        ),
    ]


class OrganisationMatrixGroup(SnippetViewSetGroup):
    menu_label = _("组织矩阵")
    menu_icon = "group"
    menu_order = 100
    items = (OrganisationViewSet, BrandViewSet, ChannelAccountViewSet)


register_snippet(OrganisationMatrixGroup)
