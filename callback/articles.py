"""The one article of a news reply: title, digest, cover and link, resolved when
the reply table is built (on publish), never while WeChat waits."""

import logging
from urllib.parse import urljoin

from django.conf import settings

from content.models import ChannelAccount

logger = logging.getLogger(__name__)

# WeChat shows a news cover at 900x383 (2.35:1).
COVER_FILTER = "fill-900x383"


def web_base_url(account):
    """The web business hall of the account's organisation, or the nearest one above it."""
    webs = {
        web.organisation_id: web.base_url
        for web in ChannelAccount.objects.filter(type=ChannelAccount.Type.WEB, enabled=True)
        .exclude(base_url="")
        .order_by("-id")
    }
    org = account.organisation
    for org_id in [org.pk, *org.ancestor_ids()]:
        if org_id in webs:
            return webs[org_id]
    return ""


def absolute(url):
    """Renditions on local storage have site-relative URLs; WeChat needs absolute ones."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return urljoin(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/", url.lstrip("/"))


def cover_url(article):
    image = article.cover_image
    if image is None:
        return ""
    try:
        return absolute(image.get_rendition(COVER_FILTER).url)
    except (OSError, ValueError):
        # A missing or broken image file must not stop the other replies.
        logger.warning("cover of article %s cannot be rendered; news reply goes without it", article.code)
        return ""


def news_article(article, base_url):
    """The news item of a published article for an account whose web site is ``base_url``."""
    link = urljoin(base_url.rstrip("/") + "/", f"articles/{article.code}/") if base_url else ""
    return {
        "title": article.title,
        "description": article.digest,
        "pic_url": cover_url(article),
        "url": link,
    }
