"""Search over what an API token may read: articles, packages, businesses and SMS
templates (with their commands), ranked with highlighted snippets (``services``),
and the GraphQL fields ``search`` and ``suggest`` (``schema``, mounted into
content's Query), a page and its total in one statement (``paging``) whose SQL is
compiled once per reader (``statements``). PostgreSQL narrows the matches with a
bigram index per searched table (migration 0014); SQLite scans with the same API."""
