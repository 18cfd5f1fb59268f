"""Fixtures of the push-publishing tests: official accounts on the WeChat emulator
(over HTTP), a published article with images, a webhook receiver that verifies
signatures, and a real Celery worker process over Redis."""

import os

import pytest

from content.models import ChannelAccount
from content.services.accounts import set_secret
from tests.support.images import make_image
from tests.support.publishing import APP_SECRET, make_article, make_official_accounts

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18800-18839")

from .receiver import WebhookReceiver  # noqa: E402


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


@pytest.fixture
def official_accounts(matrix, wechat_emulator):
    """Three official accounts of branch SX-01 pointing at the emulator (the matrix's
    own accounts are disabled so the targets are exactly these)."""
    ChannelAccount.objects.filter(code__in=["wx-sx", "wx-sx-01", "wx-sx-02"]).update(enabled=False)
    return make_official_accounts(matrix["branch1"], 3, wechat_emulator.base_url)


@pytest.fixture
def matrix_accounts(matrix, wechat_emulator):
    """The matrix's own official accounts (province, both branches), enabled, on the emulator
    (the other official-account fixtures add accounts of their own and leave these off)."""
    accounts = {}
    for key in ("account_province", "account_branch1", "account_branch2"):
        account = matrix[key]
        account.app_id = f"wx{account.code.replace('-', '')}app"
        account.api_base_url = wechat_emulator.base_url
        account.type = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
        account.enabled = True
        account.save()
        set_secret(account, "app_secret", APP_SECRET)
        accounts[account.code] = account
    return accounts


@pytest.fixture
def body_images(matrix):
    branch = matrix["branch1"]
    return [make_image(branch, title="body-a", color=(10, 200, 10), format="JPEG"),
            make_image(branch, title="body-b", color=(200, 200, 10), format="JPEG")]


@pytest.fixture
def article(matrix, body_images):
    return make_article(matrix["branch1"], images=body_images)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver(secret="whsec-test-secret")
    receiver.start()
    yield receiver
    receiver.stop()
