"""Approving an item "without channel X": when a channel's blocking warnings refuse
an approval, the publisher may approve anyway and leave those channels out. The
choice is one log entry on the item, tied to the approved revision; publishing reads
it back when it pushes that revision (its accounts of those channels get nothing)
and records it on the batch."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from content.checks import blocking_checks
from content.models import ChannelAccount

ACTION = "content.approve_without_channels"
HINT = _("如确需批准,可在批准时勾选“不推送到这些渠道,仍然批准”:这些渠道不会收到本次发布。")


class ApproveForm(TaskStateCommentForm):
    without_channels = forms.MultipleChoiceField(
        label=_("不推送到这些渠道,仍然批准"),
        choices=ChannelAccount.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅在批准因该渠道的阻断性警告被拒绝时勾选:这些渠道的账号不会收到本次发布,此选择记入内容日志和发布批次。"),
    )


def refuse_blocked(item, without=()):
    """ValidationError listing the blocking checks of ``item`` on channels not left out."""
    problems = [warning for warning in blocking_checks(item) if getattr(warning, "channel", None) not in set(without)]
    if problems:
        raise ValidationError([str(problem) for problem in problems])


def record_left_out(item, revision, user, channels):
    """Log that ``revision`` of ``item`` was approved without ``channels``."""
    channels = sorted(set(channels))
    if channels:
        log(item, ACTION, user=user, revision=revision, data={"channels": channels,
                                                              "labels": [str(label_of(c)) for c in channels]})
    return channels


def left_out_channels(revision):
    """The channels the approval of ``revision`` left out (none when it was approved plainly)."""
    if revision is None:
        return []
    channels = set()
    for data in ModelLogEntry.objects.filter(action=ACTION, revision=revision).values_list("data", flat=True):
        channels.update(data.get("channels", []))
    return sorted(channels)


def label_of(channel):
    return ChannelAccount.Type(channel).label if channel in ChannelAccount.Type.values else channel
