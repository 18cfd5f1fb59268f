"""Which channel accounts an item reaches: the one rule publications, change
logs, bundles and webhooks share.

An item reaches the accounts of the organisations it belongs to or is shared
down / sold to, and of their ancestors (the province's SMS hall, web site and
mini-program serve every branch). An item that names target channels reaches
only accounts of those channel types."""

from content.models import Article, AutoReply, Business, ChannelAccount, Organisation, Package, SmsTemplate, TemplateMessage

# Channel types each kind of item can be rendered for.
CHANNELS_BY_KIND = {
    Article: None,  # from the article's own ``channels``
    Package: None,
    Business: None,
    SmsTemplate: {ChannelAccount.Type.SMS},
    AutoReply: {ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT},
    TemplateMessage: {ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT},
}


def _with_ancestors(org_ids):
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    out = set()
    for org_id in org_ids:
        while org_id is not None and org_id not in out:
            out.add(org_id)
            org_id = parents.get(org_id)
    return out


def reach_org_ids(item):
    """Organisations whose channels carry the item."""
    if isinstance(item, AutoReply):
        return {item.account.organisation_id}
    org_ids = {item.organisation_id}
    if isinstance(item, Article):
        org_ids |= set(item.shared_to.values_list("pk", flat=True))
    if isinstance(item, (Package, Business)):
        org_ids |= set(item.sale_orgs.values_list("pk", flat=True))
    return org_ids


def target_accounts(item):
    """Enabled channel accounts the item is delivered to, in code order."""
    if isinstance(item, AutoReply):
        return ChannelAccount.objects.filter(pk=item.account_id, enabled=True)
    if isinstance(item, TemplateMessage):
        return ChannelAccount.objects.filter(
            pk__in=item.account_mappings.values("account_id"), enabled=True
        ).order_by("code")
    types = CHANNELS_BY_KIND.get(type(item))
    if types is None:
        types = set(getattr(item, "channels", None) or ChannelAccount.Type.values)
    return ChannelAccount.objects.filter(
        organisation_id__in=_with_ancestors(reach_org_ids(item)), type__in=types, enabled=True
    ).order_by("code")
