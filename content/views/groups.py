"""Admin of news groups (图文组合): an ordered list of library articles."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import Column

from content.models import NewsGroup
from content.models.groups import MAX_GROUP_ARTICLES
from content.views.filters import OrganisationFilterSet
from content.views.forms import NewsGroupForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class NewsGroupFilterSet(OrganisationFilterSet):
    class Meta:
        model = NewsGroup
        fields = ["organisation", "live"]


class NewsGroupViewSet(ContentViewSet):
    model = NewsGroup
    icon = "list-ol"
    menu_label = _("图文组合")
    base_form_class = NewsGroupForm
    filterset_class = NewsGroupFilterSet
    search_fields = ["title", "code"]
    list_display = [
        "title",
        "code",
        Column("article_count", label=_("图文数"), accessor=lambda g: len(g.entries.all())),
        Column("organisation", label=_("所属组织"), accessor=lambda g: g.organisation.name),
    ]
    select_related = ("organisation",)
    prefetch_related = ("entries",)
    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        OrganisationPanel(),
        # No max_num: a 9th row is refused by the group rules, with their message.
        InlinePanel("entries", heading=_("图文(按消息中的顺序,最多 %(max)s 篇)") % {"max": MAX_GROUP_ARTICLES},
                    label=_("图文")),
    ]
