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

The app secret and access tokens are never logged nor put in exception messages.

This module holds the transport, the access token and the client's assembly; the
calls live in ``wechat/calls/`` by kind (materials, drafts, publish, menus, tags,
templates, inventory, mass sends), mixed into ``WeChatClient``, whose methods stay the public API."""

import json
import logging
import re
import time
from collections.abc import Callable

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError

from content.secrets import unreadable_message

from . import quota
from .calls.drafts import DraftCalls
from .calls.inventory import InventoryCalls
from .calls.mass import MassCalls
from .calls.materials import MaterialCalls
from .calls.menus import MenuCalls
from .calls.publish import PublishCalls, record_publish_outcome  # noqa: F401 - part of the client's API
from .calls.tags import TagCalls
from .calls.templates import TemplateCalls
from .errors import TOKEN_CODES, DailyQuotaExceeded, PermanentError, TransientError, classify
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
from .retry import RetryPolicy
from .tokens import TokenStore, default_token_store

DEFAULT_BASE_URL = "https://api.weixin.qq.com"

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


class WeChatClient(MaterialCalls, DraftCalls, PublishCalls, MenuCalls, TagCalls, TemplateCalls, InventoryCalls,
                   MassCalls):
    """The calls of one official account; each kind of call is a module of ``wechat.calls``."""

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
            error = classify(errcode, errmsg, endpoint)
            # Some refusals carry data (45065 names the mass send that already went).
            error.answer = {k: v for k, v in data.items() if k not in ("errcode", "errmsg")}
            raise error
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


def client_for_account(account, **kwargs) -> WeChatClient:
    """The client of a WeChat channel account (secret from ``account.app_secret``)."""
    if not account.app_id:
        raise ValidationError({"app_id": f"渠道账号 {account.code} 没有填写 AppID"})
    if not account.app_secret:
        raise ValidationError({"app_secret": f"渠道账号 {account.code} 没有设置 AppSecret"})
    if not account.app_secret.readable:
        raise ValidationError({"app_secret": unreadable_message(f"渠道账号 {account.code} 的 AppSecret")})
    base_url = account.api_base_url or settings.WECHAT_API_BASE_URL
    return WeChatClient(account.app_id, account.app_secret.reveal(), base_url, **kwargs)
