"""Retries of transient WeChat errors: exponential backoff with full jitter.

The same policy serves the client's in-call retries (``run``) and Celery tasks that
retry later (``countdown``), so a busy WeChat sees the same spread of retries
whichever layer backs off."""

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

    def ceiling(self, retry_number):
        """The largest delay before retry ``retry_number`` (1 for the first retry)."""
        return min(self.cap, self.base_delay * (2 ** (retry_number - 1)))

    def backoff(self, retry_number):
        """Full jitter: uniform between 0 and the exponential ceiling, so workers that
        failed together do not come back together."""
        return self.rng.uniform(0, self.ceiling(retry_number))

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
