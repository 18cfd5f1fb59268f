"""The /graphql/ endpoint: authenticated callers only, scoped to their organisation."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from wagtail.models import APIToken

from content.permissions import scope_for_user


def _bearer_user(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not APIToken.validate_token_format(token):
        return None
    api_token = (
        APIToken.objects.select_related("user")
        .filter(key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True)
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    return api_token.user


class ScopedGraphQLView(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        user = _bearer_user(request) or (request.user if request.user.is_authenticated else None)
        if user is None:
            return JsonResponse(
                {"errors": [{"message": "authentication required", "extensions": {"code": "UNAUTHENTICATED"}}]},
                status=401,
            )
        request.org_scope = scope_for_user(user)
        return super().dispatch(request, *args, **kwargs)


graphql_view = csrf_exempt(ScopedGraphQLView.as_view(graphiql=True))
