"""Admin of promotion slots (营销位): a channel position holding ordered entries."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column

from content.models import PromotionSlot
from content.models.promotions import MAX_SLOT_ENTRIES
from content.views.fields import CodeListInput
from content.views.filters import OrganisationFilterSet
from content.views.forms import PromotionSlotForm
from content.views.scoped import ContentViewSet, OrganisationPanel

ENTRY_PANELS = [
    FieldRowPanel([FieldPanel("target", widget=forms.Select), FieldPanel("title"), FieldPanel("subtitle")]),
    FieldRowPanel([FieldPanel("article"), FieldPanel("package"), FieldPanel("business")]),
    FieldPanel("link"),
    FieldPanel("image"),
    FieldRowPanel(
        [FieldPanel("brands", widget=CodeListInput), FieldPanel("regions", widget=CodeListInput)], heading=_("受众")
    ),
    FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading=_("排期")),
]


class PromotionSlotFilterSet(OrganisationFilterSet):
    class Meta:
        model = PromotionSlot
        fields = ["organisation", "channel", "live"]


class PromotionSlotViewSet(ContentViewSet):
    model = PromotionSlot
    icon = "pick"
    menu_label = _("营销位")
    base_form_class = PromotionSlotForm
    filterset_class = PromotionSlotFilterSet
    search_fields = ["title", "code"]
    list_display = [
        "title",
        "code",
        Column("channel", label=_("渠道类型"), accessor="get_channel_display"),
        Column("entry_count", label=_("条目数"), accessor=lambda s: len(s.entries.all())),
        Column("organisation", label=_("所属组织"), accessor=lambda s: s.organisation.name),
    ]
    select_related = ("organisation",)
    prefetch_related = ("entries",)
    panels = [
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("title"), FieldPanel("channel", widget=forms.Select), OrganisationPanel()],
            heading=_("基本信息"),
        ),
        InlinePanel(
            "entries",
            heading=_("条目(按显示顺序,最多 %(max)s 条)") % {"max": MAX_SLOT_ENTRIES},
            label=_("条目"),
            panels=ENTRY_PANELS,
        ),
    ]
