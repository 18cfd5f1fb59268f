"""Point WeChat official accounts at the local WeChat API emulator (the demo)."""

import secrets

from django.core.management.base import BaseCommand

from content.models import ChannelAccount
from content.services.accounts import set_secret


class Command(BaseCommand):
    help = "Point every WeChat official account at the emulator; give demo secrets to accounts without one."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8100")

    def handle(self, url, **options):
        accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
        for account in accounts:
            account.api_base_url = url
            account.save(update_fields=["api_base_url"])
            if not account.app_secret:
                # Demo only: the emulator accepts any secret for accounts it was not told about.
                set_secret(account, "app_secret", secrets.token_hex(16))
        self.stdout.write(f"{accounts.count()} official accounts now call the WeChat emulator at {url}")
