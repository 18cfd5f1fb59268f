"""Rebuild every official account's cached reply table, e.g. after a bulk import
that wrote live rules without going through Wagtail's publish."""

from django.core.management.base import BaseCommand

from callback.table import rebuild_all


class Command(BaseCommand):
    help = "Rebuild the cached WeChat reply tables of all official accounts."

    def handle(self, *args, **options):
        codes = rebuild_all()
        self.stdout.write(f"rebuilt {len(codes)} reply tables")
