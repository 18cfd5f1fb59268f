"""Push publishing: official accounts pointing at the WeChat emulator, a published
article with a cover and body images, and ``push`` to send an item to its channels."""

from content.models import Article, ChannelAccount
from content.services.accounts import set_secret
from publishing import services
from tests.support.content import committed
from tests.support.factories import ChannelAccountFactory
from tests.support.images import make_image

APP_SECRET = "emulator-app-secret"


def fast_jobs(settings, *, max_failures=8):
    """Short waits so retries and polls fit in a test; the logic is the production one."""
    settings.PUBLISHING_RETRY_BASE_SECONDS = 0.05
    settings.PUBLISHING_RETRY_CAP_SECONDS = 0.4
    settings.PUBLISHING_POLL_SECONDS = 0.2
    settings.PUBLISHING_MAX_FAILURES = max_failures
    settings.PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS = 30
    settings.WECHAT_RETRY_BASE_DELAY = 0.01
    settings.WECHAT_RETRY_CAP = 0.05
    settings.WECHAT_RETRY_MAX_ATTEMPTS = 3
    settings.WECHAT_HTTP_TIMEOUT = 5


def on_emulator(account, base_url, app_id=None):
    """``account`` as an enabled official account on the WeChat emulator, with its secret."""
    account.app_id = app_id or f"wx{account.code.replace('-', '')}app"
    account.api_base_url = base_url
    account.type = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
    account.enabled = True
    account.save()
    set_secret(account, "app_secret", APP_SECRET)
    return account


def matrix_on_emulator(matrix, base_url):
    """The matrix's own official accounts (province, both branches) on the emulator, by code."""
    accounts = [on_emulator(matrix[key], base_url) for key in ("account_province", "account_branch1", "account_branch2")]
    return {account.code: account for account in accounts}


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


def make_article(organisation, code="ART-001", title="五一流量包上线", images=(), channels=None):
    cover = make_image(organisation, title=f"{code}-cover", color=(30, 120, 200), format="JPEG")
    body = "<p>畅享5G,流量加倍。</p>"
    for image in images:
        body += f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="{image.title}"/>'
    article = Article.objects.create(
        code=code, title=title, author="省公司", digest="流量加倍", cover_image=cover, body=body,
        organisation=organisation, channels=channels or [ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT],
    )
    # Published without running on-commit work: the tests push it themselves.
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def push(item, **kwargs):
    """Push ``item`` to its channels (``publish_item``), running the on-commit work it schedules."""
    with committed():
        return services.publish_item(item, **kwargs)
