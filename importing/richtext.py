"""Rich-text bodies of the export turned into Wagtail's stored form: sanitized by
the one sanitizer, inline ``<img data-image="CODE">`` references turned into
Wagtail image embeds of the imported images."""

import re

from django.utils.translation import gettext as _

from content.services.html import sanitize_html

IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# An image alone in its paragraph becomes a block-level embed, as Wagtail's editor stores it.
LONE_IMG = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>", re.IGNORECASE)
# The sanitizer writes every attribute value in double quotes with quotes escaped.
ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
EMBED = re.compile(r"<embed\b([^>]*?)\s*/?>", re.IGNORECASE)


def wagtail_embeds(html):
    """Embeds in the form Wagtail's rich-text rewriter finds (``<embed .../>``).

    The sanitizer serialises ``<embed>`` as an HTML void element, without the
    slash, and Wagtail's front-end rewriter (FIND_EMBED_TAG) only expands the
    self-closed form: an unslashed embed would reach readers as a raw tag."""
    return EMBED.sub(lambda m: f"<embed{m.group(1)}/>", html)


def image_codes(html):
    """Codes of the images a body refers to, in order of appearance."""
    return _codes(sanitize_html(html))


def to_wagtail_html(html, image_ids, field, errors):
    """``html`` sanitized, its image references resolved through ``image_ids``
    (code -> pk, or None for an unusable image already reported on ``errors``)."""
    return _embedded(sanitize_html(html), image_ids, field, errors)


def import_body(html, resolve, field, errors):
    """An exported body in its stored form, sanitized once for both steps: the codes of
    its images resolved by ``resolve(code)`` (a pk, or None with an error reported),
    then turned into embeds (``to_wagtail_html``)."""
    clean = sanitize_html(html)
    return _embedded(clean, {code: resolve(code) for code in _codes(clean)}, field, errors)


def _codes(clean):
    codes = []
    for tag in IMG.findall(clean):
        code = dict(ATTRIBUTE.findall(tag[4:-1])).get("data-image")
        if code:
            codes.append(code)
    return codes


def _embedded(clean, image_ids, field, errors):
    def embed(match):
        attrs = dict(ATTRIBUTE.findall(match.group(0)[4:-1]))
        code = attrs.get("data-image")
        if not code:
            errors.add(field, _("内嵌图片缺少 data-image 引用,无法保存到图片库"))
            return ""
        pk = image_ids.get(code)
        if pk is None:
            return ""
        return f'<embed embedtype="image" id="{pk}" format="fullwidth" alt="{attrs.get("alt") or ""}"/>'

    clean = LONE_IMG.sub(lambda m: embed(IMG.match(m.group(1))), clean)
    # Sanitized once more so the body is exactly what the model's validation keeps.
    return wagtail_embeds(sanitize_html(IMG.sub(embed, clean)))
