"""Admin: the test-send of a template-message definition to a test openid, from the
definition's page. The send goes through the sender API's own checks
(``notices.sending``) and is listed with the others (flagged 测试)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from content.models import ChannelAccount, TemplateMessage, TemplateMessageMapping
from content.permissions import can_edit, can_view, scope_for_user, visible

from .models import Send
from .sending import Request, SendRefused, accept


def _accounts(user, definition):
    """The definition's accounts the user may send from, with their template ids."""
    mapped = TemplateMessageMapping.objects.filter(definition=definition).values("account_id")
    accounts = ChannelAccount.objects.filter(pk__in=mapped, enabled=True).order_by("code")
    return list(visible(accounts, scope_for_user(user)))


def test_send(request, definition_id):
    # Another organisation's definition is a 404, as everywhere under isolation.
    definition = get_object_or_404(TemplateMessage, pk=definition_id)
    if not can_view(request.user, definition):
        raise Http404
    if not can_edit(request.user, definition):
        raise PermissionDenied
    accounts = _accounts(request.user, definition)
    fields = [f for f in definition.fields or [] if isinstance(f, dict) and f.get("key")]
    posted = request.POST if request.method == "POST" else {}
    problems, send = {}, None
    if request.method == "POST":
        asked = Request(
            definition=definition.code,
            account=posted.get("account", ""),
            openid=posted.get("openid", "").strip(),
            values={f["key"]: posted.get(f"value_{f['key']}", "") for f in fields},
            client_msg_id=f"test-{uuid.uuid4().hex}",
            url=posted.get("url", "").strip(),
        )
        try:
            send, _replayed = accept(
                asked,
                allowed_account_ids=[a.pk for a in accounts],
                caller=f"admin:{request.user.get_username()}",
                test=True,
            )
            send.refresh_from_db()
        except SendRefused as refused:
            for problem in refused.problems:
                problems.setdefault(problem.field, []).append(problem.message)
    rows = [
        {
            "key": f["key"],
            "label": f.get("label", ""),
            "type": f.get("type", ""),
            "value": posted.get(f"value_{f['key']}", ""),
            "errors": problems.get(f"values.{f['key']}", []),
        }
        for f in fields
    ]
    other = [
        m
        for name, messages in problems.items()
        if name not in {"account", "openid", "url"} | {f"values.{f['key']}" for f in fields}
        for m in messages
    ]
    edit_url = reverse(TemplateMessage.snippet_viewset.get_url_name("edit"), args=[definition.pk])
    return TemplateResponse(
        request,
        "notices/test_send.html",
        {
            "definition": definition,
            "accounts": accounts,
            "rows": rows,
            "problems": problems,
            "other": other,
            "send": send,
            "posted": posted,
            "sends_url": reverse(Send.snippet_viewset.get_url_name("list")),
            "header_icon": "mail",
            "page_title": _("测试发送:%(title)s") % {"title": definition.title},
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse(TemplateMessage.snippet_viewset.get_url_name("list")), "label": _("模板消息")},
                {"url": edit_url, "label": str(definition)},
                {"url": "", "label": _("测试发送")},
            ],
        },
    )
