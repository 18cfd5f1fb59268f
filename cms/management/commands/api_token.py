"""Issue and revoke API tokens of front ends (API clients).

    manage.py api_token create --account CODE [--account CODE ...] [--organisation CODE] [--name NAME] [--expires-at ISO]
    manage.py api_token list
    manage.py api_token revoke --client NAME | --prefix wagtail_XXXX | --token TOKEN

``create`` prints the token once; only its hash is stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from wagtail.models import APIToken
from wagtail.models.api import DISPLAY_PREFIX_LENGTH

from cms.callers import clients
from cms.models import ApiClient
from content.models import ChannelAccount, Organisation


def _messages(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens of channel front ends (GraphQL API clients)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a client bound to accounts (or a new token for --client).")
        create.add_argument("--account", action="append", default=[], help="Channel account code (repeatable).")
        create.add_argument("--organisation", help="Organisation code; default: the accounts' common organisation.")
        create.add_argument("--name", help="Client name; default: derived from the accounts.")
        create.add_argument("--client", help="Issue another token for this existing client instead.")
        create.add_argument("--expires-at", help="ISO date-time after which the client is refused.")
        sub.add_parser("list", help="List clients and their active token prefixes.")
        revoke = sub.add_parser("revoke", help="Revoke tokens.")
        group = revoke.add_mutually_exclusive_group(required=True)
        group.add_argument("--client", help="Revoke every token of this client.")
        group.add_argument("--prefix", help="Revoke the client token starting with this prefix.")
        group.add_argument("--token", help="Revoke this token (the plaintext).")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except ValidationError as error:
            raise CommandError(_messages(error)) from None

    def _client(self, name):
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"client: no API client named {name!r}")
        return client

    def create(self, account, organisation, name, client, expires_at, **options):
        if client:
            token, plaintext = clients.issue_token(self._client(client))
            self.stdout.write(plaintext)
            return
        if not account:
            raise CommandError("account: give at least one --account CODE")
        accounts = list(ChannelAccount.objects.select_related("organisation").filter(code__in=account))
        unknown = sorted(set(account) - {a.code for a in accounts})
        if unknown:
            raise CommandError(f"account: unknown channel account {', '.join(unknown)}")
        org = self._organisation(organisation, accounts)
        expires = parse_datetime(expires_at) if expires_at else None
        if expires_at and expires is None:
            raise CommandError(f"expires-at: {expires_at!r} is not an ISO date-time")
        created = clients.create_client(
            name=name or f"{org.code}: {', '.join(sorted(account))}", organisation=org, accounts=accounts,
            expires_at=expires,
        )
        token, plaintext = clients.issue_token(created)
        self.stderr.write(f"client {created.name!r} ({org.code}), token {token.prefix}…; shown once, store it now:")
        self.stdout.write(plaintext)

    def _organisation(self, code, accounts):
        if code:
            org = Organisation.objects.filter(code=code).first()
            if org is None:
                raise CommandError(f"organisation: unknown organisation {code}")
            return org
        orgs = {a.organisation for a in accounts}
        if len(orgs) != 1:
            raise CommandError("organisation: the accounts belong to several organisations; pass --organisation")
        return orgs.pop()

    def list(self, **options):
        for client in ApiClient.objects.select_related("organisation").prefetch_related("accounts").order_by("name"):
            prefixes = [t.prefix for t in clients.active_tokens(client)]
            accounts = ",".join(sorted(a.code for a in client.accounts.all()))
            self.stdout.write(f"{client.name}\t{client.organisation.code}\t{accounts}\t{' '.join(prefixes) or '-'}")

    def revoke(self, client, prefix, token, **options):
        if client:
            count = clients.revoke_tokens(self._client(client))
            self.stdout.write(f"revoked {count} token(s) of {client}")
            return
        active = APIToken.objects.filter(revoked_at__isnull=True, user__api_client__isnull=False)
        if token:
            tokens = list(active.filter(key_hash__in=APIToken.candidate_key_hashes(token)))
            prefix = token[:DISPLAY_PREFIX_LENGTH]
        else:
            tokens = list(active.filter(prefix__startswith=prefix[:DISPLAY_PREFIX_LENGTH]))
            tokens = [t for t in tokens if prefix.startswith(t.prefix) or t.prefix.startswith(prefix)]
        if len(tokens) != 1:
            raise CommandError(f"prefix: {len(tokens)} active client tokens match {prefix!r}; need exactly one")
        clients.revoke_token(tokens[0])
        self.stdout.write(f"revoked {tokens[0].prefix}…")
