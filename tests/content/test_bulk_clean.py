"""``content.bulk_clean``: full_clean of many objects says what each object's own
full_clean says (the release page checks every item of a release through it), with
its lookups read once per field instead of once per object."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from content import bulk_clean
from content.models import Article
from tests.support.factories import ArticleFactory

pytestmark = [pytest.mark.django_db]


def messages(clean):
    try:
        clean()
    except ValidationError as exc:
        return list(exc.message_dict.items())
    return []


def test_full_clean_of_many_says_what_full_clean_says(matrix):
    branch = matrix["branch1"]
    ArticleFactory(code="ART-A", organisation=branch)
    fine = ArticleFactory(code="ART-B", organisation=branch)
    clashing = Article.objects.get(pk=fine.pk)
    clashing.code, clashing.cover_image_id = "ART-A", 999_999  # taken code, missing image
    new = Article(code="ART-A", title=" ", organisation=branch, body="<p>x</p>")
    objs = [Article.objects.get(pk=fine.pk), clashing, new]
    known = bulk_clean.known_rows(objs)
    expected = [messages(obj.full_clean) for obj in objs]
    assert expected[0] == [] and expected[1] and expected[2]
    assert [messages(lambda obj=obj: bulk_clean.full_clean(obj, known)) for obj in objs] == expected


def test_its_lookups_are_read_once_for_all_the_objects(matrix):
    articles = [ArticleFactory(code=f"ART-{n}", organisation=matrix["branch1"]) for n in range(12)]

    def queries(objs):
        known = bulk_clean.known_rows(objs)
        with CaptureQueriesContext(connection) as captured:
            for obj in objs:
                assert messages(lambda obj=obj: bulk_clean.full_clean(obj, known)) == []
        return len(captured.captured_queries)

    # What the article rule (clean) reads, loaded once, as the release page does.
    prefetch_related_objects(articles, "shared_to")
    for article in articles:
        article.organisation = matrix["branch1"]
    assert queries(articles) == queries(articles[:2])
