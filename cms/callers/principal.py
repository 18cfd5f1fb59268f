"""Who calls the API: an API client (bearer token of its service user) or an
admin user (session, or their own Wagtail API token), and what they may read.

A client reads what ``scope_for_org(client.organisation)`` shows and what
reaches its channel accounts; an admin user reads their organisation scope and
the accounts in it. Principals are cached by token digest in the shared cache
and invalidated when tokens, clients, accounts or organisations change. Each process
also holds the principals it just used for GRAPHQL_LOCAL_CACHE_SECONDS, under the auth
generation of api.local_cache: a revoked token is refused within that window, as its
cached answers are."""

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from wagtail.models import APIToken

from api import cache, local_cache
from api.errors import ApiError, ErrorCode
from api.memos import StampedMemo
from content.models import ChannelAccount
from content.permissions import OrgScope, scope_for_org, scope_for_user, visible
from content.reach import Audience, audience_for

PRINCIPAL_TTL = 300
HELD_MAX = 1024  # principals a process holds; a full memo starts over


def _still_current(stamp):
    """A held principal's stamp (auth generation it was read under, monotonic time until):
    valid for one local window at most, and while that generation is the current one."""
    auth_generation, until = stamp
    return time.monotonic() < until and auth_generation == local_cache.generations()[1]


_held = StampedMemo(HELD_MAX, _still_current)  # token digest -> (principal, expires_at)


@dataclass(frozen=True)
class Principal:
    kind: str  # "client" or "editor"
    name: str
    user_id: int
    organisation_id: int | None
    scope: OrgScope
    accounts: dict  # bound, enabled accounts: code -> id
    audience: Audience
    token_id: int | None = None
    account_audiences: dict = field(default_factory=dict)  # code -> Audience of that account alone
    account_types: dict = field(default_factory=dict)  # code -> channel type
    expires_at: object = None  # the client's expiry (datetime) or None
    reach_key: str = ""  # equal for principals whose reach and scope filters are the same SQL

    @property
    def cache_key(self):
        """Identifies what the principal can read: equal keys, equal answers."""
        basis = f"{self.scope.everything}|{sorted(self.scope.editable)}|{sorted(self.accounts.values())}"
        return hashlib.sha256(basis.encode()).hexdigest()[:32]


def reach_key(scope, audience):
    """Names what the reach and scope filters of a principal select (api.reused_sql keys)."""
    basis = (
        scope.everything, sorted(scope.editable), sorted(scope.ancestors), sorted(audience.account_ids),
        sorted((t, sorted(ids)) for t, ids in audience.orgs_by_type.items()),
        sorted((org, sorted(ids)) for org, ids in audience.subtrees_of.items()), sorted(audience.whole_tree),
    )
    return hashlib.sha256(repr(basis).encode()).hexdigest()[:32]


def _accounts_principal(kind, name, user_id, organisation_id, scope, accounts, token_id=None, expires_at=None):
    accounts = [a for a in accounts if a.enabled]
    audience = audience_for(accounts)
    return Principal(
        kind=kind,
        name=name,
        user_id=user_id,
        organisation_id=organisation_id,
        scope=scope,
        accounts={a.code: a.pk for a in accounts},
        audience=audience,
        token_id=token_id,
        account_audiences={a.code: audience.of_account(a) for a in accounts},
        account_types={a.code: a.type for a in accounts},
        expires_at=expires_at,
        reach_key=reach_key(scope, audience),
    )


def client_principal(client, token_id=None):
    if client.expired:
        raise ApiError(ErrorCode.TOKEN_EXPIRED, "the API client's access has expired")
    accounts = client.accounts.only("pk", "code", "type", "organisation_id", "enabled")
    return _accounts_principal(
        "client", client.name, client.user_id, client.organisation_id, scope_for_org(client.organisation),
        accounts, token_id, client.expires_at,
    )


