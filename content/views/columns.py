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


class YesNoColumn(Column):
    """A yes/no field as 是 / 否 (a plain column would show Python's True / False)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return ""
        return "是" if value else "否"


def yes_no_columns(model, list_display):
    """``list_display`` with each boolean field of ``model`` (after the title) as a YesNoColumn."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    columns = []
    for i, entry in enumerate(list_display):
        if i and isinstance(entry, str):
            try:
                field = model._meta.get_field(entry)
            except FieldDoesNotExist:
                field = None
            if isinstance(field, models.BooleanField):
                entry = YesNoColumn(entry, label=field.verbose_name, sort_key=entry)
        columns.append(entry)
    return columns
