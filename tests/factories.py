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
