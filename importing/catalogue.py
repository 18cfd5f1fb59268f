"""Tariff packages and value-added businesses.

The export says where an offer is sold (``orgs``), not who owns it: the owner is
the province when it sells the offer or it is sold across several branches, else
that single branch (``ownership.catalogue_owner``)."""

from collections import defaultdict
from functools import cached_property

from django.utils.translation import gettext as _

from content.models import Business, Package
from content.services.catalogue import check_channels, validate_business, validate_package
from content.services.offer_commands import CommandOwners
from content.services.html import sanitize_html

from .editorial import EditorialList, value
from .ownership import catalogue_owner

PACKAGE_SCALARS = (
    "name", "family", "monthly_fee", "data_mb", "voice_minutes", "sms_count", "contract_months",
    "order_command", "cancel_command", "valid_from", "valid_to",
)
BUSINESS_SCALARS = ("kind", "name", "monthly_fee", "order_command", "cancel_command")


class CatalogueList(EditorialList):
    scalars = ()
    depends_on = ("organisations", "brands")
    field_names = {"organisation": "orgs", "sale_orgs": "orgs", "description": "description_html"}

    def read(self, record, errors):
        values = {"code": value(self.model, "code", record.get("code"), "code", errors)}
        for name in self.scalars:
            values[name] = value(self.model, name, record.get(name), name, errors)
        values["channels"] = record.get("channels") or []
        channel_errors = defaultdict(list)
        check_channels(channel_errors, values["channels"])
        for message in channel_errors["channels"]:
            errors.add("channels", message)
        values["description"] = sanitize_html(value(self.model, "description", record.get("description_html"),
                                                    "description_html", errors) or "")
        sale_codes = record.get("orgs") or []
        sale_orgs = self.ctx.refs("organisations", sale_codes, "orgs", errors)
        brands = self.ctx.refs("brands", record.get("brands") or [], "brands", errors)
        values["organisation_id"] = None
        if not errors:
            tree = self.ctx.facts["organisations"]
            owner = catalogue_owner(
                sale_codes, {c: f["parent"] for c, f in tree.items()}, {c: f["level"] for c, f in tree.items()}
            )
            if owner is None:
                errors.add("orgs", _("无法从销售范围确定所属组织"))
            else:
                values["organisation_id"] = self.ctx.ref("organisations", owner, "orgs", errors)
        return values, {"brands": brands, "sale_orgs": sale_orgs}, {}


    @cached_property
    def _command_owners(self):
        return CommandOwners()

    def clean(self, obj):
        """The model's own validation (``clean()`` is the offer's validator), its command
        clash check answered from the commands read once."""
        self.clean_with(obj, lambda offer: self.validator(offer, self._command_owners))


class PackagesList(CatalogueList):
    list_name = "packages"
    model = Package
    scalars = PACKAGE_SCALARS
    validator = staticmethod(validate_package)

    def read(self, record, errors):
        values, m2m, extra = super().read(record, errors)
        highlights = record.get("highlights") or []
        if not isinstance(highlights, list) or not all(isinstance(h, str) for h in highlights):
            errors.add("highlights", _("必须是文本的列表"))
        values["highlights"] = highlights
        return values, m2m, extra


class BusinessesList(CatalogueList):
    list_name = "businesses"
    model = Business
    scalars = BUSINESS_SCALARS
    validator = staticmethod(validate_business)
