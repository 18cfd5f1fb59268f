"""GraphQL types of the content app: the organisation matrix (public fields only,
never secrets), packages, businesses, articles, SMS templates, keyword replies and
template-message definitions. Queries live in content/schema/queries.py."""

import graphene

from api import limits
from api.loaders import loaded
from api.pagination import connection_type
from content.models import AutoReply, ChannelAccount, Organisation, SmsTemplate
from content.schema.rich_text import front_end_html
from content.services.catalogue import is_on_sale


def _enum(name, choices, description):
    return graphene.Enum(name, [(value.upper(), value) for value in choices.values], description=description)


ChannelType = _enum("ChannelType", ChannelAccount.Type, "Channel of an account.")
OrganisationLevel = _enum("OrganisationLevel", Organisation.Level, "Province, branch or outlet.")
SmsCategory = _enum("SmsCategory", SmsTemplate.Category, "Reply, notification or marketing.")
AutoReplyKind = _enum("AutoReplyKind", AutoReply.Kind, "What triggers a reply.")
AutoReplyMatch = _enum("AutoReplyMatch", AutoReply.Match, "How a keyword matches.")
ReplyType = _enum("ReplyType", AutoReply.ReplyType, "What a reply sends.")


class OrganisationNode(graphene.ObjectType):
    class Meta:
        name = "Organisation"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(OrganisationLevel, required=True)
    parent = graphene.Field(lambda: OrganisationNode)


class BrandNode(graphene.ObjectType):
    class Meta:
        name = "Brand"

    code = graphene.String(required=True)
    name = graphene.String(required=True)


class ChannelAccountNode(graphene.ObjectType):
    """Public fields of a channel account; its secrets are not part of the schema."""

    class Meta:
        name = "ChannelAccount"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    type = graphene.Field(ChannelType, required=True)
    organisation = graphene.Field(OrganisationNode, required=True)
    app_id = graphene.String(required=True)
    service_number = graphene.String(required=True)
    signature = graphene.String(required=True)
    opt_out_text = graphene.String(required=True)
    max_segments = graphene.Int(required=True)
    base_url = graphene.String(required=True)


class ImageNode(graphene.ObjectType):
    class Meta:
        name = "Image"

    code = graphene.String()
    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    alt = graphene.String(required=True)

    def resolve_url(image, info):
        return image.file.url

    def resolve_alt(image, info):
        return image.title


def _codes(manager):
    return [related.code for related in manager.all()]


class PackageNode(graphene.ObjectType):
    class Meta:
        name = "Package"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    family = graphene.String(required=True)
    organisation = graphene.Field(OrganisationNode, required=True)
    brands = graphene.List(graphene.NonNull(BrandNode), required=True)
    sale_organisations = graphene.List(graphene.NonNull(OrganisationNode), required=True)
    monthly_fee = graphene.Decimal(required=True)
    data_mb = graphene.Int(required=True)
    voice_minutes = graphene.Int(required=True)
    sms_count = graphene.Int(required=True)
    contract_months = graphene.Int(required=True)
    order_command = graphene.String(required=True)
    cancel_command = graphene.String(required=True)
    valid_from = graphene.Date()
    valid_to = graphene.Date()
    highlights = graphene.List(graphene.NonNull(graphene.String), required=True)
    description = graphene.String(required=True, description="HTML")
    is_preview = graphene.Boolean(required=True, description="True when a preview token shows the draft.")
    channels = graphene.List(
        graphene.NonNull(ChannelType), required=True, description="Channel types it is sold on; empty: every channel."
    )

    def resolve_brands(item, info):
        return loaded(item, "_brands", "brands")

    def resolve_sale_organisations(item, info):
        return loaded(item, "_sale_orgs", "sale_orgs")

    def resolve_highlights(item, info):
        return [str(h) for h in item.highlights or []]

    def resolve_description(item, info):
        return front_end_html(item.description)

    def resolve_is_preview(item, info):
        return getattr(item, "_is_preview", False)

    def resolve_channels(item, info):
        return list(item.channels or [])