def editor_principal(user, token_id=None):
    scope = scope_for_user(user)
    accounts = visible(ChannelAccount.objects.only("pk", "code", "type", "organisation_id", "enabled"), scope)
    profile = getattr(user, "editor_profile", None) if hasattr(user, "editor_profile") else None
    return _accounts_principal(
        "editor", user.get_username(), user.pk, profile.organisation_id if profile else None, scope, accounts, token_id
    )


def _touch(token):
    interval = settings.WAGTAILAPI_TOKEN_LAST_USED_INTERVAL
    now = timezone.now()
    if interval is not None and (token.last_used_at is None or (now - token.last_used_at).total_seconds() >= interval):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _rehash_under_current_key(token, plaintext):
    # Found through a SECRET_KEY_FALLBACKS key: store the digest under the current key,
    # so a token used during the rotation window outlives the old key's removal.
    current = APIToken.hash_token(plaintext)
    if token.key_hash != current:
        APIToken.objects.filter(pk=token.pk, key_hash=token.key_hash).update(key_hash=current)


def _from_token(plaintext):
    token = (
        APIToken.objects.select_related("user__api_client__organisation__parent__parent")
        .filter(key_hash__in=APIToken.candidate_key_hashes(plaintext))
        .first()
    )
    if token is None or not token.user.is_active:
        raise ApiError(ErrorCode.UNAUTHENTICATED, "unknown API token")
    if token.revoked_at is not None:
        raise ApiError(ErrorCode.TOKEN_REVOKED, "this API token was revoked")
    _touch(token)
    _rehash_under_current_key(token, plaintext)
    client = getattr(token.user, "api_client", None) if hasattr(token.user, "api_client") else None
    if client is not None:
        return client_principal(client, token.pk), client.expires_at
    return editor_principal(token.user, token.pk), None


def token_digest(plaintext):
    """The stored digest of a well-formed token (the key of its cache entries)."""
    if not APIToken.validate_token_format(plaintext):
        raise ApiError(ErrorCode.UNAUTHENTICATED, "malformed API token")
    return APIToken.hash_token(plaintext)


def principal_key(digest):
    # The version names the Principal's fields: entries of an older layout are not read.
    return "gql:principal:v3:" + digest


def principal_for_token(plaintext, lookup=None):
    """The principal of a bearer token, from the shared cache when it holds it
    (``lookup``: the request's cache.Lookup when the view already made one)."""
    digest = token_digest(plaintext)
    if not cache.enabled():
        return _from_token(plaintext)[0]
    entry = _held_principal(digest)
    if entry is None or _expired(entry):
        if lookup is None:
            lookup = cache.Lookup(principal_key(digest))
            local_cache.note_generations(lookup.generations)
        entry = lookup.principal()
        if entry is None or _expired(entry):
            entry = _from_token(plaintext)
            lookup.put_principal(entry, PRINCIPAL_TTL)
        _hold(digest, lookup.auth, entry)
    return entry[0]


def _expired(entry):
    expires_at = entry[1]
    return expires_at is not None and expires_at <= timezone.now()


def _held_principal(digest):
    """(principal, expires_at) this process holds for the token, while its auth
    generation is current and for at most one local window; None otherwise."""
    if local_cache.window() <= 0:
        return None
    return _held.get(digest)


def _hold(digest, auth_generation, entry):
    window = local_cache.window()
    if window > 0:
        _held.put(digest, entry, (auth_generation, time.monotonic() + window))


def bearer_token(request):
    """The bearer token of the request, None without an Authorization header."""
    return bearer_credentials(request.META.get("HTTP_AUTHORIZATION", ""))


def bearer_credentials(header):
    """The token of an ``Authorization`` header's value, None when it is empty."""
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(ErrorCode.UNAUTHENTICATED, "use Authorization: Bearer <token>")
    return credentials.strip()


def authenticate(request, lookup=None):
    """The request's principal, or an ApiError (401) saying why there is none."""
    token = bearer_token(request)
    if token is not None:
        return principal_for_token(token, lookup)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return editor_principal(user)
    raise ApiError(ErrorCode.UNAUTHENTICATED, "authentication required")
