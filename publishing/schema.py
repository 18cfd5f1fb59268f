"""GraphQL types and queries of publishing: channel renditions of an item, the
change log (incremental sync), and bundles of an account's published configuration."""

import graphene
from django.conf import settings

from api import cache, limits, reused_sql
from content import access, kinds
from api.errors import ApiError, ErrorCode
from api.pagination import page_args, connection_type, paginate
from api.scalars import JSON, BigInt, RawJSON
from api.selection import selected
from content.schema.loaders import asked_fields, joins, load, prepare
from content.schema.types import (
    ArticleNode,
    AutoReplyNode,
    BusinessNode,
    NewsGroupNode,
    PackageNode,
    SmsTemplateNode,
    TemplateMessageNode,
)
from content.models import (
    Article, AutoReply, Business, NewsGroup, Package, PromotionSlot, SmsCommand, SmsTemplate, TemplateMessage,
)
from menus.schema import MenuDocument, MenuNode, published_menu
from promotions.schema import PromotionSlotNode
from promotions.serving import ShownSlot, served_slots
from publishing.changes import services as changes
from publishing.changes.models import Change

ChangeKind = graphene.Enum("ChangeKind", [(v.upper(), v) for v in kinds.Kind.values], description="What changed.")
ChangeAction = graphene.Enum(
    "ChangeAction", [(v.upper(), v) for v in Change.Action.values], description="upsert: published; else withdrawn."
)


class SmsCommandNode(graphene.ObjectType):
    class Meta:
        name = "SmsCommand"

    command = graphene.String(required=True)
    template = graphene.String(required=True, description="Code of the template that answers it.")
    brand = graphene.String(description="The brand whose customers get this reply; null: the default reply.")

    def resolve_template(binding, info):
        return binding.template.code

    def resolve_brand(binding, info):
        return binding.brand.code if binding.brand_id else None


class ChangedItem(graphene.Union):
    class Meta:
        types = (ArticleNode, PackageNode, BusinessNode, SmsTemplateNode, AutoReplyNode, TemplateMessageNode,
                 NewsGroupNode, SmsCommandNode, MenuNode, PromotionSlotNode)

    @classmethod
    def resolve_type(cls, instance, info):
        return ITEM_TYPES[type(instance)]


ITEM_TYPES = {
    Article: ArticleNode,
    Package: PackageNode,
    Business: BusinessNode,
    SmsTemplate: SmsTemplateNode,
    AutoReply: AutoReplyNode,
    TemplateMessage: TemplateMessageNode,
    NewsGroup: NewsGroupNode,
    SmsCommand: SmsCommandNode,
    MenuDocument: MenuNode,
    ShownSlot: PromotionSlotNode,
}


class ReleaseRefNode(graphene.ObjectType):
    class Meta:
        name = "ReleaseRef"
        description = "A release (发布计划) that went live, or was rolled back, as one change."

    code = graphene.String(required=True)
    version = BigInt(required=True, description="The change-feed version holding the whole release.")
    rollback = graphene.Boolean(required=True, description="True when this change rolled the release back.")


def release_ref(found):
    """A ReleaseRef of (code, version, rollback), or None."""
    if not found or not found[0]:
        return None
    code, version, rollback = found
    return ReleaseRefNode(code=code, version=version, rollback=rollback)


class ChangeNode(graphene.ObjectType):
    class Meta:
        name = "Change"

    version = BigInt(required=True)
    kind = graphene.Field(ChangeKind, required=True)
    code = graphene.String(required=True)
    action = graphene.Field(ChangeAction, required=True)
    created_at = graphene.DateTime(required=True)
    item = graphene.Field(ChangedItem, description="For upserts: the item as published now (null once withdrawn).")
    release = graphene.Field(ReleaseRefNode, description="The release this change is part of (null for a lone publish).")

    def resolve_item(change, info):
        return getattr(change, "_item", None)

    def resolve_release(change, info):
        return release_ref((change.release_code, change.release_version, change.release_rollback))


ChangeConnection = connection_type(
    ChangeNode,
    extra={
        "current_version": BigInt(required=True, description="The account's latest version."),
        "resolve_current_version": lambda page, info: changes.current_version(page.account),
    },
)


class BundleNode(graphene.ObjectType):
    class Meta:
        name = "Bundle"

    account = graphene.String(required=True)
    version = BigInt(required=True)
    document = graphene.Field(JSON, required=True, description="The whole published configuration (channel-bundle/2).")
    release = graphene.Field(ReleaseRefNode, description="The last release the bundle holds (null before any).")

    def resolve_release(bundle, info):
        return release_ref(changes.latest_release(bundle.account_id, bundle.version))


class BundleDeltaNode(graphene.ObjectType):
    class Meta:
        name = "BundleDelta"

    account = graphene.String(required=True)
    since = BigInt(required=True)
    version = BigInt(required=True)
    document = graphene.Field(JSON, required=True, description="Upserted documents and removed codes (channel-bundle-delta/2).")
    release = graphene.Field(ReleaseRefNode, description="The last release the account holds at this version (null before any).")

    def resolve_release(delta, info):
        return release_ref(changes.latest_release(delta.account_id, delta.version))


