"""Shared fixtures: the organisation matrix and users of each role."""

import pytest
from django.contrib.auth.models import Group

from content import roles
from content.models import Brand, EditorProfile
from tests.factories import ChannelAccountFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _jobs_in_process(monkeypatch):
    """Eager jobs run in the test process in due order (tests/jobs_in_process.py)."""
    from publishing.services import dispatch
    from tests import jobs_in_process

    monkeypatch.setattr(dispatch, "send_many", jobs_in_process.send_many)


@pytest.fixture
def matrix(db):
    """Province SX with branches SX-01 (one outlet) and SX-02, brands, an account each."""
    province = OrganisationFactory(code="SX", name="陕西省公司", level="province", parent=None)
    branch1 = OrganisationFactory(code="SX-01", name="西安分公司", level="branch", parent=province)
    branch2 = OrganisationFactory(code="SX-02", name="宝鸡分公司", level="branch", parent=province)
    outlet = OrganisationFactory(code="SX-01-01", name="钟楼营业厅", level="outlet", parent=branch1)
    for code, name in [("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行")]:
        Brand.objects.get_or_create(code=code, defaults={"name": name})
    return {
        "province": province,
        "branch1": branch1,
        "branch2": branch2,
        "outlet": outlet,
        "account_province": ChannelAccountFactory(code="wx-sx", organisation=province),
        "account_branch1": ChannelAccountFactory(code="wx-sx-01", organisation=branch1),
        "account_branch2": ChannelAccountFactory(code="wx-sx-02", organisation=branch2),
    }


def make_editor(username, org, group=roles.EDITORS):
    roles.sync_role_groups()
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    EditorProfile.objects.create(user=user, organisation=org)
    return user


@pytest.fixture
def branch_editor(matrix):
    return make_editor("editor-sx01", matrix["branch1"])


@pytest.fixture
def branch_publisher(matrix):
    return make_editor("publisher-sx01", matrix["branch1"], roles.PUBLISHERS)


@pytest.fixture
def sibling_editor(matrix):
    return make_editor("editor-sx02", matrix["branch2"])


@pytest.fixture
def province_editor(matrix):
    return make_editor("editor-sx", matrix["province"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- Browser tests: Playwright driving Debian's chromium --------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def admin_page(chromium, live_server):
    """A fresh browser page; ``login(page, username)`` signs a user in through the admin form."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def admin_login(page, username, password="pw"):
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")
