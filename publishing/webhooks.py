"""Signed webhook requests: the signature scheme receivers verify, and one POST.

The signature is HMAC-SHA256 with the endpoint's secret over ``{timestamp}.{body}``
(timestamp in Unix seconds, body the exact bytes sent), sent as
``X-CMS-Signature: sha256=<hex>`` with ``X-CMS-Timestamp``. Receivers recompute it,
compare in constant time and refuse stale timestamps; ``X-CMS-Delivery`` lets them
drop a delivery they already applied (retries and replays repeat it)."""

import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError

TIMESTAMP_HEADER = "X-CMS-Timestamp"
SIGNATURE_HEADER = "X-CMS-Signature"
DELIVERY_HEADER = "X-CMS-Delivery"
ACCOUNT_HEADER = "X-CMS-Account"
USER_AGENT = "channel-cms-webhooks/1"
RESPONSE_EXCERPT = 2000
DEFAULT_TOLERANCE = 300


def sign(secret, timestamp, body):
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``{timestamp}.`` + body)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret, timestamp, body, signature, *, tolerance=DEFAULT_TOLERANCE, now=None):
    """What a receiver does: a fresh timestamp and a matching signature."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")


def validate_endpoint(endpoint):
    """An endpoint needs an http(s) URL with a host, and a secret once enabled."""
    errors = {}
    parts = urlsplit(endpoint.url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["url"] = f"Webhook 端点 {endpoint.url or '(空)'} 必须是 http 或 https 地址"
    if endpoint.enabled and not endpoint.secret:
        errors["secret"] = "启用的 Webhook 端点必须设置签名密钥"
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url, secret, body, *, delivery_id, account_code, timeout=None):
    """POST the body signed now; the outcome, never an exception for network trouble."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: str(delivery_id),
        ACCOUNT_HEADER: account_code,
    }
    started = time.monotonic()
    timeout = settings.PUBLISHING_WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return Response(None, "", f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT], elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Response(response.status_code, response.text[:RESPONSE_EXCERPT], error, elapsed)
