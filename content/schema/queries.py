"""GraphQL queries of the content app. Resolvers read through ``content.access``
(published, in the caller's organisation scope, reaching its channel accounts),
ask ``content.services.catalogue`` what is on sale and how packages compare, and
load every relation a page reaches (content.schema.loaders): a page costs a fixed
number of queries whatever its size."""

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Q

from api.errors import ApiError, ErrorCode
from api.pagination import page_args, paginate
from api.reused_sql import Reusable
from content import access
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
from content.reach import article_channel_q
from content.schema.loaders import asked_fields, joins, load, loader, prepare
from content.schema.types import (
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
from content.services import catalogue
from content.services.sms_commands import resolve as resolve_command

BY_CODE = (["code"], [str])
NEWEST_FIRST = (["-pk"], [int])
BY_PRIORITY = (["-priority", "pk"], [int, int])
# The rows of packageComparison, in the order the API has always given them.
COMPARISON_ROWS = (
    "monthly_fee", "data_mb", "voice_minutes", "sms_count", "contract_months", "family", "valid_from", "valid_to",
    "order_command", "brands",
)


def _value(choice):
    """graphene 3 hands enum arguments to resolvers as enum members."""
    return getattr(choice, "value", choice)


def _page(qs, order, pager, transform=None):
    keys, types = order
    return paginate(qs, keys, types, transform=transform, **pager)


def offers(model, info, brand=None, organisation=None, on_date=None, asked=None, channel=None):
    """Packages or businesses the caller may read that are on sale (the one rule:
    catalogue.on_sale_q) for ``brand`` in ``organisation`` on ``on_date`` on ``channel``."""
    qs = prepare(model, access.published(model, info), asked)
    return qs.filter(catalogue.on_sale_q(model, brand, organisation, on_date, _value(channel)))


def packages_on_sale(info, brand=None, organisation=None, family=None, on_sale_at=None, asked=None, channel=None):
    qs = offers(Package, info, brand, organisation, on_sale_at, asked, channel)
    return qs.filter(family=family) if family else qs


def comparison_of(info, codes, channel=None):
    """catalogue.compare_packages of published packages, rows as the API gives them."""
    try:
        catalogue.check_compared(codes)
    except ValidationError as error:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "; ".join(error.messages), field="codes") from error
    found = {p.code: p for p in packages_on_sale(info, channel=channel).filter(code__in=codes).prefetch_related("brands", "sale_orgs")}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ApiError(ErrorCode.NOT_FOUND, f"no published package {', '.join(missing)}", field="codes")
    table = catalogue.compare_packages(load(Package, [found[code] for code in codes], info))
    rows = {row.field: row for row in table.rows}
    return PackageComparisonNode(
        packages=table.packages,
        rows=[ComparisonRowNode(field=name, values=rows[name].plain, differs=rows[name].differs) for name in COMPARISON_ROWS],
    )


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
        channel=ChannelType(description="Sold on this channel type (offers limited to other channels are left out)."),
        **page_args(),
    )
    package = graphene.Field(PackageNode, code=graphene.String(required=True))
    package_comparison = graphene.Field(
        PackageComparisonNode,
        required=True,
        codes=graphene.List(graphene.NonNull(graphene.String), required=True, description="2 to 5 package codes."),
        channel=ChannelType(description="Compare as sold on this channel type."),
    )
    businesses = graphene.Field(
        BusinessConnection, required=True, brand=graphene.String(), organisation=graphene.String(),
        kind=graphene.String(), channel=ChannelType(description="Sold on this channel type."), **page_args(),
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
        brand=graphene.String(description="Brand code: with command, the brand's customers' reply; else templates for the brand."),
        command=graphene.String(description="The template answering this command for brand (else the default reply)."),
        **page_args(),
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

    def resolve_packages(root, info, brand=None, organisation=None, family=None, on_sale_at=None, channel=None,
                         **kwargs):
        asked = asked_fields(info)
        given = (brand, organisation, family)
        who = access.principal(info)
        if who.reach_key and on_sale_at is None:
            # The SQL depends on the reach, which criteria are given, the channel and the
            # joins asked for, not on their values: compiled once (api.reused_sql).
            def build(*values):
                it = iter(values)
                return packages_on_sale(info, *(next(it) if v else None for v in given), None, asked, channel)

            key = ("packages", who.reach_key, tuple(bool(v) for v in given), _value(channel), joins(Package, asked))
            qs = Reusable(key, build, [v for v in given if v], Package)
        else:
            qs = packages_on_sale(info, brand, organisation, family, on_sale_at, asked, channel)
        return _page(qs, BY_CODE, kwargs, loader(Package, info, asked=asked))

    def resolve_package(root, info, code):
        return access.one(Package, info, lambda qs: prepare(Package, qs), loader(Package, info), code=code)

    def resolve_package_comparison(root, info, codes, channel=None):
        return comparison_of(info, codes, channel)

    def resolve_businesses(root, info, brand=None, organisation=None, kind=None, channel=None, **kwargs):
        asked = asked_fields(info)
        qs = offers(Business, info, brand, organisation, asked=asked, channel=channel)
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
        account_id, audience = access.account_audience(info, account)
        qs = access.published(SmsTemplate, info, audience)
        if category:
            qs = qs.filter(category=_value(category))
        if command:
            # The template a customer of ``brand`` gets for the command: the one rule.
            answering = resolve_command(account_id, command, brand)
            qs = qs.filter(pk=answering.pk if answering is not None else None)
        elif brand:
            qs = qs.filter(pk__in=SmsTemplate.objects.filter(brands__code=brand).values("pk"))
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

