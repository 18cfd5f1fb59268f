"""The news group (图文组合) admin: an editor builds a group from their own and
shared-down articles in the order they set, never from a sibling branch's; a 9th
article and an empty group are refused with a message naming the field; the
preview shows the articles in message order."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from content.models import NewsGroup, NewsGroupEntry
from content.services.library import share_down
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def url(view, *args):
    return reverse(f"wagtailsnippets_content_newsgroup:{view}", args=args)


def form_data(organisation, articles, code="GRP-XA", entries=()):
    """The add/edit form: ``articles`` as new rows, in this order; ``entries`` (existing
    rows) are kept, or deleted when their article is not in ``articles``."""
    data = {"code": code, "title": "五一专题", "organisation": organisation.pk}
    rows = [(entry.pk, entry.article_id, entry.article_id not in {a.pk for a in articles}) for entry in entries]
    kept = {entry.article_id for entry in entries}
    rows += [("", article.pk, False) for article in articles if article.pk not in kept]
    data.update({"entries-TOTAL_FORMS": str(len(rows)), "entries-INITIAL_FORMS": str(len(entries)),
                 "entries-MIN_NUM_FORMS": "0", "entries-MAX_NUM_FORMS": "1000"})
    order = {article.pk: n for n, article in enumerate(articles, start=1)}
    for i, (pk, article_id, delete) in enumerate(rows):
        data.update({f"entries-{i}-id": pk, f"entries-{i}-article": article_id,
                     f"entries-{i}-ORDER": order.get(article_id, 99), f"entries-{i}-DELETE": "1" if delete else ""})
    return data


def errors_of(response):
    form = response.context["form"]
    out = [str(e) for e in form.non_field_errors()]
    for formset in form.formsets.values():
        out += [str(e) for row in formset.errors for errors in row.values() for e in errors]
    return out


def branch_articles(matrix, count):
    return [ArticleFactory(code=f"ART-XA-{n}", title=f"西安第{n}篇", organisation=matrix["branch1"])
            for n in range(1, count + 1)]


def test_editor_creates_a_group_in_the_order_they_set(client, matrix, branch_editor):
    first, _, third = branch_articles(matrix, 3)
    shared = ArticleFactory(code="ART-P", title="全省活动", organisation=matrix["province"])
    share_down(shared, [matrix["branch1"]])
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], [third, shared, first]))
    assert response.status_code == 302, errors_of(response)
    group = NewsGroup.objects.get(code="GRP-XA")
    assert [a.code for a in group.ordered_articles()] == ["ART-XA-3", "ART-P", "ART-XA-1"]
    assert group.organisation == matrix["branch1"]


def test_a_ninth_article_is_refused_naming_the_field(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], branch_articles(matrix, 9)))
    assert response.status_code == 200
    assert "图文组合 GRP-XA 的「图文」最多 8 篇,现有 9 篇" in errors_of(response)
    assert not NewsGroup.objects.exists()


def test_an_empty_group_is_refused(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], []))
    assert response.status_code == 200
    assert "图文组合 GRP-XA 的「图文」至少要有 1 篇" in errors_of(response)
    assert not NewsGroup.objects.exists()


def test_a_branch_editor_cannot_add_a_sibling_branchs_article(client, matrix, branch_editor):
    own = ArticleFactory(code="ART-XA-1", organisation=matrix["branch1"])
    sibling = ArticleFactory(code="ART-BJ-1", organisation=matrix["branch2"])
    client.force_login(branch_editor)
    # the article choice never offers it
    form = client.get(url("add")).context["form"]
    choices = form.formsets["entries"].empty_form.fields["article"].queryset
    assert own in choices and sibling not in choices
    # and a forged post is refused
    response = client.post(url("add"), form_data(matrix["branch1"], [own, sibling]))
    assert response.status_code == 200
    assert errors_of(response)
    assert not NewsGroup.objects.exists()


def test_a_province_group_cannot_hold_a_branch_article_it_does_not_own(client, matrix, province_editor):
    branch = ArticleFactory(code="ART-XA-1", organisation=matrix["branch1"])
    client.force_login(province_editor)
    response = client.post(url("add"), form_data(matrix["province"], [branch], code="GRP-SX"))
    assert "图文组合 GRP-SX 第 1 篇「图文」ART-XA-1 不属于本组织,也未下发给本组织" in errors_of(response)


def test_an_unpublished_article_is_refused(client, matrix, branch_editor):
    draft = ArticleFactory(code="ART-XA-D", organisation=matrix["branch1"], live=False)
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], [draft]))
    assert "图文组合 GRP-XA 第 1 篇「图文」ART-XA-D 尚未发布" in errors_of(response)


def test_editor_removes_an_article_and_a_sibling_never_sees_the_group(client, matrix, branch_editor, sibling_editor):
    articles = branch_articles(matrix, 3)
    group = NewsGroup.objects.create(code="GRP-XA", title="五一专题", organisation=matrix["branch1"])
    for n, article in enumerate(articles):
        NewsGroupEntry.objects.create(group=group, article=article, sort_order=n)
    client.force_login(branch_editor)
    entries = list(group.entries.order_by("sort_order"))
    response = client.post(url("edit", group.pk), form_data(matrix["branch1"], [articles[2], articles[0]],
                                                            entries=entries))
    assert response.status_code == 302, errors_of(response)
    draft = NewsGroup.objects.get(pk=group.pk).get_latest_revision_as_object()
    assert [a.code for a in draft.ordered_articles()] == ["ART-XA-3", "ART-XA-1"]
    client.force_login(sibling_editor)
    assert client.get(url("edit", group.pk)).status_code == 404
    assert "GRP-XA" not in client.get(url("list")).content.decode()


def test_the_preview_shows_the_articles_in_message_order(matrix, branch_editor):
    first, second = branch_articles(matrix, 2)
    group = NewsGroup.objects.create(code="GRP-XA", title="五一专题", organisation=matrix["branch1"])
    NewsGroupEntry.objects.create(group=group, article=second, sort_order=0)
    NewsGroupEntry.objects.create(group=group, article=first, sort_order=1)
    request = RequestFactory().get("/")
    request.user = branch_editor
    html = group.serve_preview(request, group.default_preview_mode).render().content.decode()
    assert html.index("西安第2篇") < html.index("西安第1篇")
    assert 'data-position="2"' in html and "共 2 篇" in html


def test_the_admin_preview_of_an_unsaved_group_follows_the_form_order(client, matrix, branch_editor):
    first, second = branch_articles(matrix, 2)
    client.force_login(branch_editor)
    answer = client.post(url("preview_on_add"), form_data(matrix["branch1"], [second, first]))
    assert answer.json()["is_valid"] is True
    html = client.get(url("preview_on_add")).content.decode()
    assert html.index("西安第2篇") < html.index("西安第1篇")
    assert "共 2 篇" in html
