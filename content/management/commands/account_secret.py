"""Set a channel account's secret from standard input, for automation:

    printf %s "$TOKEN" | python manage.py account_secret set wx-sx callback_token

The value is never an argument (it would show in the process list and shell
history) and never printed. ``status`` tells which secrets are set."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from content.models import ChannelAccount
from content.services.accounts import set_secret

MAX_SECRET_CHARS = 4096


class Command(BaseCommand):
    help = "Set (from standard input), clear or show the state of a channel account's secrets."
    # call_command(..., stdin=io.StringIO(...)) feeds the value in tests and scripts.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        setter = sub.add_parser("set", help="read the value from standard input")
        setter.add_argument("account", help="account code")
        setter.add_argument("field", choices=ChannelAccount.SECRET_FIELDS)
        clearer = sub.add_parser("clear", help="remove the stored value")
        clearer.add_argument("account")
        clearer.add_argument("field", choices=ChannelAccount.SECRET_FIELDS)
        status = sub.add_parser("status", help="which secrets are set (never their values)")
        status.add_argument("account")

    def handle(self, *args, action, account, **options):
        record = ChannelAccount.objects.filter(code=account).first()
        if record is None:
            raise CommandError(f"{account}: account: no channel account with this code")
        if action == "status":
            for field in ChannelAccount.SECRET_FIELDS:
                state = "set" if record.secret_is_set(field) else "not set"
                if not record.secret_is_readable(field):
                    state = "set, unreadable with the configured CMS_SECRETS_KEY (set it again or restore the old key)"
                self.stdout.write(f"{field}\t{state}")
            return
        field = options["field"]
        value = self._read_value(record, field, options.get("stdin") or sys.stdin) if action == "set" else ""
        try:
            set_secret(record, field, value)
        except ValidationError as exc:
            messages = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            raise CommandError(f"{record.code}: {field}: {messages}") from None
        self.stdout.write(f"{record.code}: {field} {'set' if value else 'cleared'}")

    def _read_value(self, record, field, stdin):
        value = stdin.read(MAX_SECRET_CHARS + 1)
        # One trailing newline comes from `echo` or a here-string, not from the secret.
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
        if not value:
            raise CommandError(f"{record.code}: {field}: no value on standard input (use `clear` to remove it)")
        if len(value) > MAX_SECRET_CHARS:
            raise CommandError(f"{record.code}: {field}: value longer than {MAX_SECRET_CHARS} characters")
        return value
