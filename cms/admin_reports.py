"""Wagtail's reports under organisation isolation, mounted in cms/urls.py on the
paths of Wagtail's own (which they replace; reverse() of Wagtail's names still
lands here).

- Site history and every history view read the log through
  ``cms.models.ScopedModelLogEntry``; site history counts its rows up to
  ``content.paging.COUNT_CAP`` (the log grows by the hundred thousand, and counting
  the rows a branch may read costs a scan of them all on every page). Its filter
  choices (actions, types, users) come from one grouped read of each log a user may
  see (``log_filter_choices``) instead of Wagtail's scan per filter.
- The workflow reports list workflow and task states by content type only; these
  narrow them (and the "requested by" choices) to records the user may read.
- Aging pages, locked pages and page types usage are about pages, which carry no
  organisation: administrators only."""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
)
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
)
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import WorkflowState
from wagtail.models.audit_log import LogEntryQuerySet

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


def log_filter_choices(user):
    """(actions, content type ids, user ids) of the log entries ``user`` may see: one
    grouped read per log model, where Wagtail scans the (scoped) log once per filter."""
    actions, content_type_ids, user_ids = set(), set(), set()
    for log_model in log_action_registry.get_log_entry_models():
        viewable = log_model.objects.viewable_by_user(user).order_by()
        rows = list(viewable.values_list("action", "content_type_id", "user_id").distinct())
        actions.update(action for action, _, _ in rows)
        user_ids.update(user_id for _, _, user_id in rows)
        if rows and type(viewable).get_content_type_ids is not LogEntryQuerySet.get_content_type_ids:
            # the model reports its own types (the page log: every page type as "Page")
            content_type_ids |= viewable.get_content_type_ids()
        else:
            content_type_ids.update(content_type_id for _, content_type_id, _ in rows)
    return actions, content_type_ids - {None}, user_ids - {None}


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """Wagtail's site history filters, their choices read at once (``log_filter_choices``):
    the same actions and types; the users are those of the entries the user may see
    (Wagtail 8 lists every user of the page log, and none of the other logs)."""

    def __init__(self, *args, request=None, **kwargs):
        self._choices = log_filter_choices(request.user)
        super().__init__(*args, request=request, **kwargs)
        self.filters["object_type"].queryset = ContentType.objects.filter(pk__in=self._choices[1]).order_by("model")

    def get_action_choices(self):
        actions = self._choices[0]
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_users_queryset(self):
        User = get_user_model()
        return User.objects.filter(pk__in=self._choices[2]).order_by(User.USERNAME_FIELD)


class CappedSiteHistoryView(LogEntriesView):
    paginator_class = CappedCountPaginator
    filterset_class = ScopedSiteHistoryFilterSet


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
