"""Image renditions: produced once per spec, stored with stable URLs, all images
of a body fetched in one query, and a second render touching no image code."""

import re

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from moto.server import ThreadedMotoServer

from content.models import Article, ChannelAccount
from media.models import LibraryImage, LibraryRendition
from renditions.services import render_all, render_many
from renditions.images import ALL_SPECS
from tests.support.trees import walk

from .records import account, every_channel_article, inline_images

S3_PORT = 18531


def _accounts(sample):
    return [account(sample, type_) for type_ in ("wechat_official_account", "wechat_miniprogram", "sms", "web")]


def _article(sample):
    """The export's article for every channel, with related packages and body images."""
    return every_channel_article(sample)["code"]


def _other_images(sample, count):
    """``count`` images of the export other than the article's cover."""
    cover = every_channel_article(sample)["cover_image"]
    codes = [code for code in sample.rows["images"] if code != cover][:count]
    assert len(codes) == count
    return codes


def _article_with_images(sample, code, image_codes):
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    article.pk = None
    article.id = None
    article.code = code
    article.body = "".join(
        f'<p>第{n}张</p><embed alt="图" embedtype="image" format="fullwidth" id="{sample.image(c).pk}"/>'
        for n, c in enumerate(image_codes)
    )
    article.save()
    article.related_packages.set([sample.package(row["related_packages"][0])])
    article.save()
    return Article.objects.get(pk=article.pk)


def refuse_image_code(monkeypatch):
    """From here on, fail the test if anything opens an image or generates a rendition."""

    def refuse(*args, **kwargs):
        pytest.fail("image code was touched")

    def refuse_creating(image, *filters):
        # Wagtail calls create_renditions() with nothing to create when all exist.
        if filters:
            pytest.fail(f"renditions generated again: {filters}")
        return {}

    for name in ("open_file", "generate_rendition_file", "create_rendition"):
        monkeypatch.setattr(LibraryImage, name, refuse)
    monkeypatch.setattr(LibraryImage, "create_renditions", refuse_creating)


def test_second_render_touches_no_image_code_and_reuses_the_same_urls(sample, monkeypatch):
    # given: a first render produced the renditions
    accounts = _accounts(sample)
    first = render_all(sample.article(_article(sample)), accounts)
    created = LibraryRendition.objects.count()
    refuse_image_code(monkeypatch)
    # when
    second = render_all(Article.objects.get(code=_article(sample)), accounts)
    # then
    assert LibraryRendition.objects.count() == created
    for a, b in zip(first, second):
        assert (a.html, a.nodes, a.cover, a.images) == (b.html, b.nodes, b.cover, b.images)


def test_each_spec_is_produced_once_per_image(sample):
    # given
    accounts = _accounts(sample)
    # when
    render_all(sample.article(_article(sample)), accounts)
    render_all(Article.objects.get(code=_article(sample)), accounts)
    # then
    specs = list(LibraryRendition.objects.values_list("image_id", "filter_spec"))
    assert len(specs) == len(set(specs))
    cover = sample.article(_article(sample)).cover_image_id
    assert {s for i, s in specs if i == cover} == set(ALL_SPECS) - {"width-1080|format-jpeg|jpegquality-85"}


def test_rendering_all_channels_takes_the_same_queries_for_one_or_five_body_images(
    sample, django_assert_num_queries
):
    # given: renditions exist
    accounts = _accounts(sample)
    images = _other_images(sample, 5)
    one = _article_with_images(sample, "ARTONE", images[:1])
    five = _article_with_images(sample, "ARTFIVE", images)
    render_all(one, accounts), render_all(five, accounts)
    one, five = Article.objects.get(pk=one.pk), Article.objects.get(pk=five.pk)
    # when / then: images (1) + their renditions (1) + related packages (1), and what the
    # "can sell" check reads: their sale organisations, their owners, the article's organisation (3)
    with django_assert_num_queries(6):
        renditions = render_all(one, accounts)
    with django_assert_num_queries(6):
        renditions_five = render_all(five, accounts)
    assert len(renditions[0].images) == 2 and len(renditions_five[0].images) == 6


def test_sms_rendition_of_an_article_runs_no_image_query(sample, django_assert_num_queries):
    accounts = [account(sample, "sms")]
    article = Article.objects.get(pk=sample.article(_article(sample)).pk)
    with django_assert_num_queries(0):
        render_all(article, accounts)


