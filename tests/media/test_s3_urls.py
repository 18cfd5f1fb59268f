"""S3_SIGNED_URLS: stable public URLs by default, signed expiring ones for a private
bucket, through the local S3 server (moto) as in production."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
import httpx
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

ROOT = Path(__file__).resolve().parents[2]
PORT = 9233
ENDPOINT = f"http://127.0.0.1:{PORT}"
CREDENTIALS = {"S3_ACCESS_KEY_ID": "urls-test", "S3_SECRET_ACCESS_KEY": "urls-test-secret"}


def storage_options(**env):
    """The default storage's options as the settings build them from this environment."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cms.settings.dev", S3_BUCKET="cms-urls", S3_ENDPOINT_URL=ENDPOINT,
               **CREDENTIALS, **env)
    for name in ("S3_SIGNED_URLS", "S3_QUERYSTRING_AUTH", "S3_SIGNED_URL_SECONDS"):
        if name not in env or env[name] is None:
            env.pop(name, None)
    code = "import json, django; django.setup(); from django.conf import settings; " \
           "print(json.dumps(settings.STORAGES['default']['OPTIONS']))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bucket():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    client = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                          aws_access_key_id=CREDENTIALS["S3_ACCESS_KEY_ID"],
                          aws_secret_access_key=CREDENTIALS["S3_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket="cms-urls")
    yield client
    server.stop()


@pytest.mark.integration
def test_urls_are_stable_by_default(bucket):
    options = storage_options(S3_SIGNED_URLS=None, S3_QUERYSTRING_AUTH=None)
    assert options["querystring_auth"] is False
    storage = S3Storage(**options)
    name = storage.save("images/stable.txt", ContentFile(b"stable"))
    url = storage.url(name)
    assert urlparse(url).query == ""
    assert url == storage.url(name)  # the same URL every time: cacheable by browsers and CDNs


@pytest.mark.integration
def test_signed_urls_carry_a_signature_and_an_expiry_and_serve_the_file(bucket):
    options = storage_options(S3_SIGNED_URLS="true", S3_SIGNED_URL_SECONDS="600")
    assert options["querystring_auth"] is True and options["querystring_expire"] == 600
    storage = S3Storage(**options)
    name = storage.save("images/signed.txt", ContentFile(b"signed"))
    query = parse_qs(urlparse(storage.url(name)).query)
    assert "X-Amz-Signature" in query or "Signature" in query
    # SigV4 says how long, SigV2 until when.
    expires = int(query["X-Amz-Expires"][0]) if "X-Amz-Expires" in query else int(query["Expires"][0]) - time.time()
    assert 590 <= expires <= 600
    response = httpx.get(storage.url(name))
    assert response.status_code == 200 and response.content == b"signed"


def test_the_old_variable_name_still_turns_signing_on():
    assert storage_options(S3_QUERYSTRING_AUTH="true")["querystring_auth"] is True
    assert storage_options(S3_SIGNED_URLS="false", S3_QUERYSTRING_AUTH="true")["querystring_auth"] is False
