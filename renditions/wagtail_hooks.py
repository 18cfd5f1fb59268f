"""Admin hooks of channel renditions: the cross-channel preview of a saved draft."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.action_menu import ActionMenuItem

from content import kinds
from renditions import admin_urls as rendition_admin_urls


def _has_renditions(model_or_item):
    kind = kinds.kind_of(model_or_item)
    return kind is not None and kind.rendered


def rendition_preview_url(instance):
    return reverse("renditions:preview", args=[kinds.kind_of(instance).code, instance.pk])


@hooks.register("register_admin_urls")
def register_rendition_urls():
    return [path("renditions/", include(rendition_admin_urls, namespace="renditions"))]


class ChannelPreviewMenuItem(ActionMenuItem):
    """"渠道预览" in the edit view's action menu: the saved draft in every channel."""

    name = "action-channel-preview"
    label = "渠道预览(已保存版本)"
    icon_name = "view"
    order = 90

    def is_shown(self, context):
        return context.get("view") == "edit" and context.get("instance") is not None

    def get_url(self, parent_context):
        return rendition_preview_url(parent_context["instance"])


@hooks.register("register_snippet_action_menu_item")
def register_channel_preview_menu_item(model):
    return ChannelPreviewMenuItem() if _has_renditions(model) else None


@hooks.register("register_snippet_listing_buttons")
def channel_preview_listing_button(snippet, user, next_url=None):
    if _has_renditions(snippet):
        yield ListingButton("渠道预览", rendition_preview_url(snippet), icon_name="view", priority=90)
