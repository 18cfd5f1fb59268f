"""A page of search hits and their total in one query: the union of the kinds'
matches (content.search.statements) is counted by a window over it
(``count(*) OVER ()``) before the cursor and the page size apply, so ``totalCount``
no longer runs the union a second time. The cursors, page sizes and PageInfo are
api.pagination's."""

from django.db import connections

from api.pagination import Edge, PageInfo, _size, decode_cursor, encode_cursor

# The order: rank descending, then the kind's place in SEARCHED, then id (unique over
# the union); a cursor holds the three.
TYPES = (int, int, int)


class CountedPage:
    """A Page whose total came with its rows."""

    def __init__(self, edges, page_info, total):
        self.edges, self.page_info, self._total = edges, page_info, total

    def total_count(self):
        return self._total() if callable(self._total) else self._total


def paginate_hits(statement, *, first=None, after=None, transform=None):
    """A CountedPage of the rows (rank, kind_order, id) of ``statement`` (a
    statements.Statement, or None for no part) in the order above."""
    size = _size(first, None, "default")
    if statement is None or statement.sql is None:
        return CountedPage([], PageInfo(has_next_page=False, has_previous_page=after is not None), 0)
    sql, params = statement.sql, statement.params
    where, more_params = "", []
    if after is not None:
        rank, kind_order, pk = decode_cursor(after, TYPES)
        # Row comparison: after the cursor in (rank descending, kind_order, id).
        where, more_params = "WHERE (-rank, kind_order, id) > (%s, %s, %s)", [-rank, kind_order, pk]
    with connections[statement.db].cursor() as cursor:
        cursor.execute(
            f"SELECT rank, kind_order, id, total FROM (SELECT hit.*, count(*) OVER () AS total FROM ({sql}) hit) "
            f"counted {where} ORDER BY rank DESC, kind_order, id LIMIT %s",
            [*params, *more_params, size + 1],
        )
        found = cursor.fetchall()
    total = found[0][3] if found else (0 if after is None else lambda: _count(statement))
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


def _count(statement):
    """The rows of ``statement``: only for a page past its end, which carries no total."""
    with connections[statement.db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({statement.sql}) hit", statement.params)
        return cursor.fetchone()[0]
