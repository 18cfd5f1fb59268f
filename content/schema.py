"""GraphQL queries of the content app. Resolvers read through ``content.access``
(published, in the caller's organisation scope, reaching its channel accounts)
and prefetch every relation a page reaches: a page costs a fixed number of
queries whatever its size."""

import graphene
from django.db.models import Q

from api import reused_sql
from content import access
from api.errors import ApiError, ErrorCode
from api.loaders import attach_many
from api.pagination import page_args, paginate
from api.selection import selected
from content.graphql_types import (
    ArticleConnection,
    ArticleNode,
    AutoReplyConnection,
    AutoReplyKind,
    BrandConnection,
    BusinessConnection,
    BusinessNode,
    ChannelAccountConnection,
    ChannelAccountNode,
    ChannelType,
    ComparisonRowNode,
    OrganisationConnection,
    OrganisationLevel,
    OrganisationNode,
    PackageComparisonNode,
    PackageConnection,
    PackageNode,
    SmsCategory,
    SmsTemplateConnection,
    SmsTemplateNode,
    TemplateMessageConnection,
)
from content.models import (
    Article,
    AutoReply,
    Brand,
    Business,
    ChannelAccount,
    Organisation,
    Package,
    SmsTemplate,
    TemplateMessage,
)
from content.models.wechat import TemplateMessageMapping
from content.reach import article_channel_q

BY_CODE = (["code"], [str])
NEWEST_FIRST = (["-pk"], [int])
BY_PRIORITY = (["-priority", "pk"], [int, int])
COMPARISON_MIN, COMPARISON_MAX = 2, 5
COMPARED_FIELDS = (
    "monthly_fee", "data_mb", "voice_minutes", "sms_count", "contract_months", "family", "valid_from", "valid_to",
    "order_command",
)


def _value(choice):
    """graphene 3 hands enum arguments to resolvers as enum members."""
    return getattr(choice, "value", choice)


def _page(qs, order, pager, transform=None):
    keys, types = order
    return paginate(qs, keys, types, transform=transform, **pager)


def _through(model, field_name):
    """(through model, item id column, related id column) of a many-to-many field."""
    m2m = model._meta.get_field(field_name)
    return m2m.remote_field.through, f"{m2m.m2m_field_name()}_id", m2m.m2m_reverse_field_name()


def _sold_in(model, code):
    """Ids of items on sale in an organisation, province-wide offers included
    (the organisation, its parent and grandparent: the tree is at most three deep)."""
    through, item, org = _through(model, "sale_orgs")
    here = Q(**{f"{org}__code": code}) | Q(**{f"{org}__children__code": code})
    return through.objects.filter(here | Q(**{f"{org}__children__children__code": code})).values(item)


def _offers(model, info, brand=None, organisation=None, asked=None):
    qs = prepare(model, access.published(model, info), asked)
    if brand:
        through, item, related = _through(model, "brands")
        qs = qs.filter(pk__in=through.objects.filter(**{f"{related}__code": brand}).values(item))
    if organisation:
        qs = qs.filter(pk__in=_sold_in(model, organisation))
    return qs


def packages_on_sale(info, brand=None, organisation=None, family=None, on_sale_at=None, asked=None):
    qs = _offers(Package, info, brand, organisation, asked)
    if family:
        qs = qs.filter(family=family)
    if on_sale_at:
        qs = qs.exclude(valid_from__gt=on_sale_at).exclude(valid_to__lt=on_sale_at)
    return qs


JOINS = {
    Package: ("organisation__parent",),
    Business: ("organisation__parent",),
    Article: ("organisation__parent", "cover_image"),
    SmsTemplate: ("organisation__parent",),
    AutoReply: ("account", "reply_article", "reply_image"),
    TemplateMessage: (),
}


# The field of the schema that reads each join.
JOIN_FIELDS = {
    "organisation__parent": "organisation",
    "cover_image": "coverImage",
    "account": "account",
    "reply_article": "replyArticle",
    "reply_image": "replyImage",
}


def prepare(model, qs, asked=None):
    """The foreign keys a page of ``model`` reaches, joined into its query; with
    ``asked`` (field names the query selects) only those it reads."""
    joins = JOINS[model]
    if asked is not None and "rendition" not in asked:
        joins = [join for join in joins if JOIN_FIELDS[join] in asked]
    return qs.select_related(*joins)


def asked_fields(info):
    """Names of the fields selected anywhere below the resolved field."""
    return {path.rsplit(".", 1)[-1] for path in selected(info)}


