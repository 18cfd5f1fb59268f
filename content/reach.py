"""Which channel accounts an item reaches: the one rule publications, change logs,
bundles, webhooks and the API share, per item (``target_accounts``) and as a
queryset filter (``reach_q``), side by side so they stay one rule.

``REACH`` says per channel type how far an article travels. Pull channels (SMS
hall, web hall, mini-program) are ``TREE``: an account serves its organisation and
everything below it, so the province's web hall carries every branch's items
(callers filter by region and brand). Official accounts are ``OWN``: they
broadcast articles, so an account carries only the articles of its own
organisation and of the organisations they are shared down to, never a
descendant's (a branch's article never lands on the province's official account).
On an ``OWN`` account a live local copy of a shared article replaces the original:
the account never carries both. Items that are not broadcast (packages,
businesses, SMS templates: read through the API, menus and bundles) are ``TREE``
on every channel.
An item that names target channels reaches only accounts of those channel types.
tests/graphql_api/test_reach.py holds the two forms equal on every kind of item."""

from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects

from content import kinds, memo
from content.models import (
    Article,
    AutoReply,
    Business,
    ChannelAccount,
    NewsGroup,
    Organisation,
    Package,
    PromotionSlot,
    SmsTemplate,
    TemplateMessage,
)
from content.models.wechat import TemplateMessageMapping
from content.services.catalogue import sold_on_q
from content.services.replies import (
    accounts_applying,
    applying_rule_ids,
    official_accounts_below,
)

# How far up the organisation tree an item travels, per channel type.
TREE = "tree"  # pull channel: the account's organisation and every one below it
OWN = "own"  # broadcast channel: the account's own organisation only
REACH = {
    ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT: OWN,
    ChannelAccount.Type.WECHAT_MINIPROGRAM: TREE,
    ChannelAccount.Type.SMS: TREE,
    ChannelAccount.Type.WEB: TREE,
}
BROADCAST_TYPES = tuple(t for t, rule in REACH.items() if rule == OWN)


def _with_ancestors(org_ids):
    parents = memo.once("organisation parents", lambda: dict(Organisation.objects.values_list("pk", "parent_id")))
    out = set()
    for org_id in org_ids:
        while org_id is not None and org_id not in out:
            out.add(org_id)
            org_id = parents.get(org_id)
    return out


def reach_org_ids(item):
    """Organisations whose channels carry the item."""
    if isinstance(item, AutoReply):
        return {item.account.organisation_id} if item.account_id else {item.organisation_id}
    # "id", not "pk": a revision's object holds these relations in memory (modelcluster),
    # whose querysets know only real field names.
    # Read through all(): a prefetch (share_reach) answers it too.
    org_ids = {item.organisation_id}
    if isinstance(item, Article):
        org_ids |= {org.id for org in item.shared_to.all()}
    if isinstance(item, (Package, Business)):
        org_ids |= {org.id for org in item.sale_orgs.all()}
    return org_ids


def target_accounts(item):
    """Enabled channel accounts the item is delivered to, in code order."""
    if isinstance(item, AutoReply):
        if item.account_id is None:
            # A shared rule: the official accounts of the organisation and below, except,
            # while it is live, those where a nearer owner's rule fills its slot.
            below = official_accounts_below(item.organisation_id).filter(enabled=True)
            return below.filter(pk__in=accounts_applying(item)) if item.live else below
        return ChannelAccount.objects.filter(pk=item.account_id, enabled=True)
    if isinstance(item, TemplateMessage):
        return ChannelAccount.objects.filter(
            pk__in=item.account_mappings.values("account_id"), enabled=True
        ).order_by("code")
    (org_ids, types), *others = _reach_clauses(item)
    q = Q(organisation_id__in=org_ids, type__in=types)
    for org_ids, types in others:
        q |= Q(organisation_id__in=org_ids, type__in=types)
    return ChannelAccount.objects.filter(q, enabled=True).order_by("code")


def _reach_clauses(item):
    """[(organisation ids, channel types)] of an item other than a reply or a template
    message: an account of any clause's organisations and types carries it."""
    types = kinds.kind_of(item).channels
    if types is None:
        types = set(getattr(item, "channels", None) or ChannelAccount.Type.values)
    org_ids = reach_org_ids(item)
    # ``REACH`` rules articles (what is broadcast); other items are read on demand
    # (API, menus, bundles) and every channel serves its subtree.
    # A news group is a broadcast message too, sent on its own organisation's accounts.
    broadcast = [t for t in types if REACH[t] == OWN] if isinstance(item, (Article, NewsGroup)) else []
    pull = [t for t in types if t not in broadcast]
    clauses = [(_with_ancestors(org_ids), pull)]
    if broadcast:
        clauses.append((org_ids - _replaced_in(item), broadcast))
    return clauses


def target_account_list(item):
    """``target_accounts(item)`` as a list. Inside a ``content.memo.shared`` block, read
    once per item, from the enabled accounts read once for all items (the same clauses
    tested in memory: the page's queries do not grow with its items)."""
    return memo.once_for(item, "target accounts", lambda: _account_list(item))


