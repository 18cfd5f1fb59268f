"""Plain JSON documents of published items, built from ``values()`` rows so a
bundle of 18,000 SMS templates builds without instantiating a model per row.
Keys are the GraphQL field names, so a bundle reads like the API's answers."""

import json
from collections import defaultdict

from django.core.files.storage import default_storage
from django.db.models import TextField
from django.db.models.functions import Cast
from content.services.catalogue import on_sale_q
from content.services.html import rich_text_html

from content.kinds import Kind
from content.models import Article, Business, NewsGroupEntry, Package, PromotionEntry, SmsTemplate
from content.services.sms_commands import command_map
from content.models.wechat import TemplateMessageMapping


def _iso(value):
    return value.isoformat() if value is not None else None


def _codes(model, field_name, items, targets=None):
    """{item id: [related codes]} for a many-to-many field, in one query; only
    related rows in the ``targets`` subquery when given."""
    m2m = model._meta.get_field(field_name)
    src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    rows = m2m.remote_field.through.objects.filter(**{f"{src}_id__in": items.values("pk")})
    if targets is not None:
        rows = rows.filter(**{f"{dst}_id__in": targets})
    out = defaultdict(list)
    for item_id, code in rows.order_by(f"{dst}__code").values_list(f"{src}_id", f"{dst}__code"):
        out[item_id].append(code)
    return out


def _image(code, name, width, height):
    if not name:
        return None
    return {"code": code, "url": default_storage.url(name), "width": width, "height": height}


def article_documents(items):
    # The packages an article shows are those on sale (the one rule, as in its renditions).
    packages = _codes(Article, "related_packages", items, Package.objects.filter(on_sale_q(Package)).values("pk"))
    shared = _codes(Article, "shared_to", items)
    rows = items.values(
        "pk", "code", "title", "author", "digest", "channels", "organisation__code", "last_published_at",
        "cover_image__code", "cover_image__file", "cover_image__width", "cover_image__height",
    )
    return [
        {
            "code": r["code"],
            "title": r["title"],
            "author": r["author"],
            "digest": r["digest"],
            "channels": r["channels"] or [],
            "organisation": r["organisation__code"],
            "sharedTo": shared.get(r["pk"], []),
            "coverImage": _image(r["cover_image__code"], r["cover_image__file"], r["cover_image__width"], r["cover_image__height"]),
            "relatedPackages": packages.get(r["pk"], []),
            "publishedAt": _iso(r["last_published_at"]),
        }
        for r in rows
    ]


def package_documents(items):
    brands = _codes(Package, "brands", items)
    sale_orgs = _codes(Package, "sale_orgs", items)
    rows = items.values(
        "pk", "code", "name", "family", "monthly_fee", "data_mb", "voice_minutes", "sms_count", "contract_months",
        "order_command", "cancel_command", "valid_from", "valid_to", "highlights", "description", "organisation__code",
        "channels",
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "family": r["family"],
            "organisation": r["organisation__code"],
            "brands": brands.get(r["pk"], []),
            "saleOrganisations": sale_orgs.get(r["pk"], []),
            "monthlyFee": str(r["monthly_fee"]),
            "dataMb": r["data_mb"],
            "voiceMinutes": r["voice_minutes"],
            "smsCount": r["sms_count"],
            "contractMonths": r["contract_months"],
            "orderCommand": r["order_command"],
            "cancelCommand": r["cancel_command"],
            "validFrom": _iso(r["valid_from"]),
            "validTo": _iso(r["valid_to"]),
            "highlights": r["highlights"] or [],
            "description": rich_text_html(r["description"]),
            "channels": r["channels"] or [],
        }
        for r in rows
    ]


def business_documents(items):
    brands = _codes(Business, "brands", items)
    sale_orgs = _codes(Business, "sale_orgs", items)
    rows = items.values(
        "pk", "code", "kind", "name", "monthly_fee", "order_command", "cancel_command", "description", "organisation__code",
        "channels",
    )
    return [
        {
            "code": r["code"],
            "kind": r["kind"],
            "name": r["name"],
            "organisation": r["organisation__code"],
            "brands": brands.get(r["pk"], []),
            "saleOrganisations": sale_orgs.get(r["pk"], []),
            "monthlyFee": str(r["monthly_fee"]),
            "orderCommand": r["order_command"],
            "cancelCommand": r["cancel_command"],
            "description": rich_text_html(r["description"]),
            "channels": r["channels"] or [],
        }
        for r in rows
    ]


def sms_template_documents(items):
    brands = _codes(SmsTemplate, "brands", items)
    # The JSON lists read as text and each distinct text decoded once: 18,000 templates
    # share a few dozen parameter lists, and decoding every value was most of a bundle's CPU.
    rows = items.values("pk", "code", "category", "text", "organisation__code",
                        parameters_text=Cast("parameters", TextField()), commands_text=Cast("commands", TextField()))
    decode = _json_lists()
    return [
        {
            "code": r["code"],
            "category": r["category"],
            "organisation": r["organisation__code"],
            "brands": brands.get(r["pk"], []),
            "text": r["text"],
            "parameters": decode(r["parameters_text"]),
            "commands": decode(r["commands_text"]),
        }
        for r in rows
    ]


