"""Obtain the template ids of live template-message definitions on their accounts:
what publishing a definition does, for definitions that went live without the
admin (an import) or after an account's templates were cleared in WeChat."""

from django.core.management.base import BaseCommand

from content.models import TemplateMessage
from notices.binding import bind_definition


class Command(BaseCommand):
    help = "为已发布的模板消息定义在各公众号获取模板ID(导入后或模板被删除后使用)"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="definition codes (all live definitions when omitted)")

    def handle(self, *codes, **options):
        definitions = TemplateMessage.objects.filter(live=True).order_by("code")
        if codes:
            definitions = definitions.filter(code__in=codes)
        failed = 0
        for definition in definitions:
            for account, outcome in bind_definition(definition.pk).items():
                ok = not outcome.startswith("获取模板ID失败")
                failed += not ok
                self.stdout.write(f"{definition.code} @ {account}: {outcome}")
        if failed:
            self.stderr.write(f"{failed} account(s) without a template id")
