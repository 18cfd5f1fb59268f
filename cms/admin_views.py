"""Admin views of the GraphQL API: an API client's tokens (issue, revoke; a new
token is shown once), and short-lived preview tokens for a draft."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.models import APIToken
from wagtail.snippets.views.snippets import CreateView

from cms.callers import clients
from api.persisted import by_name
from cms.callers.preview import issue_preview_token, max_age
from cms.models import ApiClient
from content import kinds
from content.permissions import can_edit, can_view


def token_page(request, client, plaintext):
    return TemplateResponse(
        request,
        "cms/api/token_created.html",
        {"page_title": _("API 令牌已签发"), "client": client, "token": plaintext,
         "tokens_url": reverse("cms_api_client_tokens", args=[client.pk])},
    )


class ApiClientCreateView(CreateView):
    """Creates the client with its service user and shows its first token once."""

    def save_instance(self):
        data = self.form.cleaned_data
        client = clients.create_client(
            name=data["name"], organisation=data["organisation"], accounts=data["accounts"],
            expires_at=data.get("expires_at"),
        )
        self.plaintext = clients.issue_token(client, by=self.request.user)[1]
        return client

    def save_action(self):
        return token_page(self.request, self.object, self.plaintext)


def _client_for(request, pk, write):
    client = get_object_or_404(ApiClient.objects.select_related("organisation"), pk=pk)
    allowed = request.user.has_perm("cms.change_apiclient") and (can_edit if write else can_view)(request.user, client)
    if not allowed:
        raise Http404
    return client


@require_http_methods(["GET", "POST"])
def client_tokens(request, pk):
    """The client's tokens; POST issues a new one or revokes one or all."""
    client = _client_for(request, pk, write=request.method == "POST")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            plaintext = clients.issue_token(client, by=request.user)[1]
            return token_page(request, client, plaintext)
        if action == "revoke":
            token = get_object_or_404(APIToken, pk=request.POST.get("token"), user_id=client.user_id, revoked_at__isnull=True)
            clients.revoke_token(token, by=request.user)
            messages.success(request, _("令牌 %(prefix)s… 已撤销") % {"prefix": token.prefix})
        elif action == "revoke_all":
            count = clients.revoke_tokens(client, by=request.user)
            messages.success(request, _("已撤销 %(count)d 个令牌") % {"count": count})
        return redirect("cms_api_client_tokens", pk=client.pk)
    tokens = APIToken.objects.filter(user_id=client.user_id).order_by("revoked_at", "-created")
    return TemplateResponse(
        request,
        "cms/api/client_tokens.html",
        {"page_title": _("API 令牌:%(name)s") % {"name": client.name}, "client": client, "tokens": tokens,
         "accounts": client.accounts.order_by("code")},
    )


def preview_token(request, kind, pk):
    """A preview token for one draft, for editors who may see the item."""
    item_kind = kinds.BY_CODE.get(kind)
    model = item_kind.model if item_kind is not None and item_kind.editorial else None
    item = model._default_manager.filter(pk=pk).first() if model is not None else None
    if item is None or not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise Http404
    if not can_view(request.user, item):
        raise Http404
    query = by_name("miniprogram_article") if kind == kinds.Kind.ARTICLE else None
    return TemplateResponse(
        request,
        "cms/api/preview_token.html",
        {"page_title": _("预览令牌:%(item)s") % {"item": item}, "item": item, "kind": kind,
         "token": issue_preview_token(item, request.user), "minutes": max_age() // 60, "query": query,
         "can_edit": can_edit(request.user, item)},
    )
