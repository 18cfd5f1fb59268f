"""List columns shared by the content admin."""

from wagtail.admin.ui.tables import Column


class OrganisationColumn(Column):
    """The owning organisation's name (the list view selects it with the row)."""

    def get_value(self, instance):
        org = getattr(instance, self.name, None)
        return org.name if org is not None else ""
