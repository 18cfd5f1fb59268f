"""Load the organisation matrix (organisations, brands, channel accounts) of a
legacy export: the minimal seed for the demo until the full import exists."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from content.models import Brand, ChannelAccount, Organisation
from content.services.organisations import save_organisation

ACCOUNT_FIELDS = ("app_id", "original_id", "service_number", "signature", "base_url")


class Command(BaseCommand):
    help = "Load organisations, brands and channel accounts from a legacy export folder."

    def add_arguments(self, parser):
        parser.add_argument("export_dir")

    @transaction.atomic
    def handle(self, export_dir, **options):
        path = Path(export_dir) / "export.json"
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        data = json.loads(path.read_text(encoding="utf-8"))
        by_code = {}
        for row in data["organisations"]:
            org = Organisation.objects.filter(code=row["code"]).first() or Organisation(code=row["code"])
            org.name, org.level = row["name"], row["level"]
            org.parent = by_code.get(row["parent"]) if row["parent"] else None
            by_code[row["code"]] = save_organisation(org)
        for row in data["brands"]:
            Brand.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
        for row in data["channel_accounts"]:
            account = ChannelAccount.objects.filter(code=row["code"]).first() or ChannelAccount(code=row["code"])
            account.name, account.type, account.organisation = row["name"], row["type"], by_code[row["org"]]
            for field in ACCOUNT_FIELDS:
                if row.get(field):
                    setattr(account, field, row[field])
            account.full_clean()
            account.save()
        self.stdout.write(
            f"sample loaded: {Organisation.objects.count()} organisations, {Brand.objects.count()} brands, "
            f"{ChannelAccount.objects.count()} channel accounts"
        )