def _account_list(item):
    if isinstance(item, (AutoReply, TemplateMessage)) or not memo.active():
        return list(target_accounts(item))
    enabled = memo.once("enabled accounts", lambda: list(ChannelAccount.objects.filter(enabled=True).order_by("code")))
    clauses = _reach_clauses(item)
    return [a for a in enabled if any(a.organisation_id in orgs and a.type in types for orgs, types in clauses)]


def _replaced_in(item):
    """Organisations whose live local copy replaces a shared article on their official accounts."""
    if not isinstance(item, Article) or not item.pk:
        return set()
    return memo.once(
        ("replaced in", item.pk),
        lambda: set(Article.objects.filter(origin_id=item.pk, live=True).values_list("organisation_id", flat=True)),
    )


def share_reach(items):
    """Inside a content.memo block: what ``target_accounts`` reads per item, read for
    many at once (the organisations stored items are shared or sold to, the live
    local copies replacing shared articles)."""
    stored = [item for item in items if item.pk and not getattr(item, "_cluster_related_objects", None)]
    prefetch_related_objects([item for item in stored if isinstance(item, Article)], "shared_to")
    prefetch_related_objects([item for item in stored if isinstance(item, (Package, Business))], "sale_orgs")
    pks = {item.pk for item in items if isinstance(item, Article) and item.pk}
    replaced = {pk: set() for pk in pks}
    for origin_id, org_id in Article.objects.filter(origin_id__in=pks, live=True).values_list(
        "origin_id", "organisation_id"
    ):
        replaced[origin_id].add(org_id)
    for pk, org_ids in replaced.items():
        memo.remember(("replaced in", pk), org_ids)


NOTHING = Q(pk__in=[])
ALL_TYPES = tuple(ChannelAccount.Type.values)


@dataclass(frozen=True)
class Audience:
    """Enabled accounts, and per channel type the organisations whose items reach them."""

    account_ids: frozenset = frozenset()
    orgs_by_type: dict = field(default_factory=dict)
    # Per channel type, the organisations whose *articles* reach it (``REACH``: an
    # official account broadcasts its own organisation's, not its subtree's).
    article_orgs_by_type: dict = field(default_factory=dict)
    subtrees_of: dict = field(default_factory=dict)  # organisation id -> its subtree
    # Every organisation when the audience was made: a set of organisations holding
    # them all reaches every item, and its filter needs no list of ids.
    whole_tree: frozenset = frozenset()

    def of_account(self, account):
        """The audience of one of its accounts (the organisations below it), without a query."""
        return Audience(
            account_ids=frozenset([account.pk]),
            orgs_by_type={account.type: frozenset(self.subtrees_of[account.organisation_id])},
            article_orgs_by_type={account.type: _article_orgs(account, self.subtrees_of)},
            whole_tree=self.whole_tree,
        )

    def of_type(self, channel_type):
        """The part of the audience its accounts of ``channel_type`` make. Without
        account ids: items bound to accounts (replies, template messages) are not narrowed here."""
        return Audience(
            orgs_by_type={t: o for t, o in self.orgs_by_type.items() if t == channel_type},
            article_orgs_by_type={t: o for t, o in self.article_orgs_by_type.items() if t == channel_type},
            subtrees_of=self.subtrees_of,
            whole_tree=self.whole_tree,
        )

    def covers_tree(self, org_ids):
        return bool(self.whole_tree) and org_ids >= self.whole_tree

    def orgs(self, types=ALL_TYPES):
        out = set()
        for channel_type in types:
            out |= self.orgs_by_type.get(channel_type, frozenset())
        return out


def _children():
    children = {}
    for pk, parent_id in Organisation.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    return children


def _subtree(children, org_id):
    out, stack = set(), [org_id]
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(children.get(current, ()))
    return frozenset(out)


def _article_orgs(account, subtrees_of):
    """Organisations whose articles reach the account (``REACH`` of its channel type)."""
    if REACH.get(account.type) == OWN:
        return frozenset([account.organisation_id])
    return frozenset(subtrees_of[account.organisation_id])


def audience_for(accounts):
    """The audience of channel accounts (instances or values with id, type, organisation_id, enabled)."""
    accounts = [a for a in accounts if a.enabled]
    if not accounts:
        return Audience()
    children = _children()  # one query of the (small) organisation tree
    subtrees_of = {a.organisation_id: _subtree(children, a.organisation_id) for a in accounts}
    by_type, articles_by_type = {}, {}
    for account in accounts:
        by_type.setdefault(account.type, set()).update(subtrees_of[account.organisation_id])
        articles_by_type.setdefault(account.type, set()).update(_article_orgs(account, subtrees_of))
    return Audience(
        account_ids=frozenset(a.pk for a in accounts),
        orgs_by_type={t: frozenset(org_ids) for t, org_ids in by_type.items()},
        article_orgs_by_type={t: frozenset(org_ids) for t, org_ids in articles_by_type.items()},
        subtrees_of=subtrees_of,
        whole_tree=frozenset(pk for pks in children.values() for pk in pks),
    )


