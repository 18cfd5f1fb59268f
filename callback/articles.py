"""The one article of a news reply: title, digest, cover and link, resolved when
the reply table is built (on publish), never while WeChat waits.

The cover and the link are the renditions app's: the cover is the WeChat cover
rendition the publisher uploads as ``thumb_media_id``, the link the article's web
rendition URL, so a keyword reply and the channels always show the same ones."""

import logging

from renditions.images import wechat_cover_url
from renditions.links import web_url_of

logger = logging.getLogger(__name__)


def cover_url(article):
    image = article.cover_image
    if image is None:
        return ""
    try:
        return wechat_cover_url(image)
    except (OSError, ValueError):
        # A missing or broken image file must not stop the other replies.
        logger.warning("cover of article %s cannot be rendered; news reply goes without it", article.code)
        return ""


def news_article(article, account):
    """The news item of a published article in a reply of official account ``account``:
    its link is the web rendition nearest the account's organisation."""
    return {
        "title": article.title,
        "description": article.digest,
        "pic_url": cover_url(article),
        "url": web_url_of(article, near=account.organisation) or "",
    }
