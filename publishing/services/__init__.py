"""Push publishing: batches of publications run as jobs (WeChat server API, signed
webhooks), and the operations on them. Tasks, the admin and the command call these."""

import logging

from publishing.models import Publication, PublishBatch

from . import progress, runner
from .batches import (
    create_batch,
    kind_of,
    publish_item,
    publish_menu_version,
    replace_superseded,
    take_down_deleted,
    take_down_group_positions,
)
from .deliveries import cover_changes, deliver
from .served_menus import serve_menu_again, take_down_menu
from .operations import (
    cancel_delivery,
    cancel_publication,
    replay_delivery,
    resume_account,
    retry_publication,
    sweep,
)

log = logging.getLogger("publishing")

__all__ = [
    "cancel_delivery",
    "cancel_publication",
    "complete_from_event",
    "cover_changes",
    "create_batch",
    "deliver",
    "kind_of",
    "publish_item",
    "publish_menu_version",
    "replace_superseded",
    "replay_delivery",
    "resume_account",
    "retry_publication",
    "run_publication",
    "serve_menu_again",
    "sweep",
    "take_down_deleted",
    "take_down_group_positions",
    "take_down_menu",
]


def _steps(pub):
    if pub.channel == Publication.Channel.WEBHOOK:
        from .deliveries import start_webhook_publication

        return start_webhook_publication(pub)
    if pub.batch.kind == PublishBatch.Kind.MENU and pub.batch.action == PublishBatch.Action.UNPUBLISH:
        from .served_menus import delete_account_menu

        return delete_account_menu(pub)
    if pub.batch.kind == PublishBatch.Kind.MENU:
        from .menus import publish_menu

        return publish_menu(pub)
    if pub.batch.kind == PublishBatch.Kind.AUTO_REPLY:
        from .reply_images import upload_reply_image

        return upload_reply_image(pub)
    # A news group is one WeChat message of several articles: the same steps.
    messages = (PublishBatch.Kind.ARTICLE, PublishBatch.Kind.NEWS_GROUP)
    if pub.batch.kind in messages and pub.batch.action == PublishBatch.Action.UNPUBLISH:
        from .articles import take_down_article

        return take_down_article(pub)
    if pub.batch.kind in messages:
        from .articles import publish_article

        return publish_article(pub)
    raise runner.Refused(f"{pub.batch.get_kind_display()} 不经微信接口推送", "channel")


def run_publication(publication_id):
    """Run one publication's job now (if it is due and nobody holds it)."""
    return runner.run(publication_id, _steps)


def complete_from_event(app_id, publish_id, status, article_id="", fail_idx=()):
    """WeChat's PUBLISHJOBFINISH event: completes (or fails) the publication, once,
    whichever of the event and the poll comes first."""
    pub = (
        Publication.objects.filter(
            account__app_id=app_id, publish_id=str(publish_id), channel=Publication.Channel.WECHAT
        )
        .order_by("-pk")
        .first()
    )
    if pub is None:
        log.info("PUBLISHJOBFINISH for unknown publish_id %s of %s", publish_id, app_id)
        return None
    if int(status) == 0:
        return progress.complete(pub.pk, via=Publication.Via.EVENT, article_id=article_id)
    from wechat.client import PUBLISH_STATUS

    failed = ", ".join(str(i) for i in fail_idx or ())
    reason = f"微信发布失败:{PUBLISH_STATUS.get(int(status), status)}" + (f"(第 {failed} 篇)" if failed else "")
    return progress.finish(pub.pk, "failed", error=reason, code=f"publish_status_{status}")
