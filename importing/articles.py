"""Articles of the material library: bodies sanitized and their inline images
resolved to the imported images, shared down to the branches the export names,
published, or scheduled when ``publish_at`` lies ahead."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from content.models import Article, ChannelAccount

from .editorial import EditorialList, value
from .richtext import image_codes, to_wagtail_html, wagtail_embeds

SCALARS = ("title", "author", "digest")


class ArticlesList(EditorialList):
    list_name = "articles"
    model = Article
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
        image_ids = {code: self.ctx.ref("images", code, "body_html", errors) for code in image_codes(body)}
        values["body"] = to_wagtail_html(body, image_ids, "body_html", errors)
        values["go_live_at"] = self._publish_at(record.get("publish_at"), errors)
        m2m = {
            "shared_to": self.ctx.refs("organisations", record.get("share_to") or [], "share_to", errors),
            "related_packages": self.ctx.refs("packages", record.get("related_packages") or [], "related_packages", errors),
        }
        return values, m2m, {}

    def clean(self, obj):
        super().clean(obj)
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
