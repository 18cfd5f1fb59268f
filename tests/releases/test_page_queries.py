"""The release page reads its items once, in bulk (releases.reading, issue #22): its
queries do not grow with the items, and what it shows is what Wagtail's revisions say."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from content.models import ChannelAccount
from releases import reading
from tests.support.factories import (
    ArticleFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
)
from tests.support.images import make_image

from .conftest import edit_draft, make_release

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def accounts(matrix, sms_account):
    """An SMS hall, a web hall and the official accounts: every renderer runs."""
    return ChannelAccountFactory(
        code="web-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.WEB,
        app_id="",
        base_url="https://sx01.example.cn/",
    )


def release_of(matrix, units, tag):
    """A release of ``units`` times a changed package, a new article naming it (cover,
    inline image, shared to the outlet; one title over WeChat's limit: a violation)
    and a changed SMS template."""
    branch, refs = matrix["branch1"], []
    for n in range(units):
        package = PackageFactory(code=f"PKG-{tag}-{n}", organisation=branch, published=True)
        edit_draft(package, name=f"套餐{tag}{n}(新资费)")
        cover = make_image(branch, title=f"{tag}-{n}-cover", color=(30, 120, 200), format="JPEG")
        inline = make_image(branch, title=f"{tag}-{n}-inline", color=(200, 120, 30), format="JPEG")
        article = ArticleFactory(
            code=f"ART-{tag}-{n}",
            organisation=branch,
            live=False,
            title=("超长标题" * 9) if n == 0 else f"新资费{tag}{n}",
            cover_image=cover,
            body=f'<p>正文</p><embed embedtype="image" id="{inline.pk}" format="fullwidth" alt=""/>',
            channels=[],
            related_packages=[package],
            shared_to=[matrix["outlet"]],
        )
        article.save_revision()
        template = SmsTemplateFactory(code=f"SMS-{tag}-{n}", organisation=branch, published=True)
        edit_draft(template, text=f"尊敬的客户,{tag}{n}新资费已生效,余额{{balance}}元,截至{{date}}。")
        refs += [f"package:{package.code}", f"article:{article.code}", f"sms_template:{template.code}"]
    return make_release(branch, code=f"R-{tag}", title=f"{tag} 上线", items=refs)


def page(client, release):
    url = f"/admin/releases/{release.pk}/"
    client.get(url)  # content types, permissions and templates cached, as on a warm server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_release_page_asks_as_many_queries_for_60_items_as_for_6(matrix, accounts, superuser):
    client = Client()
    client.force_login(superuser)
    small, small_html = page(client, release_of(matrix, 2, "S"))
    large, large_html = page(client, release_of(matrix, 20, "L"))
    for html, units, tag in ((small_html, 2, "S"), (large_html, 20, "L")):
        for n in range(units):
            assert f'data-change="package:PKG-{tag}-{n}"' in html
            assert f"套餐{tag}{n}(新资费)" in html  # the package's name change, as a field diff
            assert f'data-item="article:ART-{tag}-{n}"' in html
        assert f"article:ART-{tag}-0 · wechat_official_account" in html  # the long title blocks
        assert 'data-account="web-sx-01"' in html and 'data-account="sms-sx-01"' in html
    assert large == small


def test_the_drafts_read_in_bulk_are_wagtails_revisions(matrix, accounts):
    release = release_of(matrix, 2, "D")
    for release_item, (item, draft) in reading.drafts(reading.release_items(release)):
        expected = release_item.item().latest_revision.as_object()
        assert item.pk == expected.pk
        assert draft.serializable_data() == expected.serializable_data()
        for name in ("organisation", "cover_image"):
            if hasattr(expected, name):
                assert getattr(draft, name) == getattr(expected, name)
        for name in ("related_packages", "shared_to"):
            if hasattr(expected, name):
                assert list(getattr(draft, name).all()) == list(getattr(expected, name).all())
