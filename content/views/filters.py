"""List filters of the content admin. Isolation of their choices (organisation,
account: only what the editor may read, never a sibling branch) is applied by the
viewset to every filter (content.viewsets.limit_choices); this only keeps the
account filter to WeChat official accounts, the only ones replies belong to."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from content.models import ChannelAccount
from content.status import Status, filter_status


class StatusFilterSet(WagtailFilterSet):
    """The editorial status (content.status), filtered in SQL."""

    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices, method="filter_by_status")

    def filter_by_status(self, queryset, name, value):
        return filter_status(queryset, value) if value else queryset


class OrganisationFilterSet(StatusFilterSet):
    live = django_filters.BooleanFilter(label=_("已发布"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.filters:
            self.filters["account"].queryset = ChannelAccount.objects.filter(
                type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
            ).order_by("code")
