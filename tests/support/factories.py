"""factory_boy factories of the records every app's tests create.

Defaults give the shape records have in production: a package or business is sold
by brand ``gotone`` in the organisation that made it, an article goes to WeChat.
``published=True`` creates the record as a draft and publishes it the way the admin
does (a revision, then publish, on-commit callbacks run), so the change log,
renditions and reply tables see the publish; without it the record is saved as is.

    PackageFactory(code="PKG-01", organisation=org, brands=["gotone", "mzone"], published=True)
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from content.models import (
    Article,
    AutoReply,
    Brand,
    Business,
    ChannelAccount,
    Organisation,
    Package,
    SmsTemplate,
    TemplateMessage,
)
from content.models.wechat import TemplateMessageMapping
from tests.support.content import publish


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    is_staff = True

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "pw")
        if create:
            user.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.LazyAttribute(lambda o: f"组织{o.code}")
    level = "branch"


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wx-{n:03d}")
    name = factory.LazyAttribute(lambda a: f"公众号{a.code}")
    type = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
    app_id = factory.Sequence(lambda n: f"wx{n:016d}")


class SmsAccountFactory(ChannelAccountFactory):
    type = ChannelAccount.Type.SMS
    app_id = ""
    service_number = "10086"
    signature = "【中国移动】"


# --- Editorial records: drafts and revisions, published on request ------------------


def _command(prefix, code):
    return (prefix + "".join(c for c in code if c.isalnum()))[:20]


def _brands(values):
    """Brands given as objects or codes (unknown codes are skipped, as a filter would)."""
    codes = [v for v in values if isinstance(v, str)]
    found = {b.code: b for b in Brand.objects.filter(code__in=codes)}
    return [found[v] if isinstance(v, str) else v for v in values if not isinstance(v, str) or v in found]


def _relation(name, default=()):
    """A post-generation hook setting the parental many-to-many ``name`` (committed by save())."""

    def hook(obj, create, extracted, **kwargs):
        values = default(obj) if extracted is None and callable(default) else (default if extracted is None else extracted)
        if create:
            getattr(obj, name).set(_brands(values) if name == "brands" else list(values))

    hook.__name__ = name
    return factory.PostGeneration(hook)


class EditorialFactory(factory.django.DjangoModelFactory):
    """Saves once after the relations are set, then publishes when ``published=True``."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(live=False, publish=True)

    publish = factory.PostGeneration(lambda obj, create, extracted, **kwargs: extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if not create:
            return
        instance.save()
        if (results or {}).get("publish"):
            publish(instance)


class PackageFactory(EditorialFactory):
    class Meta:
        model = Package
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PKG{n:04d}")
    name = factory.LazyAttribute(lambda p: f"套餐{p.code}")
    family = "畅享套餐"
    monthly_fee = Decimal("58.00")
    data_mb = 10240
    voice_minutes = 300
    sms_count = 100
    contract_months = 12
    order_command = factory.LazyAttribute(lambda p: _command("KT", p.code))
    cancel_command = factory.LazyAttribute(lambda p: _command("QX", p.code))
    valid_from = datetime.date(2024, 1, 1)
    brands = _relation("brands", ["gotone"])
    sale_orgs = _relation("sale_orgs", lambda p: [p.organisation] if p.organisation_id else [])


class BusinessFactory(EditorialFactory):
    class Meta:
        model = Business
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BIZ{n:04d}")
    kind = "data_addon"
    name = factory.LazyAttribute(lambda b: f"业务{b.code}")
    monthly_fee = Decimal("10.00")
    order_command = factory.LazyAttribute(lambda b: _command("KT", b.code))
    cancel_command = factory.LazyAttribute(lambda b: _command("QX", b.code))
    brands = _relation("brands", ["gotone"])
    sale_orgs = _relation("sale_orgs", lambda b: [b.organisation] if b.organisation_id else [])


class ArticleFactory(EditorialFactory):
    class Meta:
        model = Article
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ART{n:05d}")
    title = factory.LazyAttribute(lambda a: f"图文{a.code}")
    author = "陕西移动"
    body = "<p>正文</p>"
    channels = factory.LazyFunction(lambda: ["wechat_official_account"])
    shared_to = _relation("shared_to")
    related_packages = _relation("related_packages")


class SmsTemplateFactory(EditorialFactory):
    class Meta:
        model = SmsTemplate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SMS{n:06d}")
    category = SmsTemplate.Category.REPLY
    text = "尊敬的客户,您当前话费余额为{balance}元,截至{date}。"
    parameters = factory.LazyFunction(
        lambda: [{"name": "balance", "type": "amount", "max_length": 10}, {"name": "date", "type": "date", "max_length": 10}]
    )
    brands = _relation("brands")


class AutoReplyFactory(EditorialFactory):
    class Meta:
        model = AutoReply

    kind = AutoReply.Kind.KEYWORD
    keyword = factory.Sequence(lambda n: f"关键词{n}")
    reply_type = AutoReply.ReplyType.TEXT
    reply_text = "您好,请点击菜单查询。"


class TemplateMessageFactory(EditorialFactory):
    class Meta:
        model = TemplateMessage
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tm_{n:03d}")
    title = "账单提醒"
    fields = factory.LazyFunction(
        lambda: [{"key": "thing1", "label": "账单月份", "type": "thing"}, {"key": "amount2", "label": "消费金额", "type": "amount"}]
    )

    @factory.post_generation
    def accounts(message, create, extracted, **kwargs):
        """A WeChat template id for each account given (``TPL-<code>-<account pk>``)."""
        if create and extracted:
            message.account_mappings = [
                TemplateMessageMapping(account=account, wechat_template_id=f"TPL-{message.code}-{account.pk}")
                for account in extracted
            ]
