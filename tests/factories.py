"""factory_boy factories shared by the tests of every app."""

import factory
from django.contrib.auth import get_user_model

from content.models import ChannelAccount, Organisation


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


# --- Content: library, catalogue, SMS templates, WeChat replies -----------------

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from content.models import (  # noqa: E402
    Article,
    AutoReply,
    Business,
    Package,
    SmsTemplate,
    TemplateMessage,
)


def _command(prefix, code):
    return (prefix + "".join(c for c in code if c.isalnum()))[:20]


class SmsAccountFactory(ChannelAccountFactory):
    type = ChannelAccount.Type.SMS
    app_id = ""
    service_number = "10086"
    signature = "【中国移动】"


class PackageFactory(factory.django.DjangoModelFactory):
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
    order_command = factory.LazyAttribute(lambda p: _command("KT", p.code))
    cancel_command = factory.LazyAttribute(lambda p: _command("QX", p.code))
    valid_from = datetime.date(2026, 1, 1)


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BIZ{n:04d}")
    kind = "data_addon"
    name = factory.LazyAttribute(lambda b: f"业务{b.code}")
    monthly_fee = Decimal("10.00")
    order_command = factory.LazyAttribute(lambda b: _command("KT", b.code))
    cancel_command = factory.LazyAttribute(lambda b: _command("QX", b.code))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ART{n:05d}")
    title = factory.LazyAttribute(lambda a: f"图文{a.code}")
    author = "陕西移动"
    body = "<p>正文</p>"
    channels = factory.LazyFunction(lambda: ["wechat_official_account"])


class SmsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsTemplate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SMS{n:06d}")
    category = SmsTemplate.Category.REPLY
    text = "尊敬的客户,您当前话费余额为{balance}元,截至{date}。"
    parameters = factory.LazyFunction(
        lambda: [{"name": "balance", "type": "amount", "max_length": 10}, {"name": "date", "type": "date", "max_length": 10}]
    )


class AutoReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AutoReply

    kind = AutoReply.Kind.KEYWORD
    keyword = factory.Sequence(lambda n: f"关键词{n}")
    reply_type = AutoReply.ReplyType.TEXT
    reply_text = "您好,请点击菜单查询。"


class TemplateMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateMessage
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tm_{n:03d}")
    title = "账单提醒"
    fields = factory.LazyFunction(
        lambda: [{"key": "thing1", "label": "账单月份", "type": "thing"}, {"key": "amount2", "label": "消费金额", "type": "amount"}]
    )


def make_image(org=None, code=None, **kwargs):
    """A real (tiny) Wagtail image of the library, placed in its organisation's collection."""
    from wagtail.images.tests.utils import get_test_image_file

    from media.models import LibraryImage

    return LibraryImage.objects.create(
        title=kwargs.pop("title", code or "图片"),
        file=get_test_image_file(),
        description=kwargs.pop("description", "配图"),
        code=code,
        organisation=org,
        **kwargs,
    )
