"""A small typed client of the WeChat official-account server API, on httpx.

wechatpy 1.8 has no stable_token, drafts or freepublish and refreshes tokens
without a lock, hence this module. What it guarantees:

- one access token per appid for all workers (``tokens.py``), refreshed once and the
  call retried when WeChat answers 40001/40014/42001;
- transient errors (-1, 45011, network, timeouts) retried with jittered backoff
  (``RetryPolicy``); 45009 pauses the account (``quota.py``); anything else raises
  ``PermanentError`` at once with WeChat's reason;
- WeChat's limits checked before calling (``limits.py``), naming the field;
- images uploaded once per content hash and account (``UploadedAsset``);
- never a second draft, publication or conditional menu when a retry follows a
  lost answer (``DraftRecord`` markers, look-ups before re-sending).

The app secret and access tokens are never logged nor put in exception messages."""

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from . import limits, quota
from .errors import TOKEN_CODES, DailyQuotaExceeded, LimitViolation, PermanentError, TransientError, classify
from .models import DraftRecord, TemplateBinding, UploadedAsset
from .payloads import (  # noqa: F401 - the client's public types
    PUBLISH_STATUS,
    Article,
    Material,
    PublishResult,
    PublishSubmission,
    draft_marker,
    has_marker,
    marker_comment,
)
from .retry import PollPolicy, RetryPolicy
from .tokens import TokenStore, default_token_store

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
PAGE = 20  # draft/batchget and freepublish/batchget answer at most 20 items
_IMAGE_TYPES = {"jpeg": ("jpg", "image/jpeg"), "png": ("png", "image/png"), "gif": ("gif", "image/gif"),
                "bmp": ("bmp", "image/bmp")}

log = logging.getLogger("wechat")
_TOKEN_IN_TEXT = re.compile(r"(access_token=)[^&\s\"']+")


def redact(text):
    return _TOKEN_IN_TEXT.sub(r"\1***", text)


class _RedactTokens(logging.Filter):
    """httpx logs every request URL at INFO, and WeChat wants the token in the URL."""

    def filter(self, record):
        message = record.getMessage()
        if "access_token=" in message:
            record.msg, record.args = redact(message), None
        return True


logging.getLogger("httpx").addFilter(_RedactTokens())


class TokenRejected(PermanentError):
    """WeChat refused the access token the call carried (40001/40014/42001)."""

    def __init__(self, errcode, errmsg, endpoint, rejected_token):
        self.rejected_token = rejected_token
        super().__init__(errcode, errmsg, endpoint)


