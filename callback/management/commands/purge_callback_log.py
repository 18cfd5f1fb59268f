"""Delete WeChat callback log rows older than WECHAT_CALLBACK_LOG_DAYS (run from cron;
the endpoint also purges at most once an hour as it writes)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from callback.logbook import purge_expired


class Command(BaseCommand):
    help = "Delete WeChat callback messages older than WECHAT_CALLBACK_LOG_DAYS."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"deleted {deleted} log rows older than {settings.WECHAT_CALLBACK_LOG_DAYS} days")
