"""A separate worker process asking for the access token (used by test_tokens):
``python -m tests.wechat.token_worker BASE_URL REDIS_URL PREFIX APP_ID``.
Prints ``ready`` once set up, waits for a line on stdin so all workers ask at once
(the test releases them when every one is ready), then prints the token's hash."""

import hashlib
import os
import sys

import django


def main(base_url, redis_url, prefix, app_id):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    import redis

    from wechat.client import WeChatClient
    from wechat.tokens import RedisTokenStore

    store = RedisTokenStore(redis.Redis.from_url(redis_url), prefix=prefix)
    client = WeChatClient(app_id, "worker-secret", base_url, store, timeout=10)
    print("ready", flush=True)
    sys.stdin.readline()
    print(hashlib.sha256(client.access_token().encode()).hexdigest())


if __name__ == "__main__":
    main(*sys.argv[1:5])