class WeChatClient:
    def __init__(self, app_id: str, app_secret: str, base_url: str = DEFAULT_BASE_URL,
                 token_store: TokenStore | None = None, http: httpx.Client | None = None, *,
                 retry: RetryPolicy | None = None, timeout: float | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        if not app_id:
            raise ValueError("a WeChat client needs an app_id")
        self.app_id = app_id
        self._secret = app_secret
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token_store = token_store or default_token_store()
        self.retry = retry or RetryPolicy.from_settings()
        self._sleep = sleep
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout or settings.WECHAT_HTTP_TIMEOUT)

    def __repr__(self):
        return f"WeChatClient(app_id={self.app_id!r}, base_url={self.base_url!r})"

    def close(self):
        if self._owns_http:
            self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transport ---------------------------------------------------------------

    def _exchange(self, endpoint, method="POST", *, token=None, json_body=None, files=None, params=None):
        """One HTTP exchange; the typed error for anything but a success."""
        query = dict(params or {})
        if token:
            query["access_token"] = token
        kwargs = {"params": query}
        if files:
            kwargs["files"] = files
        elif json_body is not None:
            # Raw UTF-8: WeChat refuses \\uXXXX escapes in some APIs (40033).
            kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        try:
            response = self.http.request(method, f"{self.base_url}/cgi-bin/{endpoint}", **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(None, f"timeout ({type(exc).__name__})", endpoint) from None
        except httpx.TransportError as exc:
            raise TransientError(None, f"network error ({type(exc).__name__}: {redact(str(exc))})", endpoint) from None
        if response.status_code >= 500:
            raise TransientError(None, f"HTTP {response.status_code}", endpoint)
        if response.status_code != 200:
            raise PermanentError(None, f"HTTP {response.status_code}", endpoint)
        try:
            data = response.json()
        except ValueError:
            raise TransientError(None, "the answer is not JSON", endpoint) from None
        errcode = data.get("errcode") or 0
        if errcode:
            errmsg = redact(str(data.get("errmsg", "")))
            if token and errcode in TOKEN_CODES:
                raise TokenRejected(errcode, errmsg, endpoint, token)
            raise classify(errcode, errmsg, endpoint)
        return data

    def _send(self, endpoint, method="POST", **kwargs):
        """One call with the shared token: refreshed once if WeChat refuses it; a
        daily-quota answer pauses the account."""
        until = quota.paused_until(self.app_id)
        if until:
            raise DailyQuotaExceeded(45009, f"account paused until {until:%Y-%m-%d %H:%M}", endpoint, until)
        try:
            token = self.access_token()
            try:
                return self._exchange(endpoint, method, token=token, **kwargs)
            except TokenRejected as exc:
                log.info("%s %s: token refused (%s); refreshing it once", self.app_id, endpoint, exc.errcode)
                token = self.token_store.refresh(self.app_id, exc.rejected_token, self._fetch_token)
            try:
                return self._exchange(endpoint, method, token=token, **kwargs)
            except TokenRejected as exc:
                raise TransientError(exc.errcode, exc.errmsg, endpoint) from None
        except DailyQuotaExceeded as exc:
            if exc.paused_until is None:
                exc.paused_until = quota.pause_account(self.app_id, endpoint, exc.reason)
            raise

    def _call(self, endpoint, method="POST", **kwargs):
        """``_send`` with retries of transient errors."""
        return self.retry.run(lambda: self._send(endpoint, method, **kwargs), sleep=self._sleep,
                              what=f"{self.app_id} {endpoint}")

    # -- access token --------------------------------------------------------------

    def access_token(self) -> str:
        """The account's valid access token (shared by all workers)."""
        return self.token_store.get(self.app_id, self._fetch_token)

    def _fetch_token(self, force):
        body = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret,
                "force_refresh": bool(force)}

        def attempt():
            data = self._exchange("stable_token", json_body=body)
            return data["access_token"], int(data.get("expires_in") or 7200)

        token, expires_in = self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} stable_token")
        log.info("%s: fetched %saccess token valid %ss", self.app_id, "a forced " if force else "an ", expires_in)
        return token, expires_in

    # -- images ----------------------------------------------------------------------

    def upload_body_image(self, data: bytes) -> str:
        """URL of an image for article bodies (media/uploadimg, JPG/PNG under 1 MB)."""
        return self._upload_once("uploadimg", data).url

    def add_cover(self, data: bytes, kind: str = "image") -> Material:
        """A permanent image (or 64 KB JPG thumb) for draft covers (material/add_material)."""
        if kind not in ("image", "thumb"):
            raise ValueError(f"cover kind must be image or thumb, not {kind!r}")
        asset = self._upload_once(kind, data)
        return Material(asset.media_id, asset.url)

    def forget_upload(self, media_id: str = "", url: str = "") -> int:
        """Drop the record of an upload WeChat no longer has, so it is uploaded again."""
        assets = UploadedAsset.objects.filter(app_id=self.app_id)
        return assets.filter(media_id=media_id).delete()[0] if media_id else assets.filter(url=url).delete()[0]

    def _upload_once(self, kind, data):
        endpoint = "media/uploadimg" if kind == "uploadimg" else "material/add_material"
        violations = limits.check_image(data, kind)
        if violations:
            raise LimitViolation(endpoint, violations)
        lookup = {"app_id": self.app_id, "content_hash": hashlib.sha256(data).hexdigest(), "kind": kind}
        asset = UploadedAsset.objects.filter(**lookup).first()
        if asset and asset.uploaded:
            return asset
        ext, content_type = _IMAGE_TYPES[limits.sniff_image(data)]
        try:
            with transaction.atomic():
                # The row lock makes a concurrent upload of the same image wait for this one.
                UploadedAsset.objects.get_or_create(**lookup, defaults={"size": len(data)})
                asset = UploadedAsset.objects.select_for_update().get(**lookup)
                if not asset.uploaded:
                    files = {"media": (f"{lookup['content_hash'][:16]}.{ext}", data, content_type)}
                    params = None if kind == "uploadimg" else {"type": kind}
                    answer = self._call(endpoint, files=files, params=params)
                    asset.media_id, asset.url = answer.get("media_id", ""), answer.get("url", "")
                    asset.save(update_fields=["media_id", "url"])
                    log.info("%s: uploaded %s image %s (%d bytes)", self.app_id, kind, lookup["content_hash"][:12],
                             len(data))
        except DailyQuotaExceeded as exc:
            # The pause was written inside the block that just rolled back: keep it.
            if exc.paused_until:
                quota.record_pause(self.app_id, exc.paused_until, exc.endpoint, exc.reason)
            raise
        return asset

    # -- drafts ----------------------------------------------------------------------

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

    # -- publishing ------------------------------------------------------------------

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

    # -- menus -----------------------------------------------------------------------

    def create_menu(self, menu: dict) -> None:
        """Replace the default menu (menu/create) with ``{"button": [...]}``."""
        violations = limits.check_menu(menu)
        if violations:
            raise LimitViolation("menu/create", violations)
        self._call("menu/create", json_body={"button": menu["button"]})

    def add_conditional_menu(self, menu: dict) -> str:
        """menuid of a personalised menu (brand variants) with ``matchrule``; after a
        lost answer an existing menu with the same rule and buttons is reused."""
        violations = limits.check_menu(menu) + limits.check_matchrule(menu.get("matchrule"))
        if violations:
            raise LimitViolation("menu/addconditional", violations)
        body = {"button": menu["button"], "matchrule": menu["matchrule"]}
        tried = []

        def attempt():
            if tried:
                for existing in self._send("menu/get", "GET").get("conditionalmenu") or []:
                    if existing.get("button") == body["button"] and existing.get("matchrule") == body["matchrule"]:
                        return str(existing["menuid"])
            tried.append(True)
            return str(self._send("menu/addconditional", json_body=body)["menuid"])

        return self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} menu/addconditional")

    def delete_conditional_menu(self, menuid: str) -> None:
        self._call("menu/delconditional", json_body={"menuid": str(menuid)})

    def delete_menu(self) -> None:
        """Delete the default menu and every personalised menu (menu/delete)."""
        self._call("menu/delete", "GET")

    def get_menu(self) -> dict:
        return self._call("menu/get", "GET")

    # -- template messages ---------------------------------------------------------

    def add_template(self, template_id_short: str, keyword_names: Sequence[str] = ()) -> str:
        body = {"template_id_short": template_id_short, "keyword_name_list": list(keyword_names)}
        return self._call("template/api_add_template", json_body=body)["template_id"]

    def list_templates(self) -> list[dict]:
        return self._call("template/get_all_private_template", "GET").get("template_list", [])

    def delete_template(self, template_id: str) -> None:
        self._call("template/del_private_template", json_body={"template_id": template_id})

    def ensure_template(self, code: str, template_id_short: str, keyword_names: Sequence[str] = ()) -> str:
        """The account's template id for definition ``code``, added from the library once."""
        binding = TemplateBinding.objects.filter(app_id=self.app_id, code=code).first()
        if binding and binding.template_id_short == template_id_short:
            return binding.template_id
        template_id = self.add_template(template_id_short, keyword_names)
        TemplateBinding.objects.update_or_create(
            app_id=self.app_id, code=code, defaults={"template_id_short": template_id_short, "template_id": template_id}
        )
        return template_id

    def send_template_message(self, touser: str, template_id: str, data: dict, *, url: str = "",
                              miniprogram: dict | None = None, client_msg_id: str = "") -> str:
        """msgid of a template message; ``client_msg_id`` (generated when omitted) makes
        WeChat drop the duplicate a retry after a lost answer would send."""
        body = {"touser": touser, "template_id": template_id, "data": data,
                "client_msg_id": client_msg_id or uuid.uuid4().hex}
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = miniprogram
        return str(self._call("message/template/send", json_body=body)["msgid"])


def record_publish_outcome(app_id: str, result: PublishResult) -> int:
    """Store the outcome of a publish job (from polling or the PUBLISHJOBFINISH event)
    on its draft record; a failed job may be submitted again once the draft is fixed."""
    records = DraftRecord.objects.filter(app_id=app_id, publish_id=result.publish_id)
    if result.succeeded:
        return records.update(state=DraftRecord.State.PUBLISHED, article_id=result.article_id)
    if result.finished:
        return records.update(state=DraftRecord.State.FAILED, publish_id="", submit_attempts=0)
    return 0


def client_for_account(account, **kwargs) -> WeChatClient:
    """The client of a WeChat channel account (secret from ``account.app_secret``)."""
    if not account.app_id:
        raise ValidationError({"app_id": f"渠道账号 {account.code} 没有填写 AppID"})
    if not account.app_secret:
        raise ValidationError({"app_secret": f"渠道账号 {account.code} 没有设置 AppSecret"})
    base_url = account.api_base_url or settings.WECHAT_API_BASE_URL
    return WeChatClient(account.app_id, account.app_secret.reveal(), base_url, **kwargs)
