"""Admin hooks that span apps: who works for which organisation."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from content.models import EditorProfile
from content.viewsets import OrganisationScopedViewSet


class EditorProfileViewSet(OrganisationScopedViewSet):
    model = EditorProfile
    icon = "user"
    menu_label = _("编辑归属")
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username"]
    panels = [FieldPanel("user"), FieldPanel("organisation")]


register_snippet(EditorProfileViewSet)
