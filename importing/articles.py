"""Articles of the material library: bodies sanitized and their inline images
resolved to the imported images, shared down to the branches the export names,
published, or scheduled when ``publish_at`` lies ahead."""

from functools import cached_property

from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from content.errors import RecordError
from content.models import Article, ChannelAccount, Organisation, Package
from content.services.catalogue import is_sold_by
from content.services.library import validate_article
from media.models import LibraryImage

from .editorial import EditorialList, value
from .richtext import import_body, wagtail_embeds

SCALARS = ("title", "author", "digest")


class ArticlesList(EditorialList):
    list_name = "articles"
    model = Article
    depends_on = ("organisations", "images", "packages")
    field_names = {
        "organisation": "org",
        "shared_to": "share_to",
        "body": "body_html",
        "go_live_at": "publish_at",
        "cover_image": "cover_image",
    }

    def read(self, record, errors):
        values = {"code": value(Article, "code", record.get("code"), "code", errors)}
        for name in SCALARS:
            values[name] = value(Article, name, record.get(name), name, errors)
        values["organisation_id"] = self.ctx.ref("organisations", record.get("org"), "org", errors)
        cover = record.get("cover_image")
        values["cover_image_id"] = self.ctx.ref("images", cover, "cover_image", errors) if cover else None
        channels = record.get("channels") or []
        if not isinstance(channels, list) or not set(channels) <= set(ChannelAccount.Type.values):
            errors.add("channels", _("渠道只能是 %(choices)s") % {"choices": ", ".join(ChannelAccount.Type.values)})
        values["channels"] = channels if isinstance(channels, list) else []
        body = record.get("body_html") or ""
        if not isinstance(body, str):
            errors.add("body_html", _("必须是文本"))
            body = ""
        values["body"] = import_body(body, lambda code: self.ctx.ref("images", code, "body_html", errors), "body_html",
                                     errors)
        values["go_live_at"] = self._publish_at(record.get("publish_at"), errors)
        m2m = {
            "shared_to": self.ctx.refs("organisations", record.get("share_to") or [], "share_to", errors),
            "related_packages": self._related_packages(record, values["organisation_id"], errors),
        }
        return values, m2m, {}

    def _related_packages(self, record, org_id, errors):
        """The related packages the article's organisation can sell (the one "on sale"
        rule, ``is_sold_by``); any other is left out with a warning naming the record
        and field: no rendition would show its card."""
        codes = record.get("related_packages") or []
        pks = self.ctx.refs("packages", codes, "related_packages", errors)
        if org_id is None or errors:
            return pks
        org, kept = self._organisations[org_id], []
        for pk in pks:
            package = self._packages.get(pk)
            if package is not None and is_sold_by(package, org):
                kept.append(pk)
                continue
            self.ctx.report.warn(RecordError(
                record=self.label(record), field="related_packages", list=self.list_name,
                message=_("%(org)s 及其下级组织都不销售套餐 %(package)s,已去掉此关联") % {"package": self._package_code(pk), "org": org.code},
            ))
        return kept

    def _package_code(self, pk):
        package = self._packages.get(pk)
        return package.code if package is not None else pk

    @cached_property
    def _packages(self):
        # The sale check walks up from each sale organisation (the tree is three deep).
        orgs = Organisation.objects.select_related("parent__parent")
        return (
            Package.objects.select_related("organisation__parent__parent")
            .prefetch_related(Prefetch("sale_orgs", queryset=orgs))
            .in_bulk()
        )

    @cached_property
    def _organisations(self):
        """Every organisation holding its parent: the sale check walks up the tree."""
        orgs = Organisation.objects.in_bulk()
        for org in orgs.values():
            org.parent = orgs.get(org.parent_id)
        return orgs

    @cached_property
    def _images(self):
        return LibraryImage.objects.select_related("organisation").in_bulk()

    def clean(self, obj):
        """The model's own validation (``clean()`` is ``validate_article``), given every
        image at once rather than looked up twice per article."""
        self.clean_with(obj, lambda article: validate_article(article, images=self._images))
        # validate_article sanitizes the body in place; keep embeds renderable.
        obj.body = wagtail_embeds(obj.body)

    def _publish_at(self, raw, errors):
        if raw in (None, ""):
            return None
        moment = parse_datetime(raw) if isinstance(raw, str) else None
        if moment is None or moment.tzinfo is None:
            errors.add("publish_at", _("须为带时区的 ISO 8601 时间,例如 2030-01-01T09:00:00+08:00"))
            return None
        return moment
