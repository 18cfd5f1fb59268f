"""Reference paths of the benchmark, served by the same server as /graphql/:
P1 the same response bytes from memory, P6 hand-written Django views returning the
same JSON, P5 Wagtail API v2 endpoints on the same models."""

import os
from pathlib import Path

from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from wagtail.api import APIField
from wagtail.api.v2.views import BaseAPIViewSet

from content.models import Article, Brand, ChannelAccount, Organisation, Package, SmsTemplate
from publishing.changes.models import Change

STATIC = {}


def static_bytes(request, name):
    """P1: the bytes of an answer, read once from the bench's files, served from memory."""
    if name not in STATIC:
        path = Path(os.environ["BENCH_STATIC_DIR"]) / f"{name}.json"
        if not path.is_file():
            raise Http404
        STATIC[name] = path.read_bytes()
    return HttpResponse(STATIC[name], content_type="application/json")


def _packages(brand, organisation):
    org = Organisation.objects.select_related("parent__parent").get(code=organisation)
    through = Package.sale_orgs.through
    sold = through.objects.filter(organisation_id__in=[org.pk, *org.ancestor_ids()]).values("package_id")
    return (Package.objects.filter(live=True, pk__in=sold, brands__code=brand).order_by("code")
            .prefetch_related(Prefetch("brands", queryset=Brand.objects.order_by("code"))))


def django_packages(request):
    """P6 for R2: packages of a brand on sale in a branch, the same JSON as the persisted query."""
    rows = _packages(request.GET["brand"], request.GET["organisation"])[: int(request.GET.get("first", 50))]
    edges = [{"node": {
        "code": p.code, "name": p.name, "family": p.family, "monthlyFee": str(p.monthly_fee), "dataMb": p.data_mb,
        "voiceMinutes": p.voice_minutes, "smsCount": p.sms_count, "contractMonths": p.contract_months,
        "orderCommand": p.order_command, "cancelCommand": p.cancel_command,
        "validFrom": p.valid_from.isoformat() if p.valid_from else None,
        "validTo": p.valid_to.isoformat() if p.valid_to else None, "highlights": p.highlights,
        "brands": [{"code": b.code, "name": b.name} for b in p.brands.all()],
    }} for p in rows]
    return JsonResponse({"data": {"packages": {"edges": edges}}}, json_dumps_params={"ensure_ascii": False})


def django_changes(request):
    """P6 for R4: SMS template changes of an account since a version, with the templates."""
    account = ChannelAccount.objects.get(code=request.GET["account"])
    rows = list(Change.objects.filter(account=account, version__gt=int(request.GET["since"]))
                .order_by("version")[: int(request.GET.get("first", 1000))])
    templates = {t.pk: t for t in SmsTemplate.objects.filter(
        live=True, pk__in=[r.object_id for r in rows if r.kind == "sms_template"]).prefetch_related("brands")}
    edges = []
    for r in rows:
        t = templates.get(r.object_id) if r.action == "upsert" else None
        item = None if t is None else {
            "code": t.code, "category": t.category, "text": t.text, "commands": t.commands,
            "parameters": t.parameters, "brands": [{"code": b.code} for b in t.brands.all()],
        }
        edges.append({"node": {"version": r.version, "kind": r.kind, "code": r.code, "action": r.action, "item": item}})
    return JsonResponse({"data": {"changes": {"edges": edges}}}, json_dumps_params={"ensure_ascii": False})


def django_menu(request):
    """P6 for R1: the published tree of an account."""
    from menus.services import published_tree

    account = ChannelAccount.objects.get(code=request.GET["account"])
    return JsonResponse({"data": {"menu": {"account": account.code, "tree": published_tree(account)}}},
                        json_dumps_params={"ensure_ascii": False})


def django_article(request):
    """P6 for R3: an article with its mini-program rendition."""
    from renditions.services import render

    article = Article.objects.get(code=request.GET["code"], live=True)
    account = ChannelAccount.objects.get(code=request.GET["account"])
    rendition = render(article, account, "wechat_miniprogram")
    return JsonResponse({"data": {"article": {"code": article.code, "title": article.title, "digest": article.digest,
                                              "rendition": {"nodes": rendition.nodes, "cover": rendition.cover}}}},
                        json_dumps_params={"ensure_ascii": False})


def django_article_html(request):
    """P6 for R3h: an article with its body as front-end HTML (what grapple answers)."""
    from content.services.html import rich_text_html

    article = Article.objects.get(code=request.GET["code"], live=True)
    return JsonResponse({"data": {"article": {"code": article.code, "title": article.title, "digest": article.digest,
                                              "body": rich_text_html(article.body)}}},
                        json_dumps_params={"ensure_ascii": False})


# P5: Wagtail API v2 endpoints on the same models (Wagtail's API has no menus and no change log).
Package.api_fields = [APIField(name) for name in (
    "code", "name", "family", "monthly_fee", "data_mb", "voice_minutes", "sms_count", "contract_months",
    "order_command", "cancel_command", "valid_from", "valid_to", "highlights", "brands")]
SmsTemplate.api_fields = [APIField(name) for name in ("code", "category", "text", "commands", "parameters", "brands")]
Article.api_fields = [APIField("code"), APIField("title"), APIField("digest"), APIField("body")]


class PackagesAPIViewSet(BaseAPIViewSet):
    model = Package
    name = "packages"
    known_query_parameters = BaseAPIViewSet.known_query_parameters | {"brand", "organisation"}
    listing_default_fields = BaseAPIViewSet.listing_default_fields + [f.name for f in Package.api_fields]

    def get_queryset(self):
        return _packages(self.request.GET["brand"], self.request.GET["organisation"])


class SmsTemplatesAPIViewSet(BaseAPIViewSet):
    model = SmsTemplate
    name = "smstemplates"
    listing_default_fields = BaseAPIViewSet.listing_default_fields + [f.name for f in SmsTemplate.api_fields]

    def get_queryset(self):
        return SmsTemplate.objects.filter(live=True).order_by("id").prefetch_related("brands")


class ArticlesAPIViewSet(BaseAPIViewSet):
    model = Article
    name = "articles"
    body_fields = BaseAPIViewSet.body_fields + [f.name for f in Article.api_fields]

    def get_queryset(self):
        return Article.objects.filter(live=True).order_by("id")