def test_rendition_files_are_in_the_configured_storage_at_stable_urls(sample):
    # when
    renditions = render_all(sample.article(_article(sample)), _accounts(sample))
    # then
    for rendition in LibraryRendition.objects.all():
        assert default_storage.exists(rendition.file.name)
    web = renditions[3]
    urls = re.findall(r'src="([^"]+)"', web.html)
    assert urls and all(u.startswith("http://localhost:8000/media/images/") for u in urls)


def test_prepare_renditions_command_produces_every_spec_once(sample):
    # given
    images = [sample.image(code) for code in list(sample.rows["images"])[:2]]
    # when
    call_command("prepare_renditions", verbosity=0)
    call_command("prepare_renditions", verbosity=0)
    # then
    for image in images:
        assert sorted(image.renditions.values_list("filter_spec", flat=True)) == sorted(ALL_SPECS)


@pytest.fixture
def s3_storage(settings):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{S3_PORT}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket="cms-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "cms-media",
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "custom_domain": "media.example.cn/cms-media",
                "url_protocol": "https:",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


@pytest.mark.integration
def test_renditions_are_stored_once_in_s3_with_stable_https_urls(sample, s3_storage, monkeypatch):
    # given
    accounts = [account(sample, "wechat_miniprogram"), account(sample, "web")]
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    # when
    miniprogram, web = render_all(article, accounts)
    keys = {o["Key"] for o in s3_storage.list_objects_v2(Bucket="cms-media")["Contents"]}
    refuse_image_code(monkeypatch)
    again = render_all(Article.objects.get(pk=article.pk), accounts)
    # then
    for rendition in LibraryRendition.objects.all():
        assert rendition.file.name in keys
        assert rendition.url == f"https://media.example.cn/cms-media/{rendition.file.name}"
    srcs = [n["attrs"]["src"] for n in walk(miniprogram.nodes) if n.get("name") == "img"]
    assert len(srcs) == len(inline_images(row))
    for src in srcs:
        assert src.startswith("https://media.example.cn/cms-media/images/") and "width-750" in src
    assert not any(w.code == "images_not_https" for w in miniprogram.warnings)
    assert (again[0].nodes, again[1].html) == (miniprogram.nodes, web.html)
    assert {o["Key"] for o in s3_storage.list_objects_v2(Bucket="cms-media")["Contents"]} == keys


def test_unsaved_accounts_render_without_queries_for_web(sample):
    web = ChannelAccount(code="web-new", type="web", base_url="https://shop.example.cn")
    code = _article(sample)
    (rendition,) = render_all(sample.article(code), [web])
    assert rendition.meta["url"] == f"https://shop.example.cn/articles/{code}"


def test_render_many_loads_images_and_packages_of_a_batch_in_constant_queries(sample, django_assert_num_queries):
    # given: ten sample articles whose renditions exist
    accounts = _accounts(sample)
    codes = [code for code in sample.rows["articles"] if code.startswith("ART")][:10]
    for code in codes:
        render_all(sample.article(code), accounts)
    articles = list(Article.objects.filter(code__in=codes).order_by("code"))
    # when / then: related packages (1) + images (1) + their renditions (1) for the whole batch,
    # and the packages' sale organisations, their owners, the articles' organisations (3)
    with django_assert_num_queries(6):
        results = list(render_many(articles, accounts))
    assert [item.code for item, _ in results] == sorted(codes)
    singly = [render_all(Article.objects.get(pk=a.pk), accounts) for a in articles]
    for (_, batch), alone in zip(results, singly):
        assert [(r.html, r.nodes, r.text, r.images) for r in batch] == [(r.html, r.nodes, r.text, r.images) for r in alone]


def test_an_image_whose_file_is_gone_is_left_out_with_warnings_not_an_error(sample):
    # given: a body image's original file was lost before any rendition was made
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    body_image = sample.image(inline_images(row)[0])
    default_storage.delete(body_image.file.name)
    accounts = _accounts(sample)
    # when
    wechat, miniprogram, sms, web = render_all(article, accounts)
    # then
    assert body_image.pk not in wechat.images and "cms-image://%d" % body_image.pk not in wechat.html
    assert any(w.code == "images_removed" and not w.blocking for w in wechat.warnings)
    assert any(w.code == "images_removed" for w in miniprogram.warnings)
    assert any(w.code == "image_unreadable" for w in web.warnings)
    assert not wechat.blocking and not web.blocking
