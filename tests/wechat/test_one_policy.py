"""One retry back-off and one publish polling policy (wechat/retry.py), used by the
client and by the publishing app's jobs alike: a second copy elsewhere fails here."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from publishing.services.articles import poll_delay
from publishing.services.dispatch import retry_delay
from tests.support.source import parse
from wechat.client import Article
from wechat.errors import TransientError
from wechat.retry import PollPolicy, RetryPolicy

ROOT = Path(__file__).resolve().parents[2]
APPS = ("api", "callback", "cms", "content", "importing", "media", "menus", "notices", "publishing", "renditions", "wechat")
POLICY_MODULE = ROOT / "wechat" / "retry.py"
# Settings that say how far apart attempts and polls are: only the policy reads them.
POLICY_SETTINGS = {
    "PUBLISHING_RETRY_BASE_SECONDS", "PUBLISHING_RETRY_CAP_SECONDS", "PUBLISHING_POLL_SECONDS",
    "WECHAT_RETRY_BASE_DELAY", "WECHAT_RETRY_CAP", "WECHAT_RETRY_MAX_ATTEMPTS",
}


def production_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and "settings" not in path.parts:
                yield path


def test_only_the_policy_module_reads_the_backoff_and_polling_settings_or_draws_jitter():
    offenders = []
    for path in production_modules():
        if path == POLICY_MODULE:
            continue
        for node in ast.walk(parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in POLICY_SETTINGS | {"uniform"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert not offenders, "back-off or polling decided outside wechat/retry.py: " + ", ".join(offenders)


@pytest.mark.parametrize("failures", range(1, 12))
def test_job_retry_delay_is_the_retry_policy_with_the_publishing_settings(failures, settings):
    # given
    settings.PUBLISHING_RETRY_BASE_SECONDS = 2
    settings.PUBLISHING_RETRY_CAP_SECONDS = 300
    ceiling = RetryPolicy(base_delay=2, cap=300).ceiling(failures)
    # when
    delays = [retry_delay(failures) for _ in range(30)]
    # then: equal jitter under the same ceiling the client's retries use
    assert ceiling == min(300, 2 * 2 ** (failures - 1))
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)


def test_client_retries_back_off_the_same_way():
    policy = RetryPolicy(base_delay=0.5, cap=30)
    for number in range(1, 10):
        assert policy.ceiling(number) / 2 <= policy.backoff(number) <= policy.ceiling(number)


@pytest.mark.parametrize("polls", [0, 1, 2, 5, 20])
def test_publish_job_polls_follow_the_poll_policy(polls, settings):
    settings.PUBLISHING_POLL_SECONDS = 2
    assert poll_delay(SimpleNamespace(remote={"polls": polls})) == PollPolicy(first=2).delay(polls)
    assert PollPolicy(first=2).delay(20) == 60


def test_client_wait_for_publish_sleeps_the_poll_policy(wechat_client, wechat_emulator, cover, sleeps):
    # given: a publish that stays running
    draft = wechat_client.add_draft([Article("轮询", "<p>正文</p>", cover.media_id)], idempotency_key="poll-1")
    wechat_emulator.state.configure(publish_delay_ms=60_000)
    publish_id = wechat_client.submit_publish(draft).publish_id
    sleeps.clear()
    # when
    with pytest.raises(TransientError):
        wechat_client.wait_for_publish(publish_id, timeout=0.5, interval=0.05)
    # then
    assert sleeps and sleeps == [PollPolicy(first=0.05).delay(n) for n in range(len(sleeps))]
