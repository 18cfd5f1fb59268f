"""Cross-channel preview in the admin: one item in all its renditions side by
side, with the warnings next to each, before an editor publishes."""

from dataclasses import dataclass, field
from html import escape

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from content import kinds
from content.reach import target_accounts

from .services import render_all
from .links import resolve_short_link
from .miniprogram import nodes_to_html
from .rendition import CHANNEL_LABELS, CHANNELS, MINIPROGRAM, SMS, WEB, WECHAT
from .wechat import swap_images

FRAME_STYLE = (
    "body{margin:0;padding:16px;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;"
    "color:#333;background:#fff;word-wrap:break-word}img{max-width:100%;height:auto}"
)
WEB_STYLE = (
    "article{max-width:800px;margin:0 auto}h1{font-size:24px}.cms-byline,.cms-family{color:#888}"
    ".cms-summary{color:#555;border-left:3px solid #0085d0;padding-left:8px}figure{margin:0 0 16px}"
    ".cms-card{border:1px solid #d6e4f0;border-radius:8px;padding:12px 16px;margin:12px 0;background:#f7fbff}"
    ".cms-card-fee{color:#e4393c;font-size:20px}dl div{display:inline-block;margin-right:16px}dt,dd{display:inline;margin:0}"
)


@dataclass
class Column:
    channel: str
    label: str
    options: list
    account: object = None
    rendition: object = None
    frame: str = ""
    sms_parts: list = field(default_factory=list)


def _document(body, title="", style=""):
    return (
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{FRAME_STYLE}{style}</style></head><body>{body}</body></html>"
    )


def _wechat_frame(rendition):
    meta = rendition.meta
    header = (
        f'<h1 style="font-size:22px;line-height:1.4;margin:0 0 8px">{escape(rendition.title)}</h1>'
        f'<p style="color:#576b95;font-size:15px;margin:0 0 16px">{escape(meta.get("author") or "")}</p>'
    )
    # The preview shows the rendition files the publisher will upload in place of the placeholders.
    html = swap_images(rendition.html, meta.get("image_urls") or {})
    return _document(header + html, rendition.title)


def _miniprogram_frame(rendition):
    header = f'<h1 style="font-size:20px;margin:0 0 12px">{escape(rendition.title)}</h1>'
    cards = "".join(
        '<div style="border:1px solid #d6e4f0;border-radius:8px;padding:10px 12px;margin:12px 0;background:#f7fbff">'
        f'<div style="font-weight:bold">{escape(card["name"])}</div>'
        f'<div style="color:#e4393c;font-size:18px">{escape(card["fee_text"])}</div>'
        f'<div style="color:#555;font-size:13px">{escape(" · ".join(a["label"] + a["value"] for a in card["allowances"]))}</div>'
        "</div>"
        for card in rendition.meta.get("cards", [])
    )
    return _document(header + nodes_to_html(rendition.nodes) + cards, rendition.title)


class ChannelPreviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "renditions/preview.html"
    header_icon = "view"
    page_title = "渠道预览"

    def dispatch(self, request, kind, pk):
        item_kind = kinds.BY_CODE.get(kind)
        if item_kind is None or not item_kind.rendered:
            raise Http404
        model = item_kind.model
        self.kind = kind
        self.object = get_object_or_404(model, pk=pk)
        policy = policy_registry.get_by_type(model)
        if not policy.user_has_any_permission_for_instance(request.user, ["view", "change"], self.object):
            # Same answer as for a record that does not exist: isolation never reveals siblings.
            raise Http404
        return super().dispatch(request, kind=kind, pk=pk)

    def get_page_subtitle(self):
        return f"{kinds.label(self.kind)} {self.object.code}"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_header_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.request.GET.get("version", "draft")
        if version == "draft" and self.object.latest_revision_id:
            item = self.object.get_latest_revision_as_object()
        else:
            version, item = "live", self.object
        accounts = list(target_accounts(self.object))
        columns = []
        for channel in CHANNELS:
            options = [a for a in accounts if a.type == channel]
            wanted = self.request.GET.get(channel)
            chosen = next((a for a in options if a.code == wanted), options[0] if options else None)
            columns.append(Column(channel, CHANNEL_LABELS[channel], options, chosen))
        shown = [c for c in columns if c.account is not None]
        for column, rendition in zip(shown, render_all(item, [c.account for c in shown])):
            column.rendition = rendition
            if rendition.blocking and not (rendition.html or rendition.nodes or rendition.text):
                continue
            if column.channel == WECHAT:
                column.frame = _wechat_frame(rendition)
            elif column.channel == MINIPROGRAM:
                column.frame = _miniprogram_frame(rendition)
            elif column.channel == WEB:
                column.frame = _document(rendition.html, rendition.title, WEB_STYLE)
            elif column.channel == SMS:
                parts = rendition.meta.get("sample_parts") or []
                column.sms_parts = [(i + 1, len(parts), part, len(part)) for i, part in enumerate(parts)]
        context.update(
            {
                "item": item,
                "object": self.object,
                "kind_label": kinds.label(self.kind),
                "version": version,
                "columns": columns,
                "reach_accounts": accounts,
                "blocked": [c for c in shown if c.rendition.blocking],
                "publishable": [c for c in shown if not c.rendition.blocking],
            }
        )
        return context


def short_link_redirect(request, token):
    """Public: an SMS short link leads to the web rendition of the live item."""
    url = resolve_short_link(token)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
