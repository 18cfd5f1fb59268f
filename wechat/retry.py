"""How long to wait before asking again: the project's one retry back-off and its
one publish polling policy.

``RetryPolicy``: capped exponential backoff with equal jitter (half the ceiling
fixed, half random), so attempts that failed together do not come back together
and none comes back at once. It serves the client's in-call retries (``run``,
``WECHAT_RETRY_*``), Celery countdowns (``countdown``) and the stored jobs of the
publishing app (push jobs and webhook deliveries, ``PUBLISHING_RETRY_*``): the
settings say how far apart, this module how.

``PollPolicy``: the waits between ``freepublish/get`` polls of a running publish,
``PUBLISHING_POLL_SECONDS`` first, then 1.5 times longer each time, at most a
minute. Publish jobs poll by re-queuing themselves (giving up after
``PUBLISHING_RESULT_TIMEOUT_SECONDS``); the client's blocking ``wait_for_publish``
sleeps between polls (giving up after ``WECHAT_PUBLISH_POLL_TIMEOUT``)."""

import logging
import random
import time
from dataclasses import dataclass, field

from django.conf import settings

from .errors import TransientError

log = logging.getLogger("wechat")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self):
        if self.max_attempts < 1 or self.base_delay < 0 or self.cap < 0:
            raise ValueError("a retry policy needs max_attempts >= 1 and non-negative delays")

    @classmethod
    def from_settings(cls):
        return cls(
            max_attempts=settings.WECHAT_RETRY_MAX_ATTEMPTS,
            base_delay=settings.WECHAT_RETRY_BASE_DELAY,
            cap=settings.WECHAT_RETRY_CAP,
        )

    @classmethod
    def for_jobs(cls):
        """The back-off of stored jobs (push jobs, webhook deliveries), whose attempts
        are counted by the job itself (``PUBLISHING_MAX_FAILURES``)."""
        return cls(
            max_attempts=settings.PUBLISHING_MAX_FAILURES,
            base_delay=settings.PUBLISHING_RETRY_BASE_SECONDS,
            cap=settings.PUBLISHING_RETRY_CAP_SECONDS,
        )

    def ceiling(self, retry_number):
        """The largest delay before retry ``retry_number`` (1 for the first retry)."""
        return min(self.cap, self.base_delay * (2 ** (max(retry_number, 1) - 1)))

    def backoff(self, retry_number):
        """Equal jitter: half the exponential ceiling fixed, half uniform random."""
        ceiling = self.ceiling(retry_number)
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def countdown(self, retries):
        """Seconds for ``task.retry(countdown=...)`` after ``retries`` earlier retries."""
        return max(1, round(self.backoff(retries + 1)))

    def run(self, attempt, *, sleep=time.sleep, what=""):
        """Call ``attempt()`` until it returns or raises something other than a
        ``TransientError``; re-raise the last transient error after ``max_attempts``."""
        for number in range(1, self.max_attempts + 1):
            try:
                return attempt()
            except TransientError as exc:
                if number >= self.max_attempts:
                    raise
                delay = self.backoff(number)
                log.warning("%s: %s; retry %d/%d in %.2fs", what, exc, number, self.max_attempts - 1, delay)
                sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")


@dataclass(frozen=True)
class PollPolicy:
    """Waits between polls of a running WeChat publish (freepublish/get)."""

    first: float = 1.0
    factor: float = 1.5
    cap: float = 60.0

    @classmethod
    def from_settings(cls):
        return cls(first=settings.PUBLISHING_POLL_SECONDS)

    def delay(self, polls):
        """The wait before a poll: ``first`` at ``polls=0``, 1.5 times longer per step, at most ``cap``."""
        return min(self.cap, self.first * self.factor**polls)
