"""Shared reply sets: the rules an official account answers with, its own merged
with those its organisation and the organisations above it share down.

A rule fills a slot (a keyword with its match type, a click's event key, the
welcome, the default). The nearest owner with a published rule in a slot wins it:
the account, then its organisation, then each organisation above. The rest of a
shared set still applies, so an account overrides one keyword without copying the
others. This is the one place that decides; the callback's table builder, the
admin's effective-rules view and the tests all ask ``effective_rules``."""

import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from content.models import AutoReply, ChannelAccount, Organisation
from content.services.organisations import subtree_ids


def normalise_keyword(text):
    """Full-width forms folded to ASCII, case folded, outer spaces dropped."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


def slot_of(rule):
    """What a rule answers; a nearer owner's rule in the same slot replaces it."""
    if rule.kind == AutoReply.Kind.KEYWORD:
        return (rule.kind, normalise_keyword(rule.keyword), rule.match)
    if rule.kind == AutoReply.Kind.CLICK:
        return (rule.kind, rule.event_key.strip())
    return (rule.kind,)


@dataclass(frozen=True)
class EffectiveRule:
    """A rule that applies to an account, and where it comes from."""

    rule: AutoReply
    # 0: the account's own; 1: its organisation's; 2 and up: further up the tree.
    distance: int
    source: object  # the ChannelAccount or the Organisation that owns the rule

    @property
    def inherited(self):
        return self.distance > 0


def organisation_chain(account):
    """The account's organisation, then each one above it, nearest first."""
    chain, node, seen = [], account.organisation, set()
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.parent
    return chain


def effective_rules(account, *, overridden=None):
    """The published rules ``account`` answers with, ordered by priority (high first)
    then age. ``overridden``, when a list, receives the EffectiveRules hidden by a
    nearer owner's rule in the same slot."""
    chain = organisation_chain(account)
    distance_of = {org.pk: i + 1 for i, org in enumerate(chain)}
    org_by_id = {org.pk: org for org in chain}
    rules = (
        AutoReply.objects.filter(Q(account=account) | Q(organisation_id__in=list(distance_of)), live=True)
        .select_related("reply_article__cover_image", "reply_image")
        .order_by("-priority", "id")
    )
    candidates = [
        EffectiveRule(rule, 0, account) if rule.account_id else
        EffectiveRule(rule, distance_of[rule.organisation_id], org_by_id[rule.organisation_id])
        for rule in rules
    ]
    nearest = {}
    for candidate in candidates:
        slot = slot_of(candidate.rule)
        nearest[slot] = min(nearest.get(slot, candidate.distance), candidate.distance)
    kept = []
    for candidate in candidates:
        if candidate.distance == nearest[slot_of(candidate.rule)]:
            kept.append(candidate)
        elif overridden is not None:
            overridden.append(candidate)
    return kept


def accounts_of_rules(rules):
    """Ids of the official accounts whose effective rules ``rules`` may be part of:
    an account's own rule reaches it alone, a shared rule every official account
    of its organisation and below."""
    account_ids, org_ids = set(), set()
    for account_id, organisation_id in rules:
        if account_id is not None:
            account_ids.add(account_id)
        elif organisation_id is not None:
            org_ids.add(organisation_id)
    for org_id in org_ids:
        account_ids |= set(official_accounts_below(org_id).values_list("pk", flat=True))
    return account_ids


def applying_rule_ids(account_ids):
    """{account id: ids of the published rules it answers with} for many official
    accounts at once (``effective_rules``' choice, in three queries): what the API
    and the change feed say an account carries."""
    accounts = dict(
        ChannelAccount.objects.filter(pk__in=account_ids, type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
        .values_list("pk", "organisation_id")
    )
    if not accounts:
        return {}
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    chains = {account_id: _chain_ids(org_id, parents) for account_id, org_id in accounts.items()}
    org_ids = set().union(*chains.values())
    rules = list(
        AutoReply.objects.filter(Q(account_id__in=list(accounts)) | Q(organisation_id__in=org_ids), live=True)
        .only("pk", "kind", "keyword", "match", "event_key", "account_id", "organisation_id")
    )
    slots = {rule.pk: slot_of(rule) for rule in rules}
    out = {}
    for account_id, chain in chains.items():
        distance_of = {org_id: i + 1 for i, org_id in enumerate(chain)}
        candidates = [
            (rule.pk, 0 if rule.account_id else distance_of[rule.organisation_id])
            for rule in rules
            if rule.account_id == account_id or (rule.account_id is None and rule.organisation_id in distance_of)
        ]
        nearest = {}
        for pk, distance in candidates:
            nearest[slots[pk]] = min(nearest.get(slots[pk], distance), distance)
        out[account_id] = {pk for pk, distance in candidates if distance == nearest[slots[pk]]}
    return out


def accounts_applying(rule):
    """Ids of the official accounts that answer with the published shared ``rule``
    (those below its organisation where no nearer owner fills its slot)."""
    below = official_accounts_below(rule.organisation_id).values_list("pk", flat=True)
    return {account_id for account_id, ids in applying_rule_ids(below).items() if rule.pk in ids}


def slot_neighbours(rule):
    """The published shared rules in ``rule``'s slot that a change of ``rule`` may
    hide or reveal: those of its owner's organisation and the organisations above."""
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    if rule.account_id:
        org_id = ChannelAccount.objects.values_list("organisation_id", flat=True).get(pk=rule.account_id)
        chain = _chain_ids(org_id, parents)
    else:
        chain = _chain_ids(rule.organisation_id, parents)
    slot = slot_of(rule)
    candidates = AutoReply.objects.filter(organisation_id__in=chain, kind=rule.kind, live=True).exclude(pk=rule.pk)
    return [other for other in candidates if slot_of(other) == slot]


def _chain_ids(org_id, parents):
    chain = []
    while org_id is not None and org_id not in chain:
        chain.append(org_id)
        org_id = parents.get(org_id)
    return chain


def official_accounts_below(organisation):
    """The official accounts a shared rule of ``organisation`` applies to."""
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return ChannelAccount.objects.filter(
        organisation_id__in=subtree_ids(org_id), type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
    ).order_by("code")
