"""An image auto-reply to its official account: the image uploaded once as a
permanent material (the client finds it again after a lost answer), its media_id
stored, and the account's reply table rebuilt so the callback serves it. The
upload happens here, in a push job, never in the callback's 5-second window."""

from callback.table import rebuild_account
from publishing.models import Publication
from renditions.images import wechat_reply_image_bytes

from .articles import open_client
from .runner import Finished, Refused, checkpoint, reach


def upload_reply_image(pub):
    rule = pub.batch.source()
    if rule.reply_image is None:
        raise Refused(f"自动回复 {rule} 的回复图片(reply_image)为空", "reply_image")
    reach(pub, Publication.Step.REPLY_IMAGE)
    data = wechat_reply_image_bytes(rule.reply_image)
    with open_client(pub.account) as client:
        material = client.add_cover(data, kind="image")
    checkpoint(pub, media_id=material.media_id)
    rebuild_account(pub.account_id)
    return Finished()
