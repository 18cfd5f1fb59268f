"""Fixtures of the push-publishing tests: official accounts on the WeChat emulator
(over HTTP), a published article with images, a webhook receiver that verifies
signatures, and a real Celery worker process over Redis."""

import io
import os

import pytest
from django.core.files.images import ImageFile
from PIL import Image

from content.models import Article, ChannelAccount
from content.services.accounts import set_secret
from media.models import LibraryImage
from tests.factories import ChannelAccountFactory

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18800-18839")

from tests.wechat.conftest import _wechat_emulator_server, wechat_emulator  # noqa: E402,F401  (shared fixtures)

from .receiver import WebhookReceiver  # noqa: E402

APP_SECRET = "emulator-app-secret"


@pytest.fixture(autouse=True)
def fast_publishing(settings):
    """Short waits so retries and polls fit in a test; the logic is the production one."""
    settings.PUBLISHING_RETRY_BASE_SECONDS = 0.05
    settings.PUBLISHING_RETRY_CAP_SECONDS = 0.4
    settings.PUBLISHING_POLL_SECONDS = 0.2
    settings.PUBLISHING_MAX_FAILURES = 8
    settings.PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS = 30
    settings.WECHAT_RETRY_BASE_DELAY = 0.01
    settings.WECHAT_RETRY_CAP = 0.05
    settings.WECHAT_RETRY_MAX_ATTEMPTS = 3
    settings.WECHAT_HTTP_TIMEOUT = 5


def jpeg(width=1200, height=600, color=(200, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_image(title, color, organisation=None):
    data = jpeg(color=color)
    return LibraryImage.objects.create(
        title=title, organisation=organisation, file=ImageFile(io.BytesIO(data), name=f"{title}.jpg")
    )


def make_official_accounts(organisation, count, base_url, prefix="wx-pub"):
    accounts = []
    for n in range(count):
        account = ChannelAccountFactory(
            code=f"{prefix}-{n:02d}", organisation=organisation, app_id=f"wxpub{n:02d}{organisation.pk:08d}",
            type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, api_base_url=base_url,
        )
        set_secret(account, "app_secret", APP_SECRET)
        accounts.append(account)
    return accounts


@pytest.fixture
def official_accounts(matrix, wechat_emulator):  # noqa: F811  (the imported fixture)
    """Three official accounts of branch SX-01 pointing at the emulator (the matrix's
    own accounts are disabled so the targets are exactly these)."""
    ChannelAccount.objects.filter(code__in=["wx-sx", "wx-sx-01", "wx-sx-02"]).update(enabled=False)
    return make_official_accounts(matrix["branch1"], 3, wechat_emulator.base_url)


def make_article(organisation, code="ART-001", title="五一流量包上线", images=(), channels=None):
    cover = make_image(f"{code}-cover", (30, 120, 200), organisation)
    body = "<p>畅享5G,流量加倍。</p>"
    for image in images:
        body += f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="{image.title}"/>'
    article = Article.objects.create(
        code=code, title=title, author="省公司", digest="流量加倍", cover_image=cover, body=body,
        organisation=organisation, channels=channels or [ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT],
    )
    article.save_revision().publish()
    article.refresh_from_db()
    return article


@pytest.fixture
def body_images(matrix):
    branch = matrix["branch1"]
    return [make_image("body-a", (10, 200, 10), branch), make_image("body-b", (200, 200, 10), branch)]


@pytest.fixture
def article(matrix, body_images):
    return make_article(matrix["branch1"], images=body_images)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver(secret="whsec-test-secret")
    receiver.start()
    yield receiver
    receiver.stop()
