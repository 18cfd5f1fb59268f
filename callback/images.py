"""The media_id an image auto-reply answers with: the permanent material its push
job uploaded to the account (publishing/services/reply_images.py), found by the
hash of the file it uploads, when the reply table is built (never while WeChat
waits)."""

import hashlib
import logging

from renditions.images import wechat_reply_image_bytes
from wechat.models import UploadedAsset

logger = logging.getLogger(__name__)


def reply_image_media_id(rule, account):
    """The permanent material of the rule's image on the account, or "" (not uploaded yet)."""
    if rule.reply_image is None or not account.app_id:
        return ""
    try:
        content_hash = hashlib.sha256(wechat_reply_image_bytes(rule.reply_image)).hexdigest()
    except (OSError, ValueError):
        logger.warning("auto-reply %s: its image file cannot be read; left out", rule.pk, exc_info=True)
        return ""
    asset = UploadedAsset.objects.filter(app_id=account.app_id, content_hash=content_hash, kind="image").first()
    return asset.media_id if asset else ""
