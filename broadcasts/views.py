"""The 预览与发送 page of a broadcast: previews to test followers, each account's
quota and tag before sending, the send (after approval), each account's status and
counts, and the deletion of the sent message. Outside the user's organisations is
a 404, a missing permission a 403; every action only queues a job."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.permissions import policy_registry

from content.models import ChannelAccount
from content.permissions import can_view

from .models import Broadcast, State
from .services import rules, sending


class PreviewForm(forms.Form):
    account = forms.ModelChoiceField(label=_("公众号"), queryset=None, empty_label=None)
    touser = forms.CharField(label=_("测试粉丝 OpenID"), max_length=64, required=False)
    towxname = forms.CharField(label=_("或测试微信号"), max_length=64, required=False)

    def __init__(self, *args, broadcast, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest revision's accounts (a revision holds them in memory, not as a queryset).
        chosen = [
            a.pk for a in broadcast.get_latest_revision_as_object().accounts.all()
        ]
        self.fields["account"].queryset = ChannelAccount.objects.filter(
            pk__in=chosen
        ).order_by("code")


def broadcast_for(request, pk, action="view"):
    broadcast = Broadcast.objects.filter(pk=pk).first()
    if broadcast is None or not can_view(request.user, broadcast):
        raise Http404
    if not policy_registry.get_by_type(Broadcast).user_has_permission_for_instance(
        request.user, action, broadcast
    ):
        raise PermissionDenied
    return broadcast


def _may_change(user, broadcast):
    return policy_registry.get_by_type(Broadcast).user_has_permission_for_instance(
        user, "change", broadcast
    )


def send_page(request, pk):
    broadcast = broadcast_for(request, pk)
    problems, plan = sending.send_plan(broadcast)
    digest = rules.content_hash(broadcast.get_latest_revision_as_object())
    return TemplateResponse(
        request,
        "broadcasts/send.html",
        {
            "broadcast": broadcast,
            "preview_form": PreviewForm(broadcast=broadcast),
            "previews": broadcast.previews.select_related("account").order_by("-id")[
                :20
            ],
            "current_digest": digest,
            "plan": plan,
            "problems": problems,
            "sends": broadcast.sends.select_related("account").order_by(
                "account__code"
            ),
            "can_change": _may_change(request.user, broadcast),
            "can_delete": broadcast.sends.filter(
                state__in=(State.SUBMITTED, State.SENT)
            )
            .exclude(msg_id="")
            .exists(),
            "edit_url": reverse(
                "wagtailsnippets_broadcasts_broadcast:edit", args=[broadcast.pk]
            ),
            "page_title": _("预览与发送:%(title)s") % {"title": broadcast.title},
            "header_icon": "mail",
        },
    )


def _report(request, error):
    for message in error.messages[:20]:
        messages.error(request, message)


@require_POST
def preview(request, pk):
    broadcast = broadcast_for(request, pk, "change")
    form = PreviewForm(request.POST, broadcast=broadcast)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("broadcasts_admin:send", pk=broadcast.pk)
    try:
        sending.request_preview(
            broadcast,
            form.cleaned_data["account"],
            touser=form.cleaned_data["touser"],
            towxname=form.cleaned_data["towxname"],
            user=request.user,
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("预览已排队,稍后刷新查看结果"))
    return redirect("broadcasts_admin:send", pk=broadcast.pk)


@require_POST
def send(request, pk):
    broadcast = broadcast_for(request, pk, "change")
    try:
        sends = sending.start_send(broadcast, request.user)
    except ValidationError as error:
        messages.error(request, _("未发送:"))
        _report(request, error)
    else:
        messages.success(request, _("已排队群发到 %(n)s 个公众号") % {"n": len(sends)})
    return redirect("broadcasts_admin:send", pk=broadcast.pk)


@require_POST
def delete_sent(request, pk):
    broadcast = broadcast_for(request, pk, "change")
    try:
        sends = sending.request_delete(broadcast, request.user)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request, _("已排队删除 %(n)s 个公众号上的群发消息") % {"n": len(sends)}
        )
    return redirect("broadcasts_admin:send", pk=broadcast.pk)
