"""python manage.py publish KIND CODE [--account CODE ...] [--wait]

Pushes a published item (or a menu's latest published version) to its channel
accounts, prints the publications and, with --wait, their outcome. Exits non-zero
when a publication failed, was paused or did not finish within --timeout.

KIND is a code of the kinds registry (content/kinds.py: article, package,
business, sms_template, auto_reply, template_message, menu); ``template`` still
names SMS templates. CODE is the item's code (an auto-reply's id)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from content import kinds
from content.holds import refuse_held
from content.models import ChannelAccount
from publishing import services
from publishing.models import OPEN_STATES, Publication, PublishBatch, State
from publishing.services import dispatch

# Older spellings the command keeps accepting.
ALIASES = {"template": kinds.Kind.SMS_TEMPLATE}
KINDS = (*(kind.code for kind in kinds.pushed()), *ALIASES)


class Command(BaseCommand):
    help = "推送已发布的内容或菜单到渠道账号(微信接口与 Webhook),可等待结果"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("code")
        parser.add_argument("--account", action="append", dest="accounts", metavar="CODE",
                            help="只推送到这些账号(可重复);菜单只推送到以它为菜单的账号(自有或已下发)")
        parser.add_argument("--wait", action="store_true", help="等待所有发布任务结束并打印结果")
        parser.add_argument("--timeout", type=float, default=600.0, help="--wait 最长等待秒数(默认600)")

    def handle(self, kind, code, accounts=None, wait=False, timeout=600.0, **options):
        targets = self._accounts(accounts) if accounts else None
        try:
            batch = self._publish(kind, code, targets)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if batch is None:
            self.stdout.write("没有需要推送的账号(无公众号任务,也没有启用的 Webhook 端点)。")
            return
        self.stdout.write(f"批次 #{batch.pk}:{batch}")
        publications = (
            Publication.objects.filter(batch=batch).select_related("account").order_by("account__code", "channel")
        )
        self._print(publications)
        if not wait:
            return
        finished = self._wait(batch, timeout)
        self.stdout.write("结果:")
        self._print(publications.all())
        states = list(publications.values_list("state", flat=True))
        if not finished:
            raise CommandError(f"等待 {timeout:.0f} 秒后仍有任务未结束")
        bad = [s for s in states if s in (State.FAILED, State.PAUSED)]
        if bad:
            raise CommandError(f"{len(bad)} 个发布任务未成功")
        self.stdout.write(self.style.SUCCESS(f"全部 {len(states)} 个发布任务已结束"))

    def _accounts(self, codes):
        found = {a.code: a for a in ChannelAccount.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(f"未知的渠道账号:{', '.join(missing)}")
        return [found[c] for c in dict.fromkeys(codes)]

    def _publish(self, kind, code, targets):
        kind = kinds.get(ALIASES.get(kind, kind))
        if kind.code == kinds.Kind.MENU:
            menu = self._item(kind, code)
            if menu is None:
                raise CommandError(f"未知的菜单:{code}")
            refuse_held(menu)
            version = menu.versions.order_by("-number").first()
            if version is None:
                raise CommandError(f"菜单 {code} 还没有发布过版本")
            self._refuse_unserved(menu, targets)
            return services.publish_menu_version(version, accounts=targets, origin=PublishBatch.Origin.COMMAND)
        item = self._item(kind, code)
        if item is None:
            raise CommandError(f"未知的{kind.model._meta.verbose_name}:{code}")
        refuse_held(item)
        if getattr(item, "has_unpublished_changes", False):
            self.stdout.write(self.style.WARNING(f"{code} 有未发布的修改:推送的是已发布的版本"))
        return services.publish_item(item, accounts=targets, origin=PublishBatch.Origin.COMMAND)

    def _refuse_unserved(self, menu, targets):
        # An account is pushed only the menu the CMS shows for it (menus.rollout).
        from menus.rollout import served_accounts

        served = {account.pk for account in served_accounts(menu)}
        outside = [account.code for account in targets or () if account.pk not in served]
        if outside:
            raise CommandError(f"菜单 {menu.code} 不是这些账号的菜单:{', '.join(outside)};"
                               "请先在后台「渠道菜单 → 下发」中选择这些账号")

    def _item(self, kind, code):
        if kind.code_field == "pk" and not code.isdigit():
            return None
        return kind.model._default_manager.filter(**{kind.code_field: code}).first()

    def _wait(self, batch, timeout):
        deadline = time.monotonic() + timeout
        in_process = dispatch.in_process()
        while Publication.objects.filter(batch=batch, state__in=(State.QUEUED, State.RUNNING)).exists():
            if time.monotonic() > deadline:
                return False
            if in_process:
                # No worker: this process runs what has come due.
                services.sweep()
            time.sleep(0.5)
        return not Publication.objects.filter(batch=batch, state__in=OPEN_STATES).exclude(state=State.PAUSED).exists()

    def _print(self, publications):
        for pub in publications:
            ids = " ".join(
                f"{name}={value}" for name, value in
                (("media_id", pub.media_id), ("publish_id", pub.publish_id), ("article_id", pub.article_id)) if value
            )
            line = (
                f"  #{pub.pk:<6} {pub.account.code:<20} {pub.get_channel_display():<8} "
                f"{pub.get_state_display():<5} 尝试{pub.attempts}次 {ids}"
            )
            if pub.last_error and pub.state != State.DONE:
                line += f"  错误:{pub.last_error}"
            self.stdout.write(line.rstrip())
