"""An article to a WeChat official account: body images and cover uploaded (once
per account), a draft added (draft/add), submitted (freepublish/submit), and its
outcome read (freepublish/get) unless the PUBLISHJOBFINISH event came first. And
the other way: an unpublish job deletes published articles (freepublish/delete).

Every remote id is stored the moment it is known; a run skips what is stored, and
the client's idempotency keys cover an answer lost between WeChat and us."""

import os
import threading

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from publishing.models import Publication, PublishBatch
from renditions.services import image_placeholders, render, swap_images, wechat_body_renditions, wechat_cover
from wechat.client import Article as DraftArticle
from wechat.client import client_for_account
from wechat.retry import PollPolicy

from . import ledger, progress
from .runner import Finished, Handed, Refused, Waiting, checkpoint, reach

Step = Publication.Step
NEWS_GROUP = PublishBatch.Kind.NEWS_GROUP
_http = {}
_http_lock = threading.Lock()
WECHAT = "wechat_official_account"


def shared_http():
    """One HTTP client per process (connection pool, TLS context built once), made
    after a worker forks."""
    with _http_lock:
        if _http.get("pid") != os.getpid():
            _http.update(pid=os.getpid(), client=httpx.Client(timeout=settings.WECHAT_HTTP_TIMEOUT))
        return _http["client"]


def open_client(account):
    try:
        return client_for_account(account, http=shared_http())
    except ValidationError as exc:
        raise Refused("; ".join(exc.messages), "account") from None


def idempotency_key(pub):
    return f"publication:{pub.pk}:{pub.remote.get('generation', 0)}"


def _read(rendition):
    with rendition.file.open("rb") as handle:
        return handle.read()


def _draft_article(pub, client, item, label):
    return draft_article(client, pub.account, item, label, on_step=lambda step: reach(pub, step))


def draft_article(client, account, item, label="", on_step=None):
    """Upload ``item``'s body images and cover to ``account`` (each once, the client's
    ledger); the draft article WeChat receives. Also what a mass send's news draft is
    made of (broadcasts). Refused when the WeChat rendition blocks or has no cover."""
    rendition = render(item, account, WECHAT)
    if rendition.blocking:
        raise Refused(label + "; ".join(str(w) for w in rendition.warnings if w.blocking), "rendition")
    if on_step:
        on_step(Step.IMAGES)
    urls = {}
    for image_id, image_rendition in wechat_body_renditions(image_placeholders(rendition.html)).items():
        urls[image_id] = client.upload_body_image(_read(image_rendition))
    if on_step:
        on_step(Step.COVER)
    cover = wechat_cover(item)
    if cover is None:
        raise Refused(f"图文 {getattr(item, 'code', item)} 没有封面图:微信草稿必须有封面", "cover")
    material = client.add_cover(_read(cover))  # once per content hash and account (the client's ledger)
    meta = rendition.meta
    return DraftArticle(
        title=meta.get("title") or rendition.title,
        content=swap_images(rendition.html, urls),
        thumb_media_id=material.media_id,
        author=meta.get("author", "") or "",
        digest=meta.get("digest", "") or "",
        content_source_url=meta.get("content_source_url", "") or "",
        need_open_comment=int(meta.get("need_open_comment", 0)),
        only_fans_can_comment=int(meta.get("only_fans_can_comment", 0)),
    )


def _group_articles(pub, group):
    """The live group's articles in message order, refused when they break the group rules;
    their ids are stored on the publication (the positions a later delete by ``index`` needs)."""
    from content.services.groups import group_problems

    articles = group.ordered_articles()
    problems = group_problems(group, articles)
    if problems:
        raise Refused("; ".join(problems), "group")
    checkpoint(pub, remote={**pub.remote, "articles": [article.pk for article in articles]})
    return articles


def _draft(pub, client):
    """Upload images and covers, then add the draft (one article, or a news group's
    articles in order); returns its media_id."""
    item = pub.batch.source()
    if pub.batch.kind == NEWS_GROUP:
        articles = [_draft_article(pub, client, article, f"第 {n} 篇图文 {article.code}:")
                    for n, article in enumerate(_group_articles(pub, item), start=1)]
    else:
        articles = [_draft_article(pub, client, item, "")]
    # The last look at a cancel before anything lands in the account's draft box.
    checkpoint(pub, step=Step.DRAFT)
    return client.add_draft(articles, idempotency_key=idempotency_key(pub))


def poll_delay(pub):
    polls = int(pub.remote.get("polls", 0))
    return PollPolicy.from_settings().delay(polls)


def publish_article(pub):
    """The WeChat steps of an article (or news group) publication, resumed after the last stored id."""
    with open_client(pub.account) as client:
        if not pub.media_id:
            media_id = _draft(pub, client)
            checkpoint(pub, media_id=media_id, step=Step.SUBMIT)
        if not pub.publish_id:
            submission = client.submit_publish(pub.media_id)
            remote = {**pub.remote, "submitted_at": timezone.now().isoformat(), "polls": 0}
            if submission.result is not None:
                # An earlier submit went through and WeChat already published it.
                checkpoint(pub, step=Step.RESULT, remote=remote)
                return _settle(pub, submission.result)
            checkpoint(pub, publish_id=submission.publish_id, step=Step.RESULT, remote=remote)
            return Waiting(PollPolicy.from_settings().delay(0))
        result = client.get_publish(pub.publish_id)
        if not result.finished:
            if progress.result_deadline_passed(pub, settings.PUBLISHING_RESULT_TIMEOUT_SECONDS):
                raise Refused("微信长时间未返回发布结果", "publish_timeout")
            delay = poll_delay(pub)
            return Waiting(delay, store={"remote": {**pub.remote, "polls": int(pub.remote.get("polls", 0)) + 1}})
        return _settle(pub, result)


def _settle(pub, result):
    if result.succeeded:
        progress.complete(pub.pk, via=Publication.Via.POLL, article_id=result.article_id)
        return Handed()
    failed = ", ".join(str(i) for i in result.fail_idx)
    detail = f"(第 {failed} 篇)" if failed else ""
    raise Refused(f"微信发布失败:{result.status_name}{detail}", f"publish_status_{result.status}")


def take_down_article(pub):
    """Delete the articles the unpublish job lists (``remote["article_ids"]``, fixed
    when the job was made) from the account, each once; the ledger marks each one
    withdrawn as it goes. An article WeChat no longer has counts as deleted.

    ``remote["positions"]`` ({article_id: index}) deletes only that position of a
    news group's message (a deleted library article): the rest stays live."""
    positions = pub.remote.get("positions") or {}
    deleted = list(pub.remote.get("deleted") or [])
    reach(pub, Step.TAKEDOWN)
    with open_client(pub.account) as client:
        for article_id in pub.remote.get("article_ids") or []:
            if article_id in deleted:
                continue
            index = int(positions.get(article_id, 0))
            if article_id not in ledger.platform_articles(pub.account)["withdrawn"]:
                client.delete_published(article_id, index)
            if not index:
                ledger.mark_withdrawn(pub.account, article_id)
            deleted.append(article_id)
            checkpoint(pub, remote={**pub.remote, "deleted": deleted}, step=Step.TAKEDOWN)
    return Finished()
