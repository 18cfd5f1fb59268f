"""Fixtures of the push-publishing tests: official accounts on the WeChat emulator
(over HTTP), a published article with images, a webhook receiver that verifies
signatures, and a real Celery worker process over Redis."""

import os

import pytest

from content.models import ChannelAccount
from tests.support.images import make_image
from tests.support.publishing import fast_jobs, make_article, make_official_accounts, matrix_on_emulator

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18800-18839")

from .receiver import WebhookReceiver  # noqa: E402


@pytest.fixture(autouse=True)
def fast_publishing(settings):
    fast_jobs(settings)


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
    return matrix_on_emulator(matrix, wechat_emulator.base_url)


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
