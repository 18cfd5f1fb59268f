"""List filters of the content admin: organisation choices limited to what the
editor can see, so a filter never names a sibling branch."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from content.models import ChannelAccount, Organisation
from content.permissions import scope_for_user, visible


class OrganisationFilterSet(WagtailFilterSet):
    live = django_filters.BooleanFilter(label=_("已发布"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        scope = scope_for_user(user)
        for name in ("organisation", "sale_orgs", "shared_to"):
            if name in self.filters:
                orgs = Organisation.objects.order_by("code")
                self.filters[name].queryset = orgs if scope.everything else orgs.filter(pk__in=scope.readable)
        if "account" in self.filters:
            accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT).order_by("code")
            self.filters["account"].queryset = visible(accounts, scope)
