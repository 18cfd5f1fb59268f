"""List columns shared by the content admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from content.status import status_of


class OrganisationColumn(Column):
    """The owning organisation's name (the list view selects it with the row)."""

    def get_value(self, instance):
        org = getattr(instance, self.name, None)
        return org.name if org is not None else ""


class StatusColumn(Column):
    """草稿 / 审核中 / 已计划 (time) / 已发布 / … from ``content.status``; the list's
    queryset carries the status (``with_status``), so a row costs no query."""

    cell_template_name = "content/tables/status_cell.html"

    def __init__(self, name="status", **kwargs):
        kwargs.setdefault("label", _("状态"))
        super().__init__(name, **kwargs)

    def get_value(self, instance):
        return status_of(instance)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["status"] = context["value"]
        return context
