"""Published content for the GraphQL tests, created and published the way the
admin does it (a revision, then publish), so the change log sees every publish."""

import datetime
import re
from decimal import Decimal

from django.test import TestCase

from content.models import Article, AutoReply, Brand, Business, Package, SmsCommand, SmsTemplate, TemplateMessage
from content.models.wechat import TemplateMessageMapping


def committed():
    """Run on-commit callbacks (change log writes) at the end of the block."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish(item):
    with committed():
        item.save_revision().publish()
    item.refresh_from_db()
    return item


def unpublish(item):
    with committed():
        item.unpublish()
    item.refresh_from_db()
    return item


def _draft(model, m2m=None, **fields):
    item = model(live=False, **fields)
    for name, values in (m2m or {}).items():
        getattr(item, name).set(values)
    item.save()
    return item


def brands(*codes):
    return list(Brand.objects.filter(code__in=codes))


def package(code, organisation, sale_orgs=(), brand_codes=("gotone",), live=True, **fields):
    defaults = dict(name=f"套餐{code}", family="畅享", monthly_fee=Decimal("58.00"), data_mb=10240, voice_minutes=300,
                    sms_count=100, contract_months=12, order_command="KT" + re.sub(r"[^A-Za-z0-9]", "", code)[-8:], valid_from=datetime.date(2024, 1, 1))
    defaults.update(fields)
    item = _draft(Package, {"brands": brands(*brand_codes), "sale_orgs": list(sale_orgs) or [organisation]},
                  code=code, organisation=organisation, **defaults)
    return publish(item) if live else item


def business(code, organisation, sale_orgs=(), brand_codes=("gotone",), live=True, **fields):
    defaults = dict(name=f"业务{code}", kind="流量包", monthly_fee=Decimal("10.00"))
    defaults.update(fields)
    item = _draft(Business, {"brands": brands(*brand_codes), "sale_orgs": list(sale_orgs) or [organisation]},
                  code=code, organisation=organisation, **defaults)
    return publish(item) if live else item


def article(code, organisation, shared_to=(), channels=(), related=(), live=True, **fields):
    defaults = dict(title=f"文章{code}", author="编辑部", digest="摘要", body="<p>正文</p>")
    defaults.update(fields)
    item = _draft(Article, {"shared_to": list(shared_to), "related_packages": list(related)},
                  code=code, organisation=organisation, channels=list(channels), **defaults)
    return publish(item) if live else item


def sms_template(code, organisation, commands=(), brand_codes=(), live=True, **fields):
    defaults = dict(category="reply", text="您本月已用流量{used}。", parameters=[{"name": "used", "type": "data_volume", "max_length": 8}])
    defaults.update(fields)
    item = _draft(SmsTemplate, {"brands": brands(*brand_codes)}, code=code, organisation=organisation,
                  commands=list(commands), **defaults)
    return publish(item) if live else item


def sms_command(account, command, template):
    """Bind a command on an account (publishing a template binds its own commands already)."""
    with committed():
        return SmsCommand.objects.update_or_create(account=account, command=command, defaults={"template": template})[0]


def auto_reply(account, keyword, live=True, **fields):
    defaults = dict(kind="keyword", match="exact", reply_type="text", reply_text=f"回复{keyword}", priority=0)
    defaults.update(fields)
    item = _draft(AutoReply, account=account, keyword=keyword, **defaults)
    return publish(item) if live else item


def template_message(code, organisation, account_ids=(), live=True):
    item = TemplateMessage(live=False, code=code, title=f"模板{code}", organisation=organisation,
                           fields=[{"key": "thing1", "label": "账单月份", "type": "thing"}])
    item.account_mappings = [
        TemplateMessageMapping(account_id=pk, wechat_template_id=f"TPL-{code}-{pk}") for pk in account_ids
    ]
    item.save()
    return publish(item) if live else item
