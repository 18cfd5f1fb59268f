"""Fixtures of the release tests: a branch's package, article and SMS templates with
drafts, an SMS hall with a webhook endpoint on a real receiver, and a release."""

import os

import pytest

from content.models import ChannelAccount
from content.secrets import Secret
from publishing.models import WebhookEndpoint
from releases.models import Release
from tests.support.content import committed, publish
from tests.support.factories import (
    ArticleFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
)
from tests.support.images import make_image
from tests.support.publishing import fast_jobs, matrix_on_emulator

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18840-18859")

from tests.publishing.receiver import WebhookReceiver


@pytest.fixture(autouse=True)
def fast_publishing(settings):
    fast_jobs(settings)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver(secret="whsec-release-secret")
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def wechat_accounts(matrix, wechat_emulator):
    """The matrix's official accounts, enabled, on the WeChat emulator over HTTP."""
    return matrix_on_emulator(matrix, wechat_emulator.base_url)


@pytest.fixture
def sms_account(matrix):
    return ChannelAccountFactory(
        code="sms-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.SMS,
        app_id="",
        service_number="10086",
        signature="【中国移动】",
    )


@pytest.fixture
def sms_endpoint(sms_account, webhook_receiver):
    return WebhookEndpoint.objects.create(
        account=sms_account,
        name="短信网关",
        url=webhook_receiver.url,
        secret=Secret(webhook_receiver.secret),
    )


def edit_draft(item, **fields):
    """Save a draft revision with ``fields`` changed; the live row keeps what is live."""
    for name, value in fields.items():
        setattr(item, name, value)
    revision = item.save_revision()
    item.refresh_from_db()
    return revision


@pytest.fixture
def tariff(matrix, sms_account):
    """The tariff change of issue 18: a live package with a new fee in draft, a new
    article, a live SMS template with new text in draft and a new one."""
    branch = matrix["branch1"]
    package = PackageFactory(code="PKG-5G-58", organisation=branch, published=True)
    edit_draft(package, name="5G畅享套餐(新资费)")
    cover = make_image(
        branch, title="ART-5G-58-cover", color=(30, 120, 200), format="JPEG"
    )
    article = ArticleFactory(
        code="ART-5G-58",
        organisation=branch,
        live=False,
        title="5G畅享套餐新资费上线",
        cover_image=cover,
        digest="新资费",
    )
    article.save_revision()
    old = SmsTemplateFactory(code="SMS-5G-58", organisation=branch, published=True)
    edit_draft(
        old, text="尊敬的客户,5G畅享套餐新资费已生效,余额{balance}元,截至{date}。"
    )
    new = SmsTemplateFactory(code="SMS-5G-58-KT", organisation=branch, live=False)
    new.save_revision()
    return {
        "package": package,
        "article": article,
        "template": old,
        "new_template": new,
    }


def make_release(organisation, code="R-2026-05", title="五月资费调整", items=()):
    from releases import membership

    release = Release.objects.create(code=code, title=title, organisation=organisation)
    if items:
        membership.add(release, items)
    return release


@pytest.fixture
def release(matrix, tariff):
    return make_release(
        matrix["branch1"],
        items=[
            "package:PKG-5G-58",
            "article:ART-5G-58",
            "sms_template:SMS-5G-58",
            "sms_template:SMS-5G-58-KT",
        ],
    )


def go_live_now(release, user=None):
    from releases import golive

    with committed():
        golive.publish(release, user=user)
    return Release.objects.get(pk=release.pk)


__all__ = ["committed", "edit_draft", "go_live_now", "make_release", "publish"]