def _json_lists():
    """A decoder of stored JSON lists (null is []) decoding each distinct text once:
    equal values share one list, as the documents are only read and encoded."""
    decoded = {}

    def decode(text):
        try:
            return decoded[text]
        except KeyError:
            value = decoded[text] = (json.loads(text) if text is not None else None) or []
            return value

    return decode


def auto_reply_documents(items):
    rows = items.values(
        "pk", "kind", "keyword", "match", "event_key", "priority", "reply_type", "reply_text", "account__code",
        "organisation__code", "reply_article__code", "reply_image__code", "reply_image__file", "reply_image__width", "reply_image__height",
    )
    return [
        {
            "code": str(r["pk"]),
            # A shared rule (of an organisation) has no account of its own, as in the API.
            "account": r["account__code"] or "",
            "sharedBy": "" if r["account__code"] else r["organisation__code"] or "",
            "kind": r["kind"],
            "keyword": r["keyword"],
            "match": r["match"],
            "eventKey": r["event_key"],
            "priority": r["priority"],
            "replyType": r["reply_type"],
            "replyText": r["reply_text"],
            "replyArticle": r["reply_article__code"],
            "replyImage": _image(
                r["reply_image__code"], r["reply_image__file"], r["reply_image__width"], r["reply_image__height"]
            ),
        }
        for r in rows
    ]


def template_message_documents(items, account_id):
    mapped = dict(
        TemplateMessageMapping.objects.filter(account_id=account_id, definition__in=items.values("pk")).values_list(
            "definition_id", "wechat_template_id"
        )
    )
    rows = items.values("pk", "code", "title", "fields")
    return [
        {"code": r["code"], "title": r["title"], "fields": r["fields"] or [], "wechatTemplateId": mapped.get(r["pk"], "")}
        for r in rows
    ]


def news_group_documents(items):
    """A group names its articles in message order (their documents are the articles')."""
    rows = list(items.values("pk", "code", "title"))
    codes = defaultdict(list)
    for group_id, code in NewsGroupEntry.objects.filter(group__in=[r["pk"] for r in rows]).order_by(
        "group_id", "sort_order", "pk"
    ).values_list("group_id", "article__code"):
        codes[group_id].append(code)
    return [{"code": r["code"], "title": r["title"], "articles": codes[r["pk"]]} for r in rows]


def slot_documents(items):
    """A slot with every entry and its schedule and audience: a receiver shows an entry
    while it is scheduled, to its brands and regions (empty lists: everyone), as
    GraphQL's ``slots`` does; an entry names its item by code (its document is the item's)."""
    rows = list(items.values("pk", "code", "title", "channel", "organisation__code"))
    entries = defaultdict(list)
    for e in PromotionEntry.objects.filter(slot__in=[r["pk"] for r in rows]).order_by("slot_id", "sort_order", "pk").values(
        "slot_id", "target", "title", "subtitle", "link", "article__code", "package__code", "business__code",
        "image__code", "image__file", "image__width", "image__height", "brands", "regions", "starts_at", "ends_at",
    ):
        entries[e["slot_id"]].append({
            "position": len(entries[e["slot_id"]]) + 1,
            "target": e["target"],
            "title": e["title"],
            "subtitle": e["subtitle"],
            "item": e.get(f"{e['target']}__code"),  # the article, package or business; null for a link
            "link": e["link"],
            "image": _image(e["image__code"], e["image__file"], e["image__width"], e["image__height"]),
            "brands": e["brands"] or [],
            "regions": e["regions"] or [],
            "startsAt": _iso(e["starts_at"]),
            "endsAt": _iso(e["ends_at"]),
        })
    return [
        {"code": r["code"], "title": r["title"], "channel": r["channel"], "organisation": r["organisation__code"],
         "entries": entries[r["pk"]]}
        for r in rows
    ]


def sms_command_map(account_id, templates, commands=None):
    """{command: {"default": template code, "brands": {brand: template code}}} of the
    account, for bindings to published templates (the content app's one rule)."""
    return command_map(account_id, templates, commands)


# The document builder of each editorial kind (tests hold the keys equal to the registry's).
BUILDERS = {
    Kind.ARTICLE: article_documents,
    Kind.PACKAGE: package_documents,
    Kind.BUSINESS: business_documents,
    Kind.SMS_TEMPLATE: sms_template_documents,
    Kind.AUTO_REPLY: auto_reply_documents,
    Kind.TEMPLATE_MESSAGE: template_message_documents,
    Kind.NEWS_GROUP: news_group_documents,
    Kind.SLOT: slot_documents,
}


def documents(kind, items, account_id):
    """The documents of ``items`` (a queryset of the kind's model) as the account receives them."""
    if kind == Kind.TEMPLATE_MESSAGE:  # the WeChat template id differs per account
        return BUILDERS[kind](items, account_id)
    return BUILDERS[kind](items)
