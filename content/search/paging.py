"""A page of search hits and their total in one query: the union of the kinds'
matches is counted by a window over it (``count(*) OVER ()``) before the cursor and
the page size apply, so ``totalCount`` no longer runs the union a second time. The
cursors, page sizes and PageInfo are api.pagination's."""

from django.core.exceptions import EmptyResultSet
from django.db import connections

from api.pagination import Edge, PageInfo, _size, decode_cursor, encode_cursor

# Rank descending, then the kind's place in SEARCHED, then id: unique over the union.
KEYS = ("-rank", "kind_order", "id")
TYPES = (int, int, int)


class CountedPage:
    """A Page whose total came with its rows."""

    def __init__(self, edges, page_info, total):
        self.edges, self.page_info, self._total = edges, page_info, total

    def total_count(self):
        return self._total() if callable(self._total) else self._total


def paginate_hits(parts, *, first=None, after=None, transform=None):
    """A CountedPage of the union of ``parts`` (``values("rank", "kind_order", "id")``
    querysets) in the order of KEYS."""
    size = _size(first, None, "default")
    nothing = CountedPage([], PageInfo(has_next_page=False, has_previous_page=after is not None), 0)
    if not parts:
        return nothing
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    try:
        sql, params = union.query.sql_with_params()
    except EmptyResultSet:  # no part can hold a row (e.g. no account of the channel asked)
        return nothing
    where, more_params = "", []
    if after is not None:
        rank, kind_order, pk = decode_cursor(after, TYPES)
        # Row comparison: after the cursor in (rank descending, kind_order, id).
        where, more_params = "WHERE (-rank, kind_order, id) > (%s, %s, %s)", [-rank, kind_order, pk]
    with connections[union.db].cursor() as cursor:
        cursor.execute(
            f"SELECT rank, kind_order, id, total FROM (SELECT hit.*, count(*) OVER () AS total FROM ({sql}) hit) "
            f"counted {where} ORDER BY rank DESC, kind_order, id LIMIT %s",
            [*params, *more_params, size + 1],
        )
        found = cursor.fetchall()
    total = found[0][3] if found else (0 if after is None else union.count)
    rows = [{"rank": r, "kind_order": k, "id": i} for r, k, i, _total in found[:size]]
    nodes = transform(rows) if transform else rows
    edges = [Edge(encode_cursor([row["rank"], row["kind_order"], row["id"]]), node)
             for row, node in zip(rows, nodes, strict=True)]
    info = PageInfo(
        has_next_page=len(found) > size,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return CountedPage(edges, info, total)
