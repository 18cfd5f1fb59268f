"""Run the WeChat API emulator in the foreground for the local demo.

    python manage.py wechat_emulator --port 8100 --fault-rate 0.05 \\
        --callback-base http://127.0.0.1:8000 --from-accounts

Point the CMS at it with WECHAT_API_BASE_URL=http://127.0.0.1:8100 (or an account's
接口地址). /_emulator/ shows what it holds."""

from django.core.management.base import BaseCommand, CommandError

from content.models import ChannelAccount
from wechat.emulator import Account, Config, EmulatorServer, EmulatorState
from wechat.emulator.handlers import ROUTES


def _rate(value):
    rate = float(value)
    if not 0 <= rate <= 1:
        raise ValueError("a rate is between 0 and 1")
    return rate


class Command(BaseCommand):
    help = "运行微信公众号接口模拟器(本地演示与测试用)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--fault-rate", type=_rate, default=0.0, help="share of API calls answered -1 (busy)")
        parser.add_argument("--expire-token-rate", type=_rate, default=0.0, help="share of calls answered 42001")
        parser.add_argument("--slow-rate", type=_rate, default=0.0, help="share of calls answered slowly")
        parser.add_argument("--slow-ms", type=int, default=0, help="delay of slow answers (ms)")
        parser.add_argument("--lose-response-rate", type=_rate, default=0.0,
                            help="share of calls that commit, then drop the connection")
        parser.add_argument("--publish-delay-ms", type=int, default=2000, help="time a publish job takes (ms)")
        parser.add_argument("--callback-base", default="",
                            help="send PUBLISHJOBFINISH to CALLBACK_BASE/wechat/<account code or appid>/")
        parser.add_argument("--daily-quota", type=int, default=None, help="calls per API, account and day")
        parser.add_argument("--app", action="append", default=[], metavar="APPID:SECRET[:CODE]",
                            help="register an account (repeatable); others accept any secret")
        parser.add_argument("--from-accounts", action="store_true",
                            help="register the WeChat official accounts of the database with their secrets")
        parser.add_argument("--strict", action="store_true", help="refuse appids that are not registered (40013)")
        parser.add_argument("--seed", type=int, default=None, help="seed of the random faults")

    def handle(self, *args, **options):
        config = Config(
            fault_rate=options["fault_rate"],
            expire_token_rate=options["expire_token_rate"],
            slow_rate=options["slow_rate"],
            slow_ms=options["slow_ms"],
            lose_response_rate=options["lose_response_rate"],
            publish_delay_ms=options["publish_delay_ms"],
            callback_base=options["callback_base"],
            strict_accounts=options["strict"],
            seed=options["seed"],
        )
        if options["daily_quota"] is not None:
            config.daily_quota = {endpoint: options["daily_quota"] for endpoint in ROUTES}
        accounts = [self._parse_app(spec) for spec in options["app"]]
        if options["from_accounts"]:
            accounts += self._database_accounts()
        try:
            server = EmulatorServer(options["host"], options["port"], EmulatorState(config, accounts))
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        self.stdout.write(f"WeChat API emulator on {server.base_url} ({len(accounts)} registered accounts)")
        self.stdout.write(f"  inspect: {server.base_url}/_emulator/   state: {server.base_url}/_emulator/state")
        if config.callback_base:
            self.stdout.write(f"  PUBLISHJOBFINISH -> {config.callback_base.rstrip('/')}/wechat/<code or appid>/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")
        finally:
            server.httpd.server_close()

    def _parse_app(self, spec):
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise CommandError(f"--app expects APPID:SECRET[:CODE], got {spec!r}")
        return Account(appid=parts[0], secret=parts[1], code=parts[2] if len(parts) == 3 else "")

    def _database_accounts(self):
        found = []
        rows = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, enabled=True)
        for account in rows.exclude(app_id=""):
            found.append(Account(
                appid=account.app_id,
                secret=account.app_secret.reveal() or None,
                code=account.code,
                original_id=account.original_id,
                callback_token=account.callback_token.reveal(),
            ))
        return found
