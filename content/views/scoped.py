"""The base of every content viewset: isolation (from OrganisationScopedViewSet),
database search over chosen fields, and list querysets that select what the
columns show so a page costs the same number of queries whatever its length."""

from django import forms
from wagtail.admin.panels import FieldPanel, ObjectList, PublishingPanel

from content.status import with_status
from content.views.columns import StatusColumn
from content.views.panels import ChecksPanel, StatusPanel
from content.views.takedown import ConfirmedDeleteView, ConfirmedUnpublishView
from content.viewsets import OrganisationScopedViewSet


def OrganisationPanel():
    """The owning organisation as a plain select: the form already limits it to
    the editor's few organisations, a chooser modal would only slow them down."""
    return FieldPanel("organisation", widget=forms.Select)


class EditorialStatusMixin:
    """Lists of an editorial model carry each item's status: a column (the list's
    queryset computes it in SQL) and, with ``content.views.filters.StatusFilterSet``,
    a filter."""

    def get_queryset(self, request):
        return with_status(super().get_queryset(request))

    def get_index_view_kwargs(self, **kwargs):
        view_kwargs = super().get_index_view_kwargs(**kwargs)
        view_kwargs["list_display"] = [*view_kwargs["list_display"], StatusColumn()]
        return view_kwargs


class ContentViewSet(EditorialStatusMixin, OrganisationScopedViewSet):
    # Chinese text has no word boundaries for full-text search: a substring
    # match over a few short columns is both correct and fast at this scale.
    search_backend_name = None
    list_per_page = 25
    # Unpublishing, and deleting a live item, list the accounts the item leaves.
    unpublish_view_class = ConfirmedUnpublishView
    delete_view_class = ConfirmedDeleteView
    delete_template_name = ConfirmedDeleteView.template_name
    select_related = ()
    prefetch_related = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_edit_handler(self):
        # Scheduled go-live / expiry fields come with Wagtail's publishing panel.
        return ObjectList([StatusPanel(), ChecksPanel(), *self.panels, PublishingPanel()], base_form_class=self.base_form_class).bind_to_model(
            self.model
        )
