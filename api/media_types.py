"""The answer's media type, negotiated from ``Accept`` as the GraphQL-over-HTTP
specification asks: ``application/graphql-response+json`` when the client prefers it,
otherwise (also with no ``Accept``, ``*/*`` or nothing acceptable) ``application/json``,
which older clients expect."""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept):
    """(media range, q, position) of an Accept header; unparseable q counts as 0."""
    for position, part in enumerate(accept.split(",")):
        media_range, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media_range:
            yield media_range.lower(), q, position


def _preference(media_type, ranges):
    """(q, named explicitly, earlier first) of ``media_type``, or None when not accepted."""
    main = media_type.split("/")[0] + "/*"
    for candidate, explicit in ((media_type, True), (main, False), ("*/*", False)):
        found = [(q, position) for media_range, q, position in ranges if media_range == candidate]
        if found:
            q, position = found[0]
            return (q, explicit, -position) if q > 0 else None
    return None


def negotiate(accept):
    ranges = list(_ranges(accept or ""))
    graphql = _preference(GRAPHQL_RESPONSE_JSON, ranges)
    json = _preference(JSON, ranges)
    if graphql is not None and (json is None or graphql > json):
        return GRAPHQL_RESPONSE_JSON
    return JSON
