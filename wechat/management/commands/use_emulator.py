"""Point named WeChat official accounts at the local WeChat API emulator (the demo).

It rewrites an account's API address and may give it a made-up AppSecret, so it
refuses to run under production settings and touches only the accounts it is
told about: ``--account CODE`` (repeatable) or ``--sample``, the official accounts
of the sample export (``manage.py make_sample``) in ``var/sample-export``."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content.models import ChannelAccount
from content.services.accounts import set_secret

USAGE = 2  # the exit status of a refused or malformed call, as argparse's


class Command(BaseCommand):
    help = (
        "Point the named WeChat official accounts (--account CODE, repeatable) or the sample's (--sample) at the "
        "emulator; give demo secrets (AppSecret, callback token) to those without one. Refused under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8100")
        parser.add_argument("--account", action="append", default=[], metavar="CODE",
                            help="an official account's code; repeat for more")
        parser.add_argument("--sample", nargs="?", const=str(settings.VAR_DIR / "sample-export"), metavar="EXPORT_DIR",
                            help="the official accounts of the sample export (default var/sample-export)")

    def handle(self, url, account, sample, **options):
        if settings.CMS_PRODUCTION:
            raise CommandError(
                "use_emulator rewrites accounts' API addresses and secrets for the local demo: "
                "refused under production settings.", returncode=USAGE,
            )
        codes = list(dict.fromkeys([*account, *(_sample_accounts(sample) if sample else [])]))
        if not codes:
            raise CommandError("name the accounts: --account CODE (repeatable) or --sample.", returncode=USAGE)
        accounts = list(ChannelAccount.objects.filter(code__in=codes, type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT))
        missing = sorted(set(codes) - {a.code for a in accounts})
        if missing:
            raise CommandError(f"no WeChat official account with the code: {', '.join(missing)}", returncode=USAGE)
        for item in accounts:
            item.api_base_url = url
            item.save(update_fields=["api_base_url"])
            if not item.app_secret:
                # Demo only: the emulator accepts any secret for accounts it was not told about.
                set_secret(item, "app_secret", secrets.token_hex(16))
            if not item.callback_token:
                # Without a callback token an account takes no callbacks (404): the
                # emulator (started --from-accounts) signs its messages with this one.
                set_secret(item, "callback_token", secrets.token_hex(16))
        self.stdout.write(f"{len(accounts)} official accounts now call the WeChat emulator at {url}: "
                          + ", ".join(sorted(codes)))


def _sample_accounts(export_dir):
    """Codes of the official accounts in a legacy export's ``channel_accounts`` list."""
    path = Path(export_dir) / "export.json"
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["channel_accounts"]
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(f"cannot read the sample's accounts from {path}: {error}", returncode=USAGE) from None
    return [r["code"] for r in records if r.get("type") == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT]
