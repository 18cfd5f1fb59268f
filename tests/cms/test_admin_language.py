"""Every admin page of the project's models, as each role, speaks Chinese: no known
English text is visible (text nodes only; attributes and scripts are not read here)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import NoReverseMatch, reverse
from wagtail.snippets.models import get_snippet_models

from content import roles
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsAccountFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
    UserFactory,
)
from tests.support.menus import make_menu
from tests.support.users import make_editor

pytestmark = pytest.mark.django_db

ENGLISH = ["Welcome to your new Wagtail site", "Moderators", "Editors", "Save draft", "Publish", "Submit",
           "Dashboard", "Search", "True", "False", "Add", "Edit", "Delete", "Status", "Live", "Draft", "Locked",
           "Unlock", "Schedule", "Workflow"]
ENGLISH_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![A-Za-z])")
FIELD_PREFIX_RE = re.compile(r"^[a-z_]+: ")  # a validation message prefixed with a field name


class VisibleText(HTMLParser):
    """Text nodes outside <script> and <style>."""

    SKIPPED = frozenset({"script", "style"})

    def __init__(self):
        super().__init__()
        self.texts = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipping:
            self.texts.append(text)


def english_in(html):
    parser = VisibleText()
    parser.feed(html)
    return sorted({text for text in parser.texts if ENGLISH_RE.search(text) or FIELD_PREFIX_RE.match(text)})


@pytest.fixture
def records(matrix):
    """One record of each kind in the branch SX-01 (every role below may edit it)."""
    org, account = matrix["branch1"], matrix["account_branch1"]
    sms = SmsAccountFactory(code="sms-sx-01", organisation=org)
    in_review = ArticleFactory(organisation=org, live=False)
    in_review.save_revision()
    in_review.get_default_workflow().start(in_review, make_editor("editor-submitter", org))
    return [
        in_review,
        PackageFactory(organisation=org, published=True),
        BusinessFactory(organisation=org),
        SmsTemplateFactory(organisation=org),
        AutoReplyFactory(account=account),
        TemplateMessageFactory(organisation=org),
        make_menu(sms, [], name="短信菜单"),
        sms,
    ]


ROLES = {
    "province publisher": lambda m: make_editor("publisher-sx", m["province"], roles.PUBLISHERS),
    "branch editor": lambda m: make_editor("editor-sx01", m["branch1"]),
    "superuser": lambda m: UserFactory(username="root", is_superuser=True, is_staff=True),
}
SUPERUSER_PAGES = ["/admin/groups/", "/admin/workflows/list/", "/admin/workflows/tasks/index/", "/admin/pages/",
                   "/admin/users/", "/admin/reports/locked/", "/admin/reports/aging-pages/"]


def admin_pages(user):
    urls = ["/admin/", reverse("cms_search") + "?q=图文", reverse("publishing:dashboard"),
            "/admin/reports/site-history/", "/admin/reports/workflow/", "/admin/reports/workflow_tasks/",
            reverse("menus_admin:simulator"), *(SUPERUSER_PAGES if user.is_superuser else [])]
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        if model._meta.app_label not in {"content", "menus", "cms", "publishing", "wechat_callback", "media"}:
            continue
        for name in ("list", "add"):
            try:
                urls.append(reverse(viewset.get_url_name(name)))
            except NoReverseMatch:
                pass
        queryset = viewset.get_queryset(_Request(user))
        obj = (queryset if queryset is not None else model._default_manager.all()).first()
        if obj is not None:
            try:
                urls.append(reverse(viewset.get_url_name("edit"), args=[obj.pk]))
            except NoReverseMatch:
                pass
    return urls


class _Request:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize("role", list(ROLES))
def test_every_admin_page_of_the_projects_models_is_in_chinese(client, matrix, records, role):
    user = ROLES[role](matrix)
    client.force_login(user)
    found, shown = {}, 0
    for url in admin_pages(user):
        response = client.get(url)
        if response.status_code != 200:
            continue
        shown += 1
        english = english_in(response.content.decode())
        if english:
            found[url] = english
    assert shown > 20
    assert found == {}


def test_a_publisher_approves_and_publishes_in_one_chinese_phrase(client, matrix, records):
    # given an article in review, opened by a publisher of its organisation
    publisher = ROLES["province publisher"](matrix)
    client.force_login(publisher)
    html = client.get(reverse("wagtailsnippets_content_article:edit", args=[records[0].pk])).content.decode()
    # then the action reads 批准并发布 (Wagtail's catalog has "批准 和发布")
    assert "批准并发布" in html and "批准 和发布" not in html


def test_wagtails_starting_groups_workflow_and_page_are_named_in_chinese(db):
    from django.contrib.auth.models import Group
    from wagtail.models import Page, Task, Workflow

    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()
    assert Group.objects.filter(name="页面审核员(Wagtail 默认)").exists()
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()


def test_visible_text_leaves_out_attributes_and_scripts():
    html = '<p title="Edit">编辑</p><script>var a = "Delete";</script><span class="w-sr-only">True</span>'
    assert english_in(html) == ["True"]


def test_no_page_tree_is_offered_the_project_keeps_no_pages(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "PageExplorerMenuItem" not in html  # the sidebar's page explorer
    assert "/admin/pages/search/" not in html  # page search area