def _linked(model, field_name, org_ids):
    """Items whose many-to-many ``field_name`` names one of ``org_ids``, as a subquery."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    return Q(
        pk__in=through.objects.filter(**{f"{m2m.m2m_reverse_field_name()}_id__in": org_ids}).values(
            f"{m2m.m2m_field_name()}_id"
        )
    )


def _owned_or_linked(model, field_name, org_ids, audience):
    if not org_ids:
        return NOTHING
    if audience.covers_tree(org_ids):
        # Every item is owned by an organisation of the tree.
        return Q()
    q = Q(organisation_id__in=org_ids)
    if field_name:
        q |= _linked(model, field_name, org_ids)
    return q


def article_channel_q(channel_type):
    return article_channels_q([channel_type])


def article_channels_q(channel_types):
    """Articles for any of ``channel_types``. An article with no target channels goes to every channel."""
    channel_types = sorted(channel_types)
    if connections[router.db_for_read(Article)].vendor == "postgresql":
        if len(channel_types) == 1:
            return Q(channels__contains=channel_types) | Q(channels=[])
        return Q(channels__has_any_keys=channel_types) | Q(channels=[])
    # SQLite (the embedded dev database) has no JSON containment lookup.
    pks = [
        pk for pk, channels in Article.objects.values_list("pk", "channels")
        if not channels or any(channel_type in channels for channel_type in channel_types)
    ]
    return Q(pk__in=pks)


def _broadcast_articles(org_ids):
    """Articles of ``org_ids`` or shared down to them, unless the receiving
    organisation has a live local copy of the shared one (the copy replaces it)."""
    through = Article.shared_to.through
    copy_there = Article.objects.filter(origin_id=OuterRef("article_id"), organisation_id=OuterRef("organisation_id"),
                                        live=True)
    shared = through.objects.filter(organisation_id__in=org_ids).exclude(Exists(copy_there)).values("article_id")
    return Q(organisation_id__in=org_ids) | Q(pk__in=shared)


def reach_q(model, audience):
    """A filter on ``model`` keeping the items that reach any account of ``audience``."""
    if model is AutoReply:
        if not audience.account_ids:
            return NOTHING
        # Own rules, and the shared rules each account answers with (content.services.replies).
        shared = set().union(*applying_rule_ids(audience.account_ids).values())
        return Q(account_id__in=audience.account_ids) | Q(pk__in=shared, account_id__isnull=True)
    if model is TemplateMessage:
        if not audience.account_ids:
            return NOTHING
        mappings = TemplateMessageMapping.objects.filter(account_id__in=audience.account_ids)
        return Q(pk__in=mappings.values("definition_id"))
    if model is SmsTemplate:
        return _owned_or_linked(model, None, audience.orgs(kinds.kind_of(model).channels), audience)
    if model in (Package, Business):
        # An offer limited to channels reaches the accounts of those channel types only.
        types_of = {}
        for channel_type, org_ids in audience.orgs_by_type.items():
            if org_ids:
                types_of.setdefault(org_ids, []).append(channel_type)
        clauses = [sold_on_q(model, types) & _owned_or_linked(model, "sale_orgs", orgs, audience)
                   for orgs, types in types_of.items()]
        if not clauses or not all(clauses):  # Q() | NOTHING would be NOTHING: an empty clause is "everything"
            return Q() if clauses else NOTHING
        q = NOTHING
        for clause in clauses:
            q |= clause
        return q
    if model is PromotionSlot:
        # A slot serves the accounts of its one channel type, at or above its organisation.
        q = NOTHING
        for channel_type, org_ids in audience.orgs_by_type.items():
            if org_ids:
                q |= Q(channel=channel_type) & _owned_or_linked(model, None, org_ids, audience)
        return q
    if model is NewsGroup:
        channel_type = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
        org_ids = audience.article_orgs_by_type.get(channel_type)
        return Q(organisation_id__in=org_ids) if org_ids else NOTHING
    if model is Article:
        # Channel types reaching the same organisations by the same rule share one clause.
        types_of = {}
        for channel_type, org_ids in audience.article_orgs_by_type.items():
            if org_ids:
                types_of.setdefault((org_ids, REACH[channel_type]), []).append(channel_type)
        q = NOTHING
        for (org_ids, rule), channel_types in types_of.items():
            if rule == OWN:
                q |= article_channels_q(channel_types) & _broadcast_articles(org_ids)
            else:
                q |= article_channels_q(channel_types) & _owned_or_linked(Article, "shared_to", org_ids, audience)
        return q
    raise LookupError(f"{model.__name__} has no reach rule")


def published(model, audience):
    """Live items of ``model`` reaching the audience."""
    return model._default_manager.filter(live=True).filter(reach_q(model, audience))
