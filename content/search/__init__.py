"""Search over what an API token may read: articles, packages, businesses and SMS
templates (with their commands), ranked with highlighted snippets (``services``),
and the GraphQL fields ``search`` and ``suggest`` (``schema``, mounted into
content's Query). PostgreSQL serves the matches from trigram indexes
(migration 0007); SQLite scans with the same API."""
