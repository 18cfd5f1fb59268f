"""The standing probe's world: two branches with a published record of every kind,
secrets on their accounts, and API tokens good, revoked and expired; requests go to
pytest-django's live server over HTTP (httpx), as a hostile caller would send them."""

import datetime
import time
from dataclasses import dataclass, field

import httpx
import pytest
from django.utils import timezone

from cms.callers.clients import create_client, issue_token, revoke_token
from cms.callers.principal import token_digest
from content.services.accounts import set_secret
from publishing.models import WebhookEndpoint
from tests.support.api import make_api_client
from tests.support.content import committed, publish
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

MARK = "BJSECRET"  # in every sibling record's code, title or text
# What would betray a sibling record: its names and texts (a code the caller sent may be
# echoed in an error; the probe checks the data of answers for codes itself).
SIBLING_TEXTS = [f"{MARK}套餐", f"{MARK}业务", f"{MARK}图文", f"{MARK}词", f"{MARK}回复", f"{MARK}模板",
                 f"{MARK}客户端", f"{MARK}端点"]
APP_SECRET = "probe-app-secret-7f3a9c0d1e2b4a5f"
WEBHOOK_KEY = "probe-webhook-key-5b8e2d7c9a1f3e6d"
ENDPOINT_SECRET = "probe-endpoint-secret-2c4e6a8b0d1f"
CALLBACK_TOKEN = "probe-callback-token-1234"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ORIGINAL_ID = "gh_probe0000001"
# A request answered slower than this held a worker too long (generous: a shared, noisy machine).
BOUND_SECONDS = 8.0


@dataclass
class World:
    url: str
    token: str
    sibling_token: str
    revoked_token: str
    expired_token: str
    sibling: dict
    secrets: list = field(default_factory=list)
    http: httpx.Client = None

    def graphql(self, body, token=None, content_type="application/json", **headers):
        """POST ``body`` (a dict as JSON, or raw bytes) to /graphql/; checked, then returned."""
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, dict):
            import json

            body = json.dumps(body).encode()
        return self.send("POST", "/graphql/", content=body, headers={"Content-Type": content_type, **headers})

    def send(self, method, path, **kwargs):
        start = time.monotonic()
        response = self.http.request(method, self.url + path, **kwargs)
        elapsed = time.monotonic() - start
        problems = answer_problems(response, self.secrets, elapsed)
        assert not problems, f"{method} {path}: " + "; ".join(problems)
        return response


def answer_problems(response, secrets, elapsed):
    """What is wrong with an answer: a server error, a secret or sibling data in it, too slow."""
    problems = []
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}: {response.text[:300]}")
    text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    problems += [f"leaks {secret[:12]}…" for secret in secrets if secret in text]
    problems += [f"shows sibling data: {text[max(0, text.index(t) - 80):text.index(t) + 40]!r}"
                 for t in SIBLING_TEXTS if t in text]
    if "Traceback" in text:
        problems.append("shows a stack trace")
    if elapsed > BOUND_SECONDS:
        problems.append(f"took {elapsed:.1f} s")
    return problems


def _sibling_records(matrix):
    org, account = matrix["branch2"], matrix["account_branch2"]
    package = PackageFactory(code=f"{MARK}-PKG", name=f"{MARK}套餐", organisation=org)
    records = {
        "package": package,
        "business": BusinessFactory(code=f"{MARK}-BIZ", name=f"{MARK}业务", organisation=org),
        "article": ArticleFactory(code=f"{MARK}-ART", title=f"{MARK}图文", organisation=org, channels=[],
                                  related_packages=[package]),
        "smsTemplate": SmsTemplateFactory(code=f"{MARK}-SMS", organisation=org),
        "autoReply": AutoReplyFactory(keyword=f"{MARK}词", reply_text=f"{MARK}回复", account=account),
        "templateMessage": TemplateMessageFactory(code=f"{MARK}-TM", title=f"{MARK}模板", organisation=org),
    }
    for name, record in records.items():
        records[name] = publish(record)
    return records


@pytest.fixture
def world(live_server, matrix):
    """Everything the probe sends its requests against (committed: the live server reads it)."""
    own, sibling = matrix["account_branch1"], matrix["account_branch2"]
    for account in (own, sibling, matrix["account_province"]):
        with committed():
            set_secret(account, "app_secret", APP_SECRET)
            set_secret(account, "webhook_key", WEBHOOK_KEY)
    own.original_id = ORIGINAL_ID
    own.save()
    with committed():
        set_secret(own, "callback_token", CALLBACK_TOKEN)
        set_secret(own, "encoding_aes_key", AES_KEY)
    records = _sibling_records(matrix)
    # after the publishes, so no delivery is attempted
    WebhookEndpoint.objects.create(account=sibling, name=f"{MARK}端点", url="https://hooks.example.com/bj",
                                   secret=ENDPOINT_SECRET)
    client, token = make_api_client("西安公众号", matrix["branch1"], [own])
    _, sibling_token = make_api_client(f"{MARK}客户端", matrix["branch2"], [sibling])
    revoked, revoked_token = issue_token(client)
    revoke_token(revoked)
    expired_client = create_client(name="过期客户端", organisation=matrix["branch1"], accounts=[own],
                                   expires_at=timezone.now() - datetime.timedelta(minutes=1))
    _, expired_token = issue_token(expired_client)
    tokens = [token, sibling_token, revoked_token, expired_token]
    secrets = [APP_SECRET, WEBHOOK_KEY, ENDPOINT_SECRET, CALLBACK_TOKEN, AES_KEY, *tokens]
    secrets += [token_digest(t) for t in tokens]
    with httpx.Client(timeout=30) as http:
        yield World(url=live_server.url, token=token, sibling_token=sibling_token, revoked_token=revoked_token,
                    expired_token=expired_token, sibling=records, secrets=secrets, http=http)
