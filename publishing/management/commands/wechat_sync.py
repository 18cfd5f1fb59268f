"""python manage.py wechat_sync check|repair [--account CODE ...]

``check`` reads each official account's live state (menus, published articles,
permanent material counts), prints per account what is missing, extra or different
from what the CMS says should be there, stores the result for the dashboard, and
exits 1 when any account drifts (or could not be read). ``repair`` checks, then
starts the push jobs that converge the drifting accounts. Content this platform
never published is reported, never deleted."""

import sys

from django.core.management.base import BaseCommand, CommandError

from publishing.drift.accounts import check_account, official_accounts, repair_account
from publishing.models import PublishBatch


class Command(BaseCommand):
    help = "检查并修复微信公众号的线上状态与 CMS 的偏差(菜单、已发布图文、永久素材)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("check", "repair"))
        parser.add_argument("--account", action="append", dest="accounts", metavar="CODE",
                            help="只处理这些公众号(可重复);默认全部启用的公众号")

    def handle(self, action, accounts=None, **options):
        targets = official_accounts(accounts)
        unknown = sorted(set(accounts or ()) - {a.code for a in targets})
        if unknown:
            raise CommandError(f"没有这些微信公众号:{', '.join(unknown)}")
        drifting = 0
        for account in targets:
            result = check_account(account)
            drifting += result.drifted
            self._print(result)
            if action == "repair" and result.drifted and not result.error:
                for started in repair_account(account, result.findings, origin=PublishBatch.Origin.COMMAND):
                    self.stdout.write(f"  修复:{started}")
        self.stdout.write(f"共 {len(targets)} 个公众号,{drifting} 个存在偏差。")
        if action == "check" and drifting:
            sys.exit(1)

    def _print(self, result):
        state = "检查失败" if result.error else ("存在偏差" if result.drifted else "一致")
        self.stdout.write(f"{result.account.code}:{state}")
        if result.error:
            self.stdout.write(f"  {result.error}")
        for finding in result.findings:
            self.stdout.write(f"  [{finding.area}] {finding}")
