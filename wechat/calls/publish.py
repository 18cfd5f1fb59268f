"""Publication of a draft (freepublish/*): submitted at most once, its outcome polled
(``PollPolicy``) or received with the PUBLISHJOBFINISH event."""

import logging
import time

from django.conf import settings
from django.db.models import F

from ..errors import PermanentError, TransientError
from ..models import DraftRecord
from ..payloads import PublishResult, PublishSubmission
from ..retry import PollPolicy

log = logging.getLogger("wechat")
ARTICLE_GONE = 53600  # freepublish/delete: no such article_id (any more)


class PublishCalls:
    def submit_publish(self, media_id: str) -> PublishSubmission:
        """Submit a draft for publication (freepublish/submit), at most once.

        WeChat takes a submitted draft out of the draft box, so after a lost answer
        the client asks draft/get: still there means the submit never arrived; gone
        means it did, and the published article is looked up by the draft's marker."""
        record = DraftRecord.objects.filter(app_id=self.app_id, media_id=media_id).first()
        if record and record.publish_id:
            return PublishSubmission(record.publish_id)

        def attempt():
            if record and record.submit_attempts:
                recovered = self._recover_submission(record)
                if recovered:
                    return recovered
            if record:
                record.submit_attempts += 1
                DraftRecord.objects.filter(pk=record.pk).update(submit_attempts=F("submit_attempts") + 1)
            data = self._send("freepublish/submit", json_body={"media_id": media_id})
            return PublishSubmission(str(data["publish_id"]), str(data.get("msg_data_id") or ""))

        submission = self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} freepublish/submit")
        if record:
            record.publish_id = submission.publish_id
            record.state = DraftRecord.State.SUBMITTED
            if submission.result:
                record.state, record.article_id = DraftRecord.State.PUBLISHED, submission.result.article_id
            record.save(update_fields=["publish_id", "state", "article_id", "updated_at"])
        return submission

    def _recover_submission(self, record):
        try:
            self._send("draft/get", json_body={"media_id": record.media_id})
            return None
        except PermanentError as exc:
            if exc.errcode != 40007:
                raise
        item = self._find_by_marker("freepublish/batchget", record.marker, self._send)
        if item is None:
            raise TransientError(None, "an earlier submit went through; its article is not published yet",
                                 "freepublish/submit")
        log.warning("%s: publication of draft %s found after a lost answer", self.app_id, record.idempotency_key)
        urls = tuple(n.get("url", "") for n in (item.get("content") or {}).get("news_item") or [])
        return PublishSubmission("", result=PublishResult("", 0, str(item.get("article_id", "")), urls))

    def delete_published(self, article_id: str, index: int = 0) -> bool:
        """Take a published article down (freepublish/delete): the whole message, or its
        ``index``-th article (from 1). False when WeChat no longer has it (deleted in its
        back office, or by an earlier try whose answer was lost): either way it is gone."""
        try:
            self._call("freepublish/delete", json_body={"article_id": str(article_id), "index": int(index)})
        except PermanentError as exc:
            if exc.errcode == ARTICLE_GONE:
                log.info("%s: article %s (index %s) already gone", self.app_id, article_id, index)
                return False
            raise
        return True

    def list_published(self, *, max_pages: int = 50) -> list[dict]:
        """What the account has published (freepublish/batchget, no content), newest first."""
        out = []
        for page in range(max_pages):
            data = self._call("freepublish/batchget", json_body={"offset": page * 20, "count": 20, "no_content": 1})
            out.extend(data.get("item") or [])
            if (page + 1) * 20 >= int(data.get("total_count") or 0):
                break
        return out

    def get_publish(self, publish_id: str) -> PublishResult:
        """The state of a publish job (freepublish/get)."""
        data = self._call("freepublish/get", json_body={"publish_id": publish_id})
        items = (data.get("article_detail") or {}).get("item") or []
        return PublishResult(
            publish_id=str(data.get("publish_id", publish_id)),
            status=int(data.get("publish_status", 1)),
            article_id=str(data.get("article_id") or ""),
            article_urls=tuple(item.get("article_url", "") for item in items),
            fail_idx=tuple(data.get("fail_idx") or ()),
        )

    def wait_for_publish(self, publish_id: str, *, timeout: float | None = None,
                         interval: float | None = None) -> PublishResult:
        """Poll freepublish/get until the job is published or failed; a job still
        running after ``timeout`` raises ``TransientError`` (retry the task later)."""
        timeout = settings.WECHAT_PUBLISH_POLL_TIMEOUT if timeout is None else timeout
        polling = PollPolicy.from_settings() if interval is None else PollPolicy(first=interval)
        deadline = time.monotonic() + timeout
        polls = 0
        while True:
            result = self.get_publish(publish_id)
            if result.finished:
                record_publish_outcome(self.app_id, result)
                return result
            delay = polling.delay(polls)
            if time.monotonic() + delay > deadline:
                raise TransientError(1, f"still publishing after {timeout}s", "freepublish/get")
            self._sleep(delay)
            polls += 1


def record_publish_outcome(app_id: str, result: PublishResult) -> int:
    """Store the outcome of a publish job (from polling or the PUBLISHJOBFINISH event)
    on its draft record; a failed job may be submitted again once the draft is fixed."""
    records = DraftRecord.objects.filter(app_id=app_id, publish_id=result.publish_id)
    if result.succeeded:
        return records.update(state=DraftRecord.State.PUBLISHED, article_id=result.article_id)
    if result.finished:
        return records.update(state=DraftRecord.State.FAILED, publish_id="", submit_attempts=0)
    return 0