# A bundle document is an account's whole published configuration (the SMS account's:
# 18,000 templates, about 0.6 s, BENCHMARKS.md): one per request.
DOCUMENT_WEIGHT = 40000
limits.weigh(BundleNode, "document", DOCUMENT_WEIGHT)
limits.weigh(BundleDeltaNode, "document", DOCUMENT_WEIGHT)


def _load_items(info, account_id, audience, rows):
    """Attach to each upsert row its item as published now: one query per kind on the page."""
    wanted = {}
    for row in rows:
        if row.action == Change.Action.UPSERT:
            wanted.setdefault(row.kind, set()).add(row.object_id)
    found = {}
    for kind, ids in wanted.items():
        if kind == Change.Kind.MENU:
            code = next(code for code, pk in access.principal(info).accounts.items() if pk == account_id)
            menu = published_menu(code, account_id)
            found.update({(kind, pk): menu for pk in ids})
            continue
        if kind == Change.Kind.SLOT:
            # A slot as its channel serves it now, to every brand and region.
            channels = PromotionSlot.objects.filter(pk__in=ids).values_list("channel", flat=True).distinct()
            for channel in channels:
                found.update({(kind, slot.pk): slot for slot in served_slots(info, channel, pks=ids, audience=audience)})
            continue
        if kind == Change.Kind.SMS_COMMAND:
            templates = access.published(SmsTemplate, info, audience)
            qs = SmsCommand.objects.filter(pk__in=ids, account_id=account_id, template__in=templates).select_related("template", "brand")
        else:
            model = kinds.get(kind).model
            asked = asked_fields(info)
            qs = _items(info, model, audience, account_id, asked, sorted(ids))
            qs = load(model, qs, info, account_id, asked)
        found.update({(kind, item.pk): item for item in qs})
    for row in rows:
        row._item = found.get((row.kind, row.object_id)) if row.action == Change.Action.UPSERT else None
    return rows


def _items(info, model, audience, account_id, asked, ids):
    """Published items of ``model`` among ``ids`` the account's audience reaches; the
    SQL compiled once per reach, account and joins (api.reused_sql)."""

    def build(ids):
        return prepare(model, access.published(model, info, audience), asked).filter(pk__in=reused_sql.ids_in(ids))

    who = access.principal(info)
    if not who.reach_key or model is AutoReply:
        # A reply's reach names the shared rules in force: never reused (content.access).
        return list(prepare(model, access.published(model, info, audience), asked).filter(pk__in=ids))
    key = ("changed_items", model, who.reach_key, account_id, joins(model, asked))
    return reused_sql.fetch(key, build, [ids], model)


def _since(value):
    if value < 0:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "since must not be negative", field="since")
    return value


def _encoded_bundle(account):
    bundle = changes.build_bundle(account)
    return bundle["version"], RawJSON.of(bundle)


def cached_bundle(account):
    """(version, the account's bundle as encoded JSON), rebuilt once per published
    change (shared cache). Kept encoded: a bundle of 18,000 SMS templates is 7 MB
    that would otherwise be unpickled and encoded again on every request."""
    if not cache.enabled():
        return _encoded_bundle(account)
    key = f"gql:bundle-json:{account.pk}"
    generation, entry = cache.get(cache.CONTENT, key)
    if entry is None:
        version, document = _encoded_bundle(account)
        entry = (version, document.data)
        cache.put(generation, key, entry, settings.GRAPHQL_CACHE_TIMEOUT)
    return entry[0], RawJSON(entry[1])


class Query(graphene.ObjectType):
    changes = graphene.Field(
        ChangeConnection,
        required=True,
        account=graphene.String(required=True),
        since=BigInt(required=True, description="The version you hold (0 for everything)."),
        **page_args(),
    )
    current_version = BigInt(required=True, account=graphene.String(required=True))
    bundle = graphene.Field(BundleNode, required=True, account=graphene.String(required=True))
    bundle_delta = graphene.Field(
        BundleDeltaNode, required=True, account=graphene.String(required=True), since=BigInt(required=True)
    )

    def resolve_changes(root, info, account, since, **kwargs):
        account_id, audience = access.account_audience(info, account)
        changes.read_consistently()
        rows = reused_sql.Reusable(("changes",), changes.change_rows, [account_id, _since(since)], Change)
        want_items = any(path.endswith("node.item") for path in selected(info))
        page = paginate(
            rows, ["version"], [int], kind="changes", together="release_version", **kwargs,
            transform=(lambda page_rows: _load_items(info, account_id, audience, page_rows)) if want_items else None,
        )
        page.account = account_id
        return page

    def resolve_current_version(root, info, account):
        return changes.current_version(access.account_audience(info, account)[0])

    def resolve_bundle(root, info, account):
        found = access.account(info, account)
        version, document = cached_bundle(found)
        node = BundleNode(account=account, version=version, document=document)
        node.account_id = found.pk
        return node

    def resolve_bundle_delta(root, info, account, since):
        found = access.account(info, account)
        delta = changes.bundle_delta(found, _since(since))
        node = BundleDeltaNode(account=account, since=since, version=delta["version"], document=delta)
        node.account_id = found.pk
        return node