class BusinessNode(graphene.ObjectType):
    class Meta:
        name = "Business"

    code = graphene.String(required=True)
    kind = graphene.String(required=True)
    name = graphene.String(required=True)
    organisation = graphene.Field(OrganisationNode, required=True)
    brands = graphene.List(graphene.NonNull(BrandNode), required=True)
    sale_organisations = graphene.List(graphene.NonNull(OrganisationNode), required=True)
    monthly_fee = graphene.Decimal(required=True)
    order_command = graphene.String(required=True)
    cancel_command = graphene.String(required=True)
    description = graphene.String(required=True, description="HTML")
    is_preview = graphene.Boolean(required=True)
    channels = graphene.List(
        graphene.NonNull(ChannelType), required=True, description="Channel types it is sold on; empty: every channel."
    )

    resolve_brands = PackageNode.resolve_brands
    resolve_channels = PackageNode.resolve_channels
    resolve_sale_organisations = PackageNode.resolve_sale_organisations
    resolve_description = PackageNode.resolve_description
    resolve_is_preview = PackageNode.resolve_is_preview


class ArticleNode(graphene.ObjectType):
    class Meta:
        name = "Article"

    code = graphene.String(required=True)
    title = graphene.String(required=True)
    author = graphene.String(required=True)
    digest = graphene.String(required=True)
    organisation = graphene.Field(OrganisationNode, required=True)
    cover_image = graphene.Field(ImageNode)
    channels = graphene.List(graphene.NonNull(ChannelType), required=True)
    related_packages = graphene.List(
        graphene.NonNull(PackageNode), required=True, description="Related packages the caller may read."
    )
    body = graphene.String(required=True, description="Stored HTML; use rendition(channel) for a channel's markup.")
    published_at = graphene.DateTime()
    is_preview = graphene.Boolean(required=True)

    def resolve_channels(item, info):
        return list(item.channels or [])

    def resolve_related_packages(item, info):
        # Loaded with the caller's filter (content.schema.loaders); a preview draft has its own.
        packages = getattr(item, "_related_packages", None)
        return packages if packages is not None else [p for p in item.related_packages.all() if is_on_sale(p)]

    def resolve_body(item, info):
        return front_end_html(item.body)

    def resolve_published_at(item, info):
        return item.last_published_at

    resolve_is_preview = PackageNode.resolve_is_preview


# Stored rich text with links or embeds is expanded per value (Wagtail's expand_db_html,
# up to two queries and some milliseconds each): it weighs like 200 objects (docs/api.md).
RICH_TEXT_WEIGHT = 200
limits.weigh(PackageNode, "description", RICH_TEXT_WEIGHT)
limits.weigh(BusinessNode, "description", RICH_TEXT_WEIGHT)
limits.weigh(ArticleNode, "body", RICH_TEXT_WEIGHT)


class SmsParameterNode(graphene.ObjectType):
    class Meta:
        name = "SmsParameter"

    name = graphene.String(required=True)
    type = graphene.String(required=True)
    max_length = graphene.Int()

    def resolve_name(param, info):
        return str(param.get("name", ""))

    def resolve_type(param, info):
        return str(param.get("type", ""))

    def resolve_max_length(param, info):
        value = param.get("max_length")
        return value if isinstance(value, int) else None


class SmsTemplateNode(graphene.ObjectType):
    class Meta:
        name = "SmsTemplate"

    code = graphene.String(required=True)
    category = graphene.Field(SmsCategory, required=True)
    organisation = graphene.Field(OrganisationNode, required=True)
    brands = graphene.List(graphene.NonNull(BrandNode), required=True)
    text = graphene.String(required=True)
    parameters = graphene.List(graphene.NonNull(SmsParameterNode), required=True)
    commands = graphene.List(graphene.NonNull(graphene.String), required=True)
    is_preview = graphene.Boolean(required=True)
    channels = graphene.List(
        graphene.NonNull(ChannelType), required=True, description="Channel types it is sold on; empty: every channel."
    )

    resolve_brands = PackageNode.resolve_brands
    resolve_channels = PackageNode.resolve_channels
    resolve_is_preview = PackageNode.resolve_is_preview

    def resolve_parameters(item, info):
        return [p for p in item.parameters or [] if isinstance(p, dict)]

    def resolve_commands(item, info):
        return [str(c) for c in item.commands or []]