def load(model, items, info, account_id=None, asked=None):
    """The many-to-many relations a page of ``model`` reaches and the query asks
    for: two queries each (see api.loaders)."""
    asked = asked_fields(info) if asked is None else asked
    if model in (Package, Business, SmsTemplate) and "brands" in asked:
        attach_many(items, model, "brands", "_brands")
    if model in (Package, Business) and "saleOrganisations" in asked:
        attach_many(items, model, "sale_orgs", "_sale_orgs", select=("parent",))
    if model is Article and "relatedPackages" in asked:
        # Related packages narrowed to those the caller may read.
        if len(items) == 1:
            packages = items[0]._related_packages = _related_packages(items[0], info)
        else:
            packages = attach_many(items, model, "related_packages", "_related_packages",
                                   targets=access.published(Package, info).values("pk"),
                                   select=("organisation__parent",))
        load(Package, packages, info, asked=asked)
    if model is TemplateMessage and items:
        mappings = TemplateMessageMapping.objects.filter(account_id=account_id, definition__in=[i.pk for i in items])
        template_ids = dict(mappings.values_list("definition_id", "wechat_template_id"))
        for item in items:
            item._wechat_template_id = template_ids.get(item.pk)
    return items


def _related_packages(article, info):
    """The packages related to one article that the caller may read, in one query
    (its SQL compiled once per reach: api.reused_sql)."""
    through, item, package = _through(Article, "related_packages")

    def build(article_id):
        related = through.objects.filter(**{item: article_id}).values(f"{package}_id")
        return access.published(Package, info).filter(pk__in=related).select_related("organisation__parent")

    who = access.principal(info)
    if not who.reach_key:
        return list(build(article.pk))
    return reused_sql.fetch(("related_packages", who.reach_key), build, [article.pk], Package)


def loader(model, info, account_id=None, asked=None):
    return lambda items: load(model, items, info, account_id, asked)


def _comparison(packages):
    rows = []
    for field in COMPARED_FIELDS:
        values = [None if getattr(p, field) is None else str(getattr(p, field)) for p in packages]
        rows.append(ComparisonRowNode(field=field, values=values, differs=len(set(values)) > 1))
    rows.append(
        ComparisonRowNode(
            field="brands",
            values=[",".join(sorted(b.code for b in p.brands.all())) for p in packages],
            differs=len({tuple(sorted(b.code for b in p.brands.all())) for p in packages}) > 1,
        )
    )
    return PackageComparisonNode(packages=packages, rows=rows)


