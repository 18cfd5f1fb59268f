"""What the caller of a resolver may read: published items that reach the
principal's channel accounts and that its organisation scope shows, and the
drafts its preview token names. Resolvers ask here, nowhere else."""

from content.models import AutoReply, ChannelAccount, TemplateMessage
from content.permissions import visible
from api import reused_sql
from api.errors import ApiError, ErrorCode
from content.reach import reach_q


def principal(info):
    return info.context.principal


def _within_scope(qs, scope):
    if scope.everything:
        return qs
    # A subquery keeps the outer query free of the DISTINCT that shared-down joins need.
    return qs.filter(pk__in=visible(qs.model._default_manager.all(), scope).values("pk"))


# Bound to accounts rather than sold or shared by organisation: binding one of the
# caller's accounts (a reply rule, a template id mapping) is what lets it read them.
ACCOUNT_BOUND = (AutoReply, TemplateMessage)


def reachable(model, info, audience=None):
    """Items of ``model`` (live or not) the principal may read, before the live filter."""
    who = principal(info)
    qs = model._default_manager.filter(reach_q(model, audience or who.audience))
    return qs if model in ACCOUNT_BOUND else _within_scope(qs, who.scope)


def published(model, info, audience=None):
    """Live items of ``model`` the principal may read."""
    return reachable(model, info, audience).filter(live=True)


def in_scope(queryset, info):
    """Records of the organisation matrix (organisations, accounts) the principal may read."""
    return visible(queryset, principal(info).scope)


def account(info, code):
    """One of the principal's bound accounts, by code; FORBIDDEN for any other."""
    who = principal(info)
    account_id = who.accounts.get(code)
    if account_id is None:
        raise ApiError(ErrorCode.FORBIDDEN, f"channel account {code!r} is not bound to this token", field="account")
    return ChannelAccount.objects.select_related("organisation").get(pk=account_id)


def account_audience(info, code):
    """(account id, Audience of that account alone) of a bound account, without a query."""
    who = principal(info)
    account_id = who.accounts.get(code)
    if account_id is None:
        raise ApiError(ErrorCode.FORBIDDEN, f"channel account {code!r} is not bound to this token", field="account")
    return account_id, who.account_audiences[code]


def _first(model, info, prepare, lookup):
    names = tuple(sorted(lookup))

    def build(*values):
        qs = reachable(model, info)
        if prepare is not None:
            qs = prepare(qs)
        qs = qs.filter(**dict(zip(names, values, strict=True)))
        return (qs if qs.ordered else qs.order_by("pk"))[:1]

    who = principal(info)
    if not who.reach_key or model is AutoReply or (prepare is not None and prepare.__closure__):
        # Without a reach key, or with a preparation depending on more than its queryset,
        # the SQL cannot be named by a key. A reply's reach names the shared rules in
        # force (ids that change with every publish), so it is never reused either.
        return build(*(lookup[name] for name in names))
    code = prepare.__code__ if prepare is not None else None
    key = ("one", model, who.reach_key, code, names)
    return reused_sql.fetch(key, build, [lookup[name] for name in names], model)


def preview_grant(info):
    return getattr(info.context, "preview", None)


def one(model, info, prepare=None, load=None, **lookup):
    """One item by ``lookup``: its latest draft when the preview token names it,
    otherwise the live item, or None when the principal may not read it.
    ``prepare`` adjusts the query, ``load`` batch-loads relations of the live item."""
    item = next(iter(_first(model, info, prepare, lookup)), None)
    if item is None:
        return None
    grant = preview_grant(info)
    if grant is not None and grant.allows(item):
        draft = item.get_latest_revision_as_object() if item.latest_revision_id else item
        draft._is_preview = True
        return draft
    if not item.live:
        return None
    if load is not None:
        load([item])
    return item