class AutoReplyNode(graphene.ObjectType):
    class Meta:
        name = "AutoReply"

    code = graphene.String(required=True, description="The reply rule's id.")
    account = graphene.String(required=True, description="Code of the official account; empty for a shared rule.")
    shared_by = graphene.String(
        required=True, description="Code of the organisation sharing the rule down to the account; empty for its own rule."
    )
    kind = graphene.Field(AutoReplyKind, required=True)
    keyword = graphene.String(required=True)
    match = graphene.Field(AutoReplyMatch, required=True)
    event_key = graphene.String(required=True)
    priority = graphene.Int(required=True)
    reply_type = graphene.Field(ReplyType, required=True)
    reply_text = graphene.String(required=True)
    reply_article = graphene.Field(ArticleNode, description="The article replied with, when it is published.")
    reply_image = graphene.Field(ImageNode)

    def resolve_code(item, info):
        return str(item.pk)

    def resolve_account(item, info):
        # A shared rule (of an organisation) has no account of its own.
        return item.account.code if item.account_id else ""

    def resolve_shared_by(item, info):
        return "" if item.account_id else item.organisation.code

    def resolve_reply_article(item, info):
        article = item.reply_article
        return article if article is not None and article.live else None


class TemplateMessageFieldNode(graphene.ObjectType):
    class Meta:
        name = "TemplateMessageField"

    key = graphene.String(required=True)
    label = graphene.String(required=True)
    type = graphene.String(required=True)

    def resolve_key(field, info):
        return str(field.get("key", ""))

    def resolve_label(field, info):
        return str(field.get("label", ""))

    def resolve_type(field, info):
        return str(field.get("type", ""))


class TemplateMessageNode(graphene.ObjectType):
    class Meta:
        name = "TemplateMessage"

    code = graphene.String(required=True)
    title = graphene.String(required=True)
    fields = graphene.List(graphene.NonNull(TemplateMessageFieldNode), required=True)
    wechat_template_id = graphene.String(description="The template id on the account asked for.")

    def resolve_fields(item, info):
        return [f for f in item.fields or [] if isinstance(f, dict)]

    def resolve_wechat_template_id(item, info):
        return getattr(item, "_wechat_template_id", None)


class NewsGroupNode(graphene.ObjectType):
    class Meta:
        name = "NewsGroup"
        description = "图文组合: articles sent as one WeChat message, in message order."

    code = graphene.String(required=True)
    title = graphene.String(required=True)
    articles = graphene.List(graphene.NonNull(graphene.String), required=True,
                             description="The codes of its articles, in message order.")

    def resolve_articles(item, info):
        return [article.code for article in item.ordered_articles()]


class ComparisonRowNode(graphene.ObjectType):
    class Meta:
        name = "ComparisonRow"

    field = graphene.String(required=True)
    values = graphene.List(graphene.String, required=True, description="One value per package, in the order asked.")
    differs = graphene.Boolean(required=True)


class PackageComparisonNode(graphene.ObjectType):
    class Meta:
        name = "PackageComparison"

    packages = graphene.List(graphene.NonNull(PackageNode), required=True)
    rows = graphene.List(graphene.NonNull(ComparisonRowNode), required=True)


OrganisationConnection = connection_type(OrganisationNode)
BrandConnection = connection_type(BrandNode)
ChannelAccountConnection = connection_type(ChannelAccountNode)
PackageConnection = connection_type(PackageNode)
BusinessConnection = connection_type(BusinessNode)
ArticleConnection = connection_type(ArticleNode)
SmsTemplateConnection = connection_type(SmsTemplateNode)
AutoReplyConnection = connection_type(AutoReplyNode)
TemplateMessageConnection = connection_type(TemplateMessageNode)
