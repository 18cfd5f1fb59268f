"""How a GraphQL page of content items is loaded: the foreign keys joined into its
query (``prepare``), the many-to-many relations batch-loaded onto its items
(``load``), and the fields the query asks for (``asked_fields``). Public: the
publishing feed loads the items of its change rows with them."""

from api import reused_sql
from api.loaders import attach_many
from api.selection import selected
from content import access
from content.models import (
    Article,
    AutoReply,
    Business,
    NewsGroup,
    Package,
    PromotionSlot,
    SmsTemplate,
    TemplateMessage,
)
from content.models.wechat import TemplateMessageMapping
from content.services.catalogue import on_sale_q

JOINS = {
    Package: ("organisation__parent",),
    Business: ("organisation__parent",),
    Article: ("organisation__parent", "cover_image"),
    SmsTemplate: ("organisation__parent",),
    AutoReply: ("account", "organisation", "reply_article", "reply_image"),
    TemplateMessage: (),
    NewsGroup: (),
    PromotionSlot: (),
}


# The field of the schema that reads each join.
JOIN_FIELDS = {
    "organisation__parent": "organisation",
    "cover_image": "coverImage",
    "account": "account",
    "organisation": "sharedBy",
    "reply_article": "replyArticle",
    "reply_image": "replyImage",
}


# Batch reads of fields other apps mount on the content types, by field name: called
# with each page of items whose query asks for the field (renditions.schema registers
# ``rendition``; an app above content cannot be imported here).
PAGE_READS = {}


def read_per_page(field_name, read):
    """Have ``read(items)`` called on every page of items whose query asks for ``field_name``."""
    PAGE_READS[field_name] = read


def through(model, field_name):
    """(through model, item id column, related id column) of a many-to-many field."""
    m2m = model._meta.get_field(field_name)
    return m2m.remote_field.through, f"{m2m.m2m_field_name()}_id", m2m.m2m_reverse_field_name()


def joins(model, asked=None):
    """The foreign keys a page of ``model`` reaches; with ``asked`` (field names the
    query selects) only those it reads."""
    found = JOINS[model]
    if asked is not None and "rendition" not in asked:
        found = tuple(join for join in found if JOIN_FIELDS[join] in asked)
    return found


def prepare(model, qs, asked=None):
    """The foreign keys a page of ``model`` reaches, joined into its query."""
    return qs.select_related(*joins(model, asked))


def asked_fields(info):
    """Names of the fields selected anywhere below the resolved field."""
    return {path.rsplit(".", 1)[-1] for path in selected(info)}


def shown_packages(info):
    """The packages an article shows the caller: on sale (content.services.catalogue)
    and readable by the caller. Both ways of loading related packages filter with it."""
    return access.published(Package, info).filter(on_sale_q(Package))


def load(model, items, info, account_id=None, asked=None):
    """The many-to-many relations a page of ``model`` reaches and the query asks
    for: two queries each (see api.loaders)."""
    asked = asked_fields(info) if asked is None else asked
    if model in (Package, Business, SmsTemplate) and "brands" in asked:
        attach_many(items, model, "brands", "_brands")
    if model in (Package, Business) and "saleOrganisations" in asked:
        attach_many(items, model, "sale_orgs", "_sale_orgs", select=("parent",))
    if model is Article and "relatedPackages" in asked:
        if len(items) == 1:
            packages = items[0]._related_packages = _related_packages(items[0], info)
        else:
            packages = attach_many(items, model, "related_packages", "_related_packages",
                                   targets=shown_packages(info).values("pk"), select=("organisation__parent",))
        load(Package, packages, info, asked=asked)
    if model is TemplateMessage and items:
        mappings = TemplateMessageMapping.objects.filter(account_id=account_id, definition__in=[i.pk for i in items])
        template_ids = dict(mappings.values_list("definition_id", "wechat_template_id"))
        for item in items:
            item._wechat_template_id = template_ids.get(item.pk) or None  # empty until obtained
    for field_name, read in PAGE_READS.items():
        if field_name in asked:
            read(items)
    return items


def _related_packages(article, info):
    """The packages one article shows the caller, in one query (its SQL compiled
    once per reach: api.reused_sql); a page of articles uses attach_many instead."""
    table, item, package = through(Article, "related_packages")

    def build(article_id):
        related = table.objects.filter(**{item: article_id}).values(f"{package}_id")
        return shown_packages(info).filter(pk__in=related).select_related("organisation__parent")

    who = access.principal(info)
    if not who.reach_key:
        return list(build(article.pk))
    return reused_sql.fetch(("related_packages", who.reach_key), build, [article.pk], Package)


def loader(model, info, account_id=None, asked=None):
    """``load`` bound to a query, for pagination's transform of a page."""
    return lambda items: load(model, items, info, account_id, asked)
