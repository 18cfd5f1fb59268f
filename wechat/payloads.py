"""The values the WeChat client takes and returns, and the draft marker that lets
it find a draft (or its publication) again after a lost answer."""

import hashlib
from dataclasses import asdict, dataclass

MARKER_PREFIX = "cms-draft:"
PUBLISH_STATUS = {
    0: "published",
    1: "publishing",
    2: "original_check_failed",
    3: "failed",
    4: "rejected_by_review",
    5: "deleted_by_user",
    6: "blocked_by_platform",
}


@dataclass
class Article:
    """One article of a draft, in WeChat's field names."""

    title: str
    content: str
    thumb_media_id: str
    author: str = ""
    digest: str = ""
    content_source_url: str = ""
    need_open_comment: int = 0
    only_fans_can_comment: int = 0

    def to_payload(self):
        return asdict(self)


@dataclass(frozen=True)
class Material:
    media_id: str
    url: str = ""


@dataclass(frozen=True)
class PublishResult:
    publish_id: str
    status: int
    article_id: str = ""
    article_urls: tuple = ()
    fail_idx: tuple = ()

    @property
    def finished(self):
        return self.status != 1

    @property
    def succeeded(self):
        return self.status == 0

    @property
    def status_name(self):
        return PUBLISH_STATUS.get(self.status, f"status_{self.status}")


@dataclass(frozen=True)
class PublishSubmission:
    """``publish_id`` of the job; after a lost answer whose job already finished,
    ``publish_id`` is empty and ``result`` holds the outcome found by the marker."""

    publish_id: str
    msg_data_id: str = ""
    result: PublishResult | None = None


def draft_marker(app_id, idempotency_key):
    return hashlib.sha256(f"{app_id}\n{idempotency_key}".encode()).hexdigest()[:24]


def marker_comment(marker):
    return f"<!--{MARKER_PREFIX}{marker}-->"


def has_marker(news_items, marker):
    return bool(news_items) and marker_comment(marker) in (news_items[0].get("content") or "")
