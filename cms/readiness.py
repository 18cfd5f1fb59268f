"""What readiness checks, one function per dependency: each returns a short detail or
raises (NotReady with a message of ours; any other exception is reported by type
only, so no URL or credential from a driver's message reaches the answer)."""

import os
import weakref
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.cache import cache
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.utils import timezone


class NotReady(Exception):
    pass


def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def cache_():
    # A round trip through the shared cache (tokens, reply tables, answers live there).
    cache.set("healthz:probe", "ok", 10)
    if cache.get("healthz:probe") != "ok":
        raise NotReady("the cache did not return what was just written")
    return type(cache).__name__


def broker():
    from cms.celery import app

    if str(app.conf.broker_url or "").startswith("filesystem://"):
        folder = Path(app.conf.broker_transport_options["data_folder_in"])
        if not folder.is_dir():
            raise NotReady(f"broker folder {folder} is missing")
        return "filesystem"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_CHECK_TIMEOUT_SECONDS)
        return conn.transport.driver_type


def worker():
    from cms import heartbeat

    seen_at = heartbeat.latest()
    if seen_at is None:
        raise NotReady("no worker has stamped its heartbeat")
    age = (timezone.now() - seen_at).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
        raise NotReady(f"newest worker heartbeat is {age:.0f} s old")
    return f"heartbeat {age:.0f} s ago"


def secrets():
    """One stored channel-account secret decrypts with the configured key (none stored: nothing to check)."""
    from content.models import ChannelAccount
    from content.secrets import decrypt

    fields = ChannelAccount.SECRET_FIELDS
    stored = " OR ".join(f"{field} <> ''" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code, {', '.join(fields)} FROM {ChannelAccount._meta.db_table} WHERE {stored} LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return "no stored secret"
    field, token = next((f, t) for f, t in zip(fields, row[1:]) if t)
    try:
        decrypt(token)
    except ValueError as exc:
        raise NotReady(f"channel account {row[0]}: {field} does not decrypt with CMS_SECRETS_KEY") from exc
    return "decrypts"


def static():
    """The manifest the admin's pages need, when static files are served from one."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return "no manifest in use"
    if not storage.exists(storage.manifest_name):
        raise NotReady(f"{storage.manifest_name} is missing: run collectstatic")
    if not storage.load_manifest():
        raise NotReady(f"{storage.manifest_name} is empty or unreadable")
    return storage.manifest_name


# The storage's boto3 resource is per thread and each check runs in a new thread:
# its client (thread-safe) is kept instead, so a check costs a HEAD, not a new session.
_s3_clients = weakref.WeakKeyDictionary()


def _s3_client(backend):
    client = _s3_clients.get(backend)
    if client is None:
        client = _s3_clients[backend] = backend.connection.meta.client
    return client


def storage():
    """A HEAD on the bucket (S3) or a writable media folder; nothing is written."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        _s3_client(default_storage._wrapped).head_bucket(Bucket=bucket)
        return f"s3 {bucket}"
    # The folder is made on the first upload: its parent must be writable until then.
    location = Path(default_storage.location)
    target = location if location.exists() else location.parent
    if not os.access(target, os.W_OK):
        raise NotReady(f"media folder {location} is not writable")
    return "filesystem"


CHECKS = {
    "database": database,
    "cache": cache_,
    "broker": broker,
    "worker": worker,
    "secrets": secrets,
    "static": static,
    "storage": storage,
}
