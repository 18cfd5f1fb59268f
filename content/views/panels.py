"""Edit-page panels every editorial model shares: its status (content.status) and
the channel checks of the saved version (content.checks)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import HelpPanel

from content.checks import item_checks
from content.status import status_of


class StatusPanel(HelpPanel):
    """草稿 / 审核中 / 已计划 with the time and its time zone / 已发布 / …, as in the list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "content/panels/status.html")
        kwargs.setdefault("heading", _("状态"))
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def is_shown(self):
            return bool(self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["status"] = status_of(self.instance)
            return context


class ChecksPanel(HelpPanel):
    """The channel limit checks of the saved version, before anyone approves it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "content/panels/checks.html")
        kwargs.setdefault("heading", _("渠道检查"))
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def is_shown(self):
            return bool(self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            checks = item_checks(self.instance)
            context["checks"] = checks
            context["blocking"] = sum(1 for warning in checks if warning.blocking)
            return context