class Query(graphene.ObjectType):
    organisations = graphene.Field(OrganisationConnection, required=True, level=OrganisationLevel(), **page_args())
    organisation = graphene.Field(OrganisationNode, code=graphene.String(required=True))
    brands = graphene.Field(BrandConnection, required=True, **page_args())
    channel_accounts = graphene.Field(ChannelAccountConnection, required=True, type=ChannelType(), **page_args())
    channel_account = graphene.Field(ChannelAccountNode, code=graphene.String(required=True))
    packages = graphene.Field(
        PackageConnection,
        required=True,
        brand=graphene.String(description="Brand code."),
        organisation=graphene.String(description="On sale in this organisation (province-wide offers included)."),
        family=graphene.String(),
        on_sale_at=graphene.Date(description="Valid on this day."),
        **page_args(),
    )
    package = graphene.Field(PackageNode, code=graphene.String(required=True))
    package_comparison = graphene.Field(
        PackageComparisonNode,
        required=True,
        codes=graphene.List(graphene.NonNull(graphene.String), required=True, description="2 to 5 package codes."),
    )
    businesses = graphene.Field(
        BusinessConnection, required=True, brand=graphene.String(), organisation=graphene.String(),
        kind=graphene.String(), **page_args(),
    )
    business = graphene.Field(BusinessNode, code=graphene.String(required=True))
    articles = graphene.Field(
        ArticleConnection,
        required=True,
        channel=ChannelType(),
        organisation=graphene.String(description="Owned by or shared down to this organisation."),
        package=graphene.String(description="Related to this package code."),
        **page_args(),
    )
    article = graphene.Field(ArticleNode, code=graphene.String(required=True))
    sms_templates = graphene.Field(
        SmsTemplateConnection, required=True, account=graphene.String(required=True), category=SmsCategory(),
        brand=graphene.String(), command=graphene.String(), **page_args(),
    )
    sms_template = graphene.Field(SmsTemplateNode, account=graphene.String(required=True), code=graphene.String(required=True))
    keyword_replies = graphene.Field(
        AutoReplyConnection, required=True, account=graphene.String(required=True), kind=AutoReplyKind(), **page_args()
    )
    template_messages = graphene.Field(
        TemplateMessageConnection, required=True, account=graphene.String(required=True), **page_args()
    )

    def resolve_organisations(root, info, level=None, **kwargs):
        qs = access.in_scope(Organisation.objects.select_related("parent__parent"), info)
        if level:
            qs = qs.filter(level=_value(level))
        return _page(qs, BY_CODE, kwargs)

    def resolve_organisation(root, info, code):
        return access.in_scope(Organisation.objects.select_related("parent__parent"), info).filter(code=code).first()

    def resolve_brands(root, info, **kwargs):
        return _page(Brand.objects.all(), BY_CODE, kwargs)

    def resolve_channel_accounts(root, info, type=None, **kwargs):
        qs = access.in_scope(ChannelAccount.objects.select_related("organisation__parent"), info).filter(enabled=True)
        if type:
            qs = qs.filter(type=_value(type))
        return _page(qs, BY_CODE, kwargs)

    def resolve_channel_account(root, info, code):
        qs = access.in_scope(ChannelAccount.objects.select_related("organisation__parent"), info)
        return qs.filter(enabled=True, code=code).first()

    def resolve_packages(root, info, brand=None, organisation=None, family=None, on_sale_at=None, **kwargs):
        asked = asked_fields(info)
        qs = packages_on_sale(info, brand, organisation, family, on_sale_at, asked)
        return _page(qs, BY_CODE, kwargs, loader(Package, info, asked=asked))

    def resolve_package(root, info, code):
        return access.one(Package, info, lambda qs: prepare(Package, qs), loader(Package, info), code=code)

    def resolve_package_comparison(root, info, codes):
        if not COMPARISON_MIN <= len(codes) <= COMPARISON_MAX or len(set(codes)) != len(codes):
            raise ApiError(
                ErrorCode.INVALID_ARGUMENT, f"compare {COMPARISON_MIN} to {COMPARISON_MAX} different packages",
                field="codes",
            )
        offers = list(packages_on_sale(info).filter(code__in=codes))
        found = {p.code: p for p in load(Package, offers, info, asked=asked_fields(info) | {"brands"})}
        missing = [code for code in codes if code not in found]
        if missing:
            raise ApiError(ErrorCode.NOT_FOUND, f"no published package {', '.join(missing)}", field="codes")
        return _comparison([found[code] for code in codes])

    def resolve_businesses(root, info, brand=None, organisation=None, kind=None, **kwargs):
        asked = asked_fields(info)
        qs = _offers(Business, info, brand, organisation, asked)
        if kind:
            qs = qs.filter(kind=kind)
        return _page(qs, BY_CODE, kwargs, loader(Business, info, asked=asked))

    def resolve_business(root, info, code):
        return access.one(Business, info, lambda qs: prepare(Business, qs), loader(Business, info), code=code)

    def resolve_articles(root, info, channel=None, organisation=None, package=None, **kwargs):
        qs = access.published(Article, info)
        if channel:
            qs = qs.filter(article_channel_q(_value(channel)))
        if organisation:
            shared = Article.objects.filter(shared_to__code=organisation).values("pk")
            qs = qs.filter(Q(organisation__code=organisation) | Q(pk__in=shared))
        if package:
            qs = qs.filter(pk__in=Article.objects.filter(related_packages__code=package).values("pk"))
        return _page(prepare(Article, qs), NEWEST_FIRST, kwargs, loader(Article, info))

    def resolve_article(root, info, code):
        return access.one(Article, info, lambda qs: prepare(Article, qs), loader(Article, info), code=code)

    def resolve_sms_templates(root, info, account, category=None, brand=None, command=None, **kwargs):
        _, audience = access.account_audience(info, account)
        qs = access.published(SmsTemplate, info, audience)
        if category:
            qs = qs.filter(category=_value(category))
        if brand:
            qs = qs.filter(pk__in=SmsTemplate.objects.filter(brands__code=brand).values("pk"))
        if command:
            qs = qs.filter(commands__contains=[command]) if _json_contains() else qs.filter(commands__icontains=f'"{command}"')
        return _page(prepare(SmsTemplate, qs), BY_CODE, kwargs, loader(SmsTemplate, info))

    def resolve_sms_template(root, info, account, code):
        _, audience = access.account_audience(info, account)
        qs = access.published(SmsTemplate, info, audience)
        return next(iter(load(SmsTemplate, list(prepare(SmsTemplate, qs).filter(code=code)), info)), None)

    def resolve_keyword_replies(root, info, account, kind=None, **kwargs):
        _, audience = access.account_audience(info, account)
        qs = access.published(AutoReply, info, audience)
        if kind:
            qs = qs.filter(kind=_value(kind))
        return _page(prepare(AutoReply, qs), BY_PRIORITY, kwargs)

    def resolve_template_messages(root, info, account, **kwargs):
        account_id, audience = access.account_audience(info, account)
        qs = access.published(TemplateMessage, info, audience)
        return _page(qs, BY_CODE, kwargs, loader(TemplateMessage, info, account_id))


def _json_contains():
    from django.db import connection

    return connection.vendor == "postgresql"
