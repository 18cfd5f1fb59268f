"""List columns shared by the content admin."""

from wagtail.admin.ui.tables import Column


class OrganisationColumn(Column):
    """The owning organisation's name (the list view selects it with the row)."""

    def get_value(self, instance):
        org = getattr(instance, self.name, None)
        return org.name if org is not None else ""


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
