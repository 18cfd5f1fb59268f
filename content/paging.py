"""Paging of the admin's logs (callback messages, template message sends, publishing
jobs): their tables grow to millions of rows, and ``count(*)`` over the rows a user
may see costs a scan of all of them on every page. Counting stops at ``COUNT_CAP``:
beyond it the list says "10000+" and offers the pages up to the cap; a filter (account,
time, state) narrows the rest."""

from django.utils.functional import cached_property
from wagtail.admin.paginator import WagtailPaginator

COUNT_CAP = 10_000


class CappedCountPaginator(WagtailPaginator):
    """Counts at most ``cap`` + 1 rows (one query, ``LIMIT`` in a subquery)."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        object_list = self.object_list
        if hasattr(object_list, "order_by"):
            # Ordering means nothing to a count; without it any index will do.
            return object_list.order_by()[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @property
    def capped(self):
        """True when there are more rows than were counted."""
        return self.count > self.cap

    @cached_property
    def items_count_label(self):
        if self.capped:
            return f"{self.cap}+ {self.verbose_name_plural}"
        return super().items_count_label
