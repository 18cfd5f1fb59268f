"""Admin: the templates an SMS account's rules break. Saving an SMS account whose
signature, opt-out text or segment limit changed lands here when any template it
serves now breaks (the change is saved: ``content.services.sms_recheck``); the
account list links here too."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from content.models import ChannelAccount, SmsTemplate
from content.permissions import can_edit, scope_for_user, visible
from content.services.sms_recheck import broken_templates, rule_values, rules_changed

URL_NAME = "recheck_sms"


def recheck_url(account):
    return reverse(
        ChannelAccount.snippet_viewset.get_url_name(URL_NAME), args=[account.pk]
    )


def recheck_view(request, pk):
    # Another organisation's account is a 404, as everywhere under isolation.
    accounts = visible(
        ChannelAccount.objects.filter(type=ChannelAccount.Type.SMS),
        scope_for_user(request.user),
    )
    account = get_object_or_404(accounts.select_related("organisation"), pk=pk)
    templates = visible(SmsTemplate.objects.all(), scope_for_user(request.user))
    rows = [
        {
            "template": broken.template,
            "problems": broken.problems,
            "edit_url": reverse(
                SmsTemplate.snippet_viewset.get_url_name("edit"),
                args=[broken.template.pk],
            )
            if can_edit(request.user, broken.template)
            else "",
        }
        for broken in broken_templates(account, templates)
    ]
    title = _("短信模板复核")
    return TemplateResponse(
        request,
        "content/sms/recheck.html",
        {
            "account": account,
            "rows": rows,
            "header_icon": "warning",
            "page_title": title,
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {
                    "url": reverse(ChannelAccount.snippet_viewset.get_url_name("list")),
                    "label": _("渠道账号"),
                },
                {"url": "", "label": title},
            ],
        },
    )


def remember_rules(request, instance):
    """before_edit_snippet: the SMS rules as they were before this save."""
    if isinstance(instance, ChannelAccount):
        request._sms_rules_before = rule_values(instance)


def list_broken_after_save(request, instance):
    """after_edit_snippet: a changed rule that breaks served templates opens their list."""
    before = getattr(request, "_sms_rules_before", None)
    if (
        not isinstance(instance, ChannelAccount)
        or before is None
        or instance.type != ChannelAccount.Type.SMS
    ):
        return None
    if not rules_changed(before, instance):
        return None
    templates = visible(SmsTemplate.objects.all(), scope_for_user(request.user))
    broken = broken_templates(instance, templates)
    if not broken:
        return None
    messages.warning(
        request,
        _(
            "账号 %(account)s 的短信规则已保存;%(count)d 个短信模板不再符合新规则,请逐一修改。"
        )
        % {"account": instance.code, "count": len(broken)},
    )
    return redirect(recheck_url(instance))
