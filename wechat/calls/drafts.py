"""Drafts (draft/*): added at most once per idempotency key, whose marker travels in
the first article's body so a draft can be found again after a lost answer."""

import logging
from collections.abc import Sequence

from django.db.models import F

from .. import limits
from ..errors import LimitViolation
from ..models import DraftRecord
from ..payloads import Article, draft_marker, has_marker, marker_comment

log = logging.getLogger("wechat")
PAGE = 20  # draft/batchget and freepublish/batchget answer at most 20 items


class DraftCalls:
    def add_draft(self, articles: Sequence[Article], *, idempotency_key: str) -> str:
        """media_id of the draft for ``idempotency_key``, added at most once.

        The key's marker travels in the first article's body; after a lost answer the
        client looks the draft up by it (draft/batchget) before adding again. Call it
        outside a database transaction so the attempt count survives a crash."""
        marker = draft_marker(self.app_id, idempotency_key)
        payload = [article.to_payload() for article in articles]
        if payload:
            payload[0]["content"] = (payload[0]["content"] or "") + marker_comment(marker)
        violations = limits.check_articles(payload)
        if violations:
            raise LimitViolation("draft/add", violations)
        # A new record already counts the first attempt: one write less per draft.
        record, first_try = DraftRecord.objects.get_or_create(
            app_id=self.app_id, idempotency_key=idempotency_key, defaults={"marker": marker, "add_attempts": 1}
        )
        if record.media_id:
            return record.media_id

        def attempt():
            nonlocal first_try
            if not first_try:
                if record.add_attempts:
                    found = self._find_by_marker("draft/batchget", record.marker, self._send)
                    if found:
                        log.warning("%s: draft %s found after a lost answer; not adding it again", self.app_id,
                                    idempotency_key)
                        return found["media_id"]
                record.add_attempts += 1
                DraftRecord.objects.filter(pk=record.pk).update(add_attempts=F("add_attempts") + 1)
            first_try = False
            return self._send("draft/add", json_body={"articles": payload})["media_id"]

        record.media_id = self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} draft/add")
        record.state = DraftRecord.State.DRAFTED
        record.save(update_fields=["media_id", "state", "updated_at"])
        return record.media_id

    def update_draft(self, media_id: str, index: int, article: Article) -> None:
        """Replace article ``index`` of a draft (draft/update); the marker is kept."""
        payload = article.to_payload()
        record = DraftRecord.objects.filter(app_id=self.app_id, media_id=media_id).first()
        if record and index == 0:
            payload["content"] = (payload["content"] or "") + marker_comment(record.marker)
        violations = limits.check_article(payload, index)
        if violations:
            raise LimitViolation("draft/update", violations)
        self._call("draft/update", json_body={"media_id": media_id, "index": index, "articles": payload})

    def count_drafts(self) -> int:
        return int(self._call("draft/count", "GET")["total_count"])

    def get_draft(self, media_id: str) -> list[dict]:
        return self._call("draft/get", json_body={"media_id": media_id}).get("news_item", [])

    def delete_draft(self, media_id: str) -> None:
        self._call("draft/delete", json_body={"media_id": media_id})

    def find_draft(self, idempotency_key: str) -> dict | None:
        """The draft (as draft/batchget lists it) carrying the key's marker, or None."""
        return self._find_by_marker("draft/batchget", draft_marker(self.app_id, idempotency_key), self._call)

    def _find_by_marker(self, endpoint, marker, call, max_pages=5):
        for page in range(max_pages):
            data = call(endpoint, json_body={"offset": page * PAGE, "count": PAGE, "no_content": 0})
            for item in data.get("item") or []:
                if has_marker((item.get("content") or {}).get("news_item"), marker):
                    return item
            if (page + 1) * PAGE >= int(data.get("total_count") or 0):
                return None
        return None
