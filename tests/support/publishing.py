"""Push publishing: official accounts pointing at the WeChat emulator, a published
article with a cover and body images, and ``push`` to send an item to its channels."""

from content.models import Article, ChannelAccount
from content.services.accounts import set_secret
from publishing import services
from tests.support.content import committed
from tests.support.factories import ChannelAccountFactory
from tests.support.images import make_image

APP_SECRET = "emulator-app-secret"


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
