"""A branch editor walks every admin URL Wagtail and the project register, with the
ids of a sibling branch's records of every kind: each answers 403, 404 or a
redirect to the login or the dashboard, and no list, report, chooser or search
shows a sibling title or code. GET only.

Left out on purpose: ``logout/`` (ends the walk's session), ``editing-sessions/``
(pings write an editing-session row; POST-only anyway) and ``failwhale/`` (Wagtail's
deliberate 500 for testing error pages)."""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.support.api import make_api_client
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)
from tests.support.images import make_image
from tests.support.menus import make_menu
from tests.support.promotions import make_slot
from tests.support.users import make_editor

pytestmark = pytest.mark.probe

MARK = "BJSECRET"  # in every sibling record's code or title
SKIPPED = ("admin/logout/", "admin/editing-sessions/", "admin/failwhale/")
ALLOWED = {403, 404, 405}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def admin_routes():
    return sorted({r for r in _walk(get_resolver().url_patterns) if r.startswith("admin/") and not r.startswith(SKIPPED)})


@pytest.fixture
def sibling(matrix):
    """One record of every kind in the sibling branch SX-02."""
    from django.contrib.contenttypes.models import ContentType

    from content.models import Article
    from publishing.models import Delivery, Publication, PublishBatch, WebhookEndpoint

    org, account = matrix["branch2"], matrix["account_branch2"]
    article = ArticleFactory(code=f"{MARK}-ART", title=f"{MARK}图文", organisation=org, live=False)
    article.save_revision()
    batch = PublishBatch.objects.create(
        kind=PublishBatch.Kind.values[0], source_type=ContentType.objects.get_for_model(Article),
        source_id=str(article.pk), source_code=article.code, label=article.title,
    )
    publication = Publication.objects.create(batch=batch, account=account, channel=Publication.Channel.values[0])
    endpoint = WebhookEndpoint.objects.create(account=account, name=f"{MARK}端点", url="https://hooks.example.com/bj",
                                              secret="s3cret")
    client, _token = make_api_client(f"{MARK}客户端", org, [account])
    records = {
        "article": article,
        "package": PackageFactory(code=f"{MARK}-PKG", organisation=org),
        "business": BusinessFactory(code=f"{MARK}-BIZ", organisation=org),
        "smstemplate": SmsTemplateFactory(code=f"{MARK}-SMS", organisation=org),
        "autoreply": AutoReplyFactory(keyword=f"{MARK}词", account=account),
        "templatemessage": TemplateMessageFactory(code=f"{MARK}-TM", title=f"{MARK}模板", organisation=org),
        "menu": make_menu(account, [], code=f"{MARK}-menu", name=f"{MARK}菜单"),
        "promotionslot": make_slot(f"{MARK}-slot", org, published=False, title=f"{MARK}图营销位",
                                   entries=[{"target": "link", "link": "https://bj.example/", "title": f"{MARK}图活动"}]),
        "image": make_image(org, title=f"{MARK}图片"),
        "publishbatch": batch,
        "publication": publication,
        "webhookendpoint": endpoint,
        "delivery": Delivery.objects.create(endpoint=endpoint, publication=publication),
        "channelaccount": account,
        "organisation": org,
        "apiclient": client,
    }
    for record in records.values():
        if hasattr(record, "save_revision") and record is not article:
            record.save_revision()
    return records


# Which record a route's ids point at, by the route's prefix (first match wins).
KINDS = [
    (r"^admin/snippets/(?:choose/)?[a-z_]+/(?P<model>[a-z]+)/", None),
    (r"^admin/api/main/\^images/|^admin/images/", "image"),
    (r"^admin/menus/", "menu"),
    (r"^admin/publishing/batches/", "publishbatch"),
    (r"^admin/publishing/publications/", "publication"),
    (r"^admin/publishing/deliveries/", "delivery"),
    (r"^admin/publishing/accounts/", "channelaccount"),
    (r"^admin/api-clients/", "apiclient"),
    (r"^admin/(?:graphql-preview|renditions)/", "article"),
]
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def record_for(route, records):
    for pattern, kind in KINDS:
        match = re.match(pattern, route)
        if match:
            return records.get(kind or match.group("model"))
    return None


def fill(route, record):
    """The route with its parameters set to ``record``'s ids (others: plausible values)."""
    revision = getattr(record, "latest_revision_id", None) or 1

    def value(match):
        name = match.group("name") or match.group("rname")
        if name in ("kind",):
            return "article"
        if name in ("action", "action_name"):
            return "retry"
        if name == "filter_spec":
            return "original"
        if name in ("app_label", "app_name", "content_type_app_name"):
            return record._meta.app_label if record is not None else "content"
        if name in ("model_name", "content_type_model_name"):
            return record._meta.model_name if record is not None else "article"
        if name.startswith("revision_id"):
            return str(revision)
        if record is not None and name in ("pk", "object_id", "image_id", "number", "id"):
            return str(record.pk) if name != "number" else "1"
        return str(record.pk) if record is not None else "1"

    path = PARAM.sub(value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# What would betray a sibling record (the bare MARK is echoed back by search boxes).
SIBLING_TEXTS = [f"{MARK}-", f"{MARK}图", f"{MARK}词", f"{MARK}模板", f"{MARK}菜单", f"{MARK}端点", f"{MARK}客户端",
                 "宝鸡分公司", "wx-sx-02"]


def leaked(body):
    return [text for text in SIBLING_TEXTS if text in body]


def test_branch_editor_walks_every_admin_url_with_sibling_ids(matrix, sibling):
    # given a branch editor and a publisher of the same branch (both roles walk)
    users = [make_editor("walk-editor", matrix["branch1"]), make_editor("walk-publisher", matrix["branch1"], "发布审核")]
    problems = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route in admin_routes():
            record = record_for(route, sibling)
            if "<" in route or "(?P" in route:
                url = fill(route, record)
                response = client.get(url)
                status = response.status_code
                body = response.content.decode(errors="replace") if not response.streaming else ""
                refused = status in ALLOWED or (status == 302 and ("login" in response.url or response.url.rstrip("/").endswith("/admin")))
                if record is not None and not refused:
                    problems.append(f"{user.username} GET {url}: {status} (a sibling {type(record).__name__} id)")
                elif status >= 500 or leaked(body):
                    problems.append(f"{user.username} GET {url}: {status}{' leaks ' + str(leaked(body)) if leaked(body) else ''}")
            else:
                url = "/" + route
                for params in ({}, {"q": MARK}):
                    response = client.get(url, params)
                    body = response.content.decode(errors="replace") if not response.streaming else ""
                    if response.status_code >= 500 or leaked(body):
                        problems.append(f"{user.username} GET {url}?{'q=' + MARK if params else ''}: "
                                        f"{response.status_code} leaks {leaked(body)}")
    assert not problems, "\n".join(problems)


def test_chooser_search_as_branch_editor_answers_without_sibling_records(matrix, sibling, branch_editor):
    client = Client(raise_request_exception=False)
    client.force_login(branch_editor)
    problems = []
    for route in admin_routes():
        if "<" not in route and "(?P" not in route:
            response = client.get("/" + route, {"q": MARK})
            body = response.content.decode(errors="replace")
            if response.status_code >= 500 or leaked(body):
                problems.append(f"GET /{route}?q={MARK}: {response.status_code}")
    assert not problems, "\n".join(problems)
