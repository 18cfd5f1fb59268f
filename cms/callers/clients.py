"""Issue and revoke API clients and their tokens: the one path used by the admin
and by ``manage.py api_token``."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import APIToken

from cms.models import ApiClient
from content.permissions import scope_for_org


def validate_accounts(organisation, accounts):
    """Every account must belong to the client's organisation or one below it."""
    if not accounts:
        raise ValidationError({"accounts": _("至少绑定一个渠道账号")}, code="required")
    scope = scope_for_org(organisation)
    outside = sorted(a.code for a in accounts if not scope.everything and a.organisation_id not in scope.editable)
    if outside:
        raise ValidationError(
            {
                "accounts": _("渠道账号 %(codes)s 不属于组织 %(org)s 或其下级")
                % {"codes": ", ".join(outside), "org": organisation.code}
            },
            code="outside_organisation",
        )


def validate_client(client, accounts=None):
    if accounts is None and client.pk:
        accounts = list(client.accounts.all())
    if accounts is not None and client.organisation_id:
        validate_accounts(client.organisation, accounts)


def _service_user(name):
    user = get_user_model()(username=f"api-client-{secrets.token_hex(6)}", first_name=name[:150], is_staff=False)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def create_client(*, name, organisation, accounts, expires_at=None):
    """A client with its service user; call ``issue_token`` to give it a token."""
    accounts = list(accounts)
    validate_accounts(organisation, accounts)
    client = ApiClient(name=name, organisation=organisation, expires_at=expires_at)
    client.user = _service_user(name)
    client.full_clean(exclude=["user"])
    client.save()
    client.accounts.set(accounts)
    return client


def issue_token(client, *, by=None, name=None):
    """A new token for the client: ``(APIToken, plaintext)``; the plaintext exists only here."""
    label = name or f"{client.name} {timezone.localtime():%Y-%m-%d %H:%M}"
    token, plaintext = APIToken.create_token(user=client.user, name=label[:255])
    log(token, "wagtail.apitoken.create", user=by, data={"api_client": client.pk})
    return token, plaintext


def active_tokens(client):
    return APIToken.objects.filter(user_id=client.user_id, revoked_at__isnull=True).order_by("-created")


def revoke_token(token, *, by=None):
    token.revoke()
    log(token, "wagtail.apitoken.revoke", user=by)


def revoke_tokens(client, *, by=None):
    """Revoke every active token of the client; returns how many."""
    tokens = list(active_tokens(client))
    for token in tokens:
        revoke_token(token, by=by)
    return len(tokens)


def retire_service_user(user_id):
    """After a client is deleted: its tokens revoked, its service user deactivated."""
    for token in APIToken.objects.filter(user_id=user_id, revoked_at__isnull=True):
        revoke_token(token)
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
