"""Short-lived signed preview tokens: the only way a front end reaches a draft.

The admin issues one for one item to an editor who may view it; it carries the
kind, the item id and the editor, is signed with SECRET_KEY and expires after
GRAPHQL_PREVIEW_TOKEN_MAX_AGE seconds."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from api.errors import ApiError, ErrorCode
from content.permissions import can_view
from content import kinds

SALT = "cms.graphql.preview"


@dataclass(frozen=True)
class PreviewGrant:
    kind: str
    object_id: int
    user_id: int

    def allows(self, item):
        kind = kinds.kind_of(item)
        return kind is not None and kind.editorial and kind.code == self.kind and item.pk == self.object_id


def max_age():
    return settings.GRAPHQL_PREVIEW_TOKEN_MAX_AGE


def issue_preview_token(item, user):
    """A token that shows the item's latest draft to a front end for a few minutes."""
    if not can_view(user, item):
        raise PermissionError("the user may not view this item")
    kind = kinds.kind_of(item)
    if kind is None or not kind.editorial:
        raise ValueError(f"{type(item).__name__} has no drafts to preview")
    return signing.dumps({"k": kind.code, "i": item.pk, "u": user.pk}, salt=SALT, compress=True)


def read_preview_token(token):
    """The grant in a token, or an ApiError saying why it is refused."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise ApiError(ErrorCode.PREVIEW_TOKEN_EXPIRED, "preview token expired; ask the admin for a new one") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ApiError(ErrorCode.PREVIEW_TOKEN_INVALID, "preview token invalid") from None
    try:
        grant = PreviewGrant(kind=str(data["k"]), object_id=int(data["i"]), user_id=int(data["u"]))
    except (KeyError, TypeError, ValueError):
        raise ApiError(ErrorCode.PREVIEW_TOKEN_INVALID, "preview token invalid") from None
    kind = kinds.BY_CODE.get(grant.kind)
    user = get_user_model().objects.filter(pk=grant.user_id, is_active=True).first()
    item = kind.model._default_manager.filter(pk=grant.object_id).first() if kind is not None and kind.editorial else None
    # The editor must still be allowed to see the item when the draft is read.
    if user is None or item is None or not can_view(user, item):
        raise ApiError(ErrorCode.PREVIEW_TOKEN_INVALID, "preview token no longer valid")
    return grant
