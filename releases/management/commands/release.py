"""python manage.py release create|add|show|publish|rollback

  release create CODE --title TEXT [--organisation ORG_CODE]
  release add CODE KIND:ITEM_CODE ...      (a menu as menu:MENU_CODE)
  release show CODE                        (items, targets, violations; exit 1 on violations)
  release publish CODE [--at ISO_TIME] [--wait]
  release rollback CODE [--wait]

Errors name the item and the field; a refused step changes nothing."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from content.models import Organisation
from releases import fanout, golive, membership, plan
from releases.models import Release, ReleaseRun
from releases.validation import violations


def _messages(exc):
    if hasattr(exc, "error_dict"):
        return [
            f"{field}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return exc.messages


class Command(BaseCommand):
    help = "上线计划:创建、添加内容、查看差异与问题、发布(可定时)、回滚"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("code")
        create.add_argument("--title", required=True)
        create.add_argument("--organisation", help="所属组织代码(默认省公司)")
        add = sub.add_parser("add")
        add.add_argument("code")
        add.add_argument("items", nargs="+", metavar="KIND:ITEM_CODE")
        show = sub.add_parser("show")
        show.add_argument("code")
        publish = sub.add_parser("publish")
        publish.add_argument("code")
        publish.add_argument(
            "--at", help="计划上线时间(ISO 8601,如 2026-05-01T08:00:00+08:00)"
        )
        publish.add_argument("--wait", action="store_true")
        publish.add_argument("--timeout", type=float, default=600.0)
        rollback = sub.add_parser("rollback")
        rollback.add_argument("code")
        rollback.add_argument("--wait", action="store_true")
        rollback.add_argument("--timeout", type=float, default=600.0)

    def handle(self, action, **options):
        try:
            return getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            raise CommandError(";".join(_messages(exc))) from None

    def _release(self, code):
        release = Release.objects.filter(code=code).first()
        if release is None:
            raise CommandError(f"未知的上线计划:{code}")
        return release

    def _create(self, code, title, organisation=None, **options):
        if Release.objects.filter(code=code).exists():
            raise CommandError(f"code: 上线计划 {code} 已存在")
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(f"organisation: 未知的组织 {organisation}")
        else:
            org = (
                Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
            )
            if org is None:
                raise CommandError("organisation: 还没有任何组织")
        release = Release(code=code, title=title, organisation=org)
        release.full_clean()
        release.save()
        self.stdout.write(
            f"已创建上线计划 {release.code}({release.title}),所属组织 {org.code}"
        )

    def _add(self, code, items, **options):
        release = self._release(code)
        added = membership.add(release, items)
        for release_item in added:
            self.stdout.write(f"已加入 {release_item.kind}:{release_item.code}")
        self.stdout.write(f"上线计划 {release.code} 共 {release.items.count()} 项内容")

    def _show(self, code, **options):
        release = self._release(code)
        self.stdout.write(
            f"上线计划 {release.code}({release.title}) 状态:{release.get_state_display()}"
        )
        if release.go_live_at:
            self.stdout.write(
                f"计划上线时间:{timezone.localtime(release.go_live_at).isoformat()}"
            )
        if release.problem:
            self.stdout.write(self.style.WARNING(f"上次未能上线:{release.problem}"))
        self.stdout.write("内容:")
        for release_item in release.items.all():
            self.stdout.write(f"  {release_item.kind}:{release_item.code}")
        self.stdout.write("渠道账号:")
        for account_plan in plan.plan(release):
            self.stdout.write(
                f"  {account_plan.account.code}({account_plan.account.get_type_display()})"
            )
            for change in account_plan.changes:
                self.stdout.write(
                    f"    {change.action_label} {change.ref}: {change.summary}"
                )
                for warning in change.warnings:
                    self.stdout.write(f"      {warning}")
        found = violations(release) if release.state == Release.State.OPEN else []
        if not found:
            self.stdout.write(self.style.SUCCESS("没有问题"))
            return
        self.stdout.write(self.style.ERROR(f"{len(found)} 个问题:"))
        for violation in found:
            self.stdout.write(f"  {violation}")
        raise SystemExit(1)

    def _publish(self, code, at=None, wait=False, timeout=600.0, **options):
        release = self._release(code)
        when = None
        if at:
            when = parse_datetime(at)
            if when is None:
                raise CommandError(f"at: 无法识别的时间 {at}(应为 ISO 8601)")
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        release = golive.publish(release, at=when)
        if when is not None:
            self.stdout.write(
                f"上线计划 {release.code} 已排期:{timezone.localtime(when).isoformat()}"
            )
            if not wait:
                return
        else:
            self.stdout.write(f"上线计划 {release.code} 正在上线")
        self._wait(
            release, ReleaseRun.Action.GO_LIVE, wait, timeout + self._until(when)
        )

    def _rollback(self, code, wait=False, timeout=600.0, **options):
        release = golive.rollback(self._release(code))
        self.stdout.write(f"上线计划 {release.code} 正在回滚")
        self._wait(release, ReleaseRun.Action.ROLLBACK, wait, timeout)

    def _until(self, when):
        return (
            max(0.0, (when - timezone.now()).total_seconds())
            if when is not None
            else 0.0
        )

    def _wait(self, release, action, wait, timeout):
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while True:
            run = ReleaseRun.objects.filter(release=release, action=action).first()
            if run is not None and fanout.progress(run)["complete"]:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"等待 {timeout:.0f} 秒后仍未完成")
            time.sleep(0.3)
        release.refresh_from_db()
        progress = fanout.progress(run)
        self.stdout.write(
            f"状态:{release.get_state_display()},变更版本 {run.change_version}"
        )
        self.stdout.write(
            f"推送:{progress['finished']}/{progress['total']} 个任务已结束,失败 {progress['failed']} 个"
        )
        if progress["failed"]:
            raise CommandError(
                f"{progress['failed']} 个推送任务未成功(仪表盘可查看并重试)"
            )
