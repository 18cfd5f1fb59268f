"""Requests carrying text PostgreSQL cannot store are bad requests (400), refused in
one place before any view: a NUL character or a lone surrogate in the path or in a
query or form parameter (name or value) reached a filter or a save as psycopg's
DataError, a server error (``/admin/publishing/?account=%00``). The rule itself is
``api.text.refusal``, the one the GraphQL API applies to its variables and literals;
the GraphQL view answers with its own typed error and is marked ``checks_own_input``."""

from django.http import HttpResponseBadRequest

from api.text import refusal


def checks_own_input(view):
    """Mark a view that refuses unstorable text itself (answered in its own format)."""
    view.checks_own_input = True
    return view


def _first_refusal(request):
    reason = refusal(request.path)
    if reason:
        return "the path", reason
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for source in sources:
        for name, values in source.lists():
            reason = refusal(name)
            if reason:
                return "a parameter's name", reason
            for value in values:
                reason = refusal(value)
                if reason:
                    return f"parameter “{name}”", reason
    return None


class RefuseUnstorableText:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_own_input", False):
            return None
        found = _first_refusal(request)
        if found is None:
            return None
        where, reason = found
        return HttpResponseBadRequest(f"Bad request: {where} {reason}.", content_type="text/plain; charset=utf-8")
