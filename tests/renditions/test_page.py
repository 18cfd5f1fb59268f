"""A page of items rendered from the page's shared reads (renditions.page) gives the
same renditions as each item rendered on its own, on every channel."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Article, Package
from renditions.page import Page
from renditions.services import render

from .records import account, branch_article_without_web, every_channel_article, rows


def fresh(model, codes):
    """The items as a GraphQL page reads them (content.schema.loaders joins)."""
    joins = ("organisation__parent", "cover_image") if model is Article else ("organisation__parent",)
    return list(model.objects.filter(code__in=codes).select_related(*joins).order_by("code"))


def test_a_page_renders_each_item_as_it_renders_alone(sample):
    # given: articles of every organisation (shared ones, related packages, images, links) and packages
    article_codes = [r["code"] for r in rows(sample, "articles")[:12]]
    package_codes = [r["code"] for r in rows(sample, "packages")[:6]]
    for code in article_codes:
        sample.article(code)
    for code in package_codes:
        sample.package(code)
    accounts = sample.accounts()
    for model, codes in ((Article, article_codes), (Package, package_codes)):
        for channel_account in accounts:
            # when: rendered alone, then as one page
            alone = [render(item, channel_account) for item in fresh(model, codes)]
            items = fresh(model, codes)
            page = Page(items)
            paged = [render(item, page.account(channel_account.pk), page=page) for item in items]
            # then: the same renditions
            assert paged == alone, (model.__name__, channel_account.code)


def test_a_page_reads_what_its_renditions_read_once(sample):
    # given: two articles with images, related packages and links, then ten more
    few = [every_channel_article(sample)["code"], branch_article_without_web(sample)["code"]]
    many = few + [r["code"] for r in rows(sample, "articles") if r["code"] not in few][:10]
    for code in many:
        sample.article(code)
    wechat = account(sample, "wechat_official_account")
    for item in fresh(Article, many):
        render(item, wechat)  # the images' renditions are made on the first read

    def queries(codes):
        items = fresh(Article, codes)
        page = Page(items)
        with CaptureQueriesContext(connection) as captured:
            for item in items:
                render(item, page.account(wechat.pk), page=page)
        return len(captured.captured_queries)

    # when: rendered as a page of two and a page of twelve; then: the same queries
    assert queries(few) == queries(many)
