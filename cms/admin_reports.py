"""Wagtail's reports under organisation isolation, mounted in cms/urls.py on the
paths of Wagtail's own (which they replace; reverse() of Wagtail's names still
lands here).

- Site history and every history view read the log through
  ``cms.models.ScopedModelLogEntry``; site history counts its rows up to
  ``content.paging.COUNT_CAP`` (the log grows by the hundred thousand, and counting
  the rows a branch may read costs a scan of them all on every page).
- The workflow reports list workflow and task states by content type only; these
  narrow them (and the "requested by" choices) to records the user may read.
- Aging pages, locked pages and page types usage are about pages, which carry no
  organisation: administrators only."""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
)
from wagtail.models import WorkflowState

from content.paging import CappedCountPaginator
from content.permissions import readable_references_q


def _readable_states_q(user, prefix=""):
    return readable_references_q(user, f"{prefix}base_content_type", f"{prefix}object_id")


def _requesters(request):
    User = get_user_model()
    states = WorkflowState.objects.filter(_readable_states_q(request.user))
    return User.objects.filter(pk__in=states.values("requested_by")).order_by(User.USERNAME_FIELD)


class ScopedWorkflowReportFilterSet(WorkflowReportFilterSet):
    requested_by = django_filters.ModelChoiceFilter(field_name="requested_by", queryset=_requesters)


class ScopedWorkflowView(WorkflowView):
    filterset_class = ScopedWorkflowReportFilterSet

    def get_queryset(self):
        return super().get_queryset().filter(_readable_states_q(self.request.user))


class ScopedWorkflowTasksView(WorkflowTasksView):
    def get_queryset(self):
        return super().get_queryset().filter(_readable_states_q(self.request.user, "workflow_state__"))


class CappedSiteHistoryView(LogEntriesView):
    paginator_class = CappedCountPaginator


class _AdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminAgingPagesView(_AdministratorsOnly, AgingPagesView):
    pass


class AdminLockedPagesView(_AdministratorsOnly, LockedPagesView):
    pass


class AdminPageTypesUsageReportView(_AdministratorsOnly, PageTypesUsageReportView):
    pass


def _both(route, view_class):
    from django.urls import path

    return [path(route, view_class.as_view()), path(f"{route}results/", view_class.as_view(results_only=True))]


# Prefixed by "admin/" in cms/urls.py, ahead of Wagtail's admin.
urlpatterns = [
    *_both("reports/site-history/", CappedSiteHistoryView),
    *_both("reports/workflow/", ScopedWorkflowView),
    *_both("reports/workflow_tasks/", ScopedWorkflowTasksView),
    *_both("reports/aging-pages/", AdminAgingPagesView),
    *_both("reports/locked/", AdminLockedPagesView),
    *_both("reports/page-types-usage/", AdminPageTypesUsageReportView),
]
