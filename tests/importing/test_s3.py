"""Images land in S3 when S3 is configured: a local S3 server (moto in server
mode) spoken to over HTTP by boto3, as in production."""

import hashlib

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

from media.models import LibraryImage
from harness.export import read

PORT = 18650
ENDPOINT = f"http://127.0.0.1:{PORT}"
CREDENTIALS = {"aws_access_key_id": "import-test", "aws_secret_access_key": "import-test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    yield ENDPOINT
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings):
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **CREDENTIALS)
    bucket = "cms-import-test"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client, bucket
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


@pytest.mark.integration
def test_images_land_in_the_configured_s3_bucket(run_import, small_export, s3_bucket):
    # given
    client, bucket = s3_bucket
    data = read(small_export)
    # when
    report = run_import(small_export)
    # then
    assert report.counts["images"]["created"] == len(data["images"])
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    for image in LibraryImage.objects.all():
        assert image.file.name in keys
        body = client.get_object(Bucket=bucket, Key=image.file.name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == image.content_hash
        assert body == (small_export / f"images/{image.code}.png").read_bytes()


@pytest.mark.integration
def test_a_dry_run_uploads_nothing_and_a_reimport_uploads_nothing_again(run_import, small_export, s3_bucket):
    # given
    client, bucket = s3_bucket
    # when
    run_import(small_export, dry_run=True)
    # then
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    # when
    run_import(small_export)
    first = client.list_objects_v2(Bucket=bucket)["KeyCount"]
    run_import(small_export)
    # then
    assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == first == len(read(small_export)["images"])
