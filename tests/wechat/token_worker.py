"""A separate worker process asking for the access token (used by test_tokens):
``python -m tests.wechat.token_worker BASE_URL REDIS_URL PREFIX APP_ID START_AT``.
Waits until START_AT so all workers ask at once, then prints the token's hash."""

import hashlib
import os
import sys
import time

import django


def main(base_url, redis_url, prefix, app_id, start_at):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    import redis

    from wechat.client import WeChatClient
    from wechat.tokens import RedisTokenStore

    store = RedisTokenStore(redis.Redis.from_url(redis_url), prefix=prefix)
    client = WeChatClient(app_id, "worker-secret", base_url, store, timeout=10)
    time.sleep(max(0.0, float(start_at) - time.time()))
    print(hashlib.sha256(client.access_token().encode()).hexdigest())


if __name__ == "__main__":
    main(*sys.argv[1:6])
