"""The message log's writer and its retention: rows collected per process and
written together, rows past WECHAT_CALLBACK_LOG_DAYS purged once an hour.

One INSERT per message was a quarter of the endpoint's CPU (and PostgreSQL's); the
log is diagnostic, so a process keeps its rows and a background thread writes them
in one statement every ``WECHAT_CALLBACK_LOG_FLUSH_MS`` milliseconds, and at exit:
no request waits for the log. A process killed outright loses at most that
interval's rows, never a reply. ``0`` writes each row at once (the test settings do).

A user message's row is written for its first delivery only: the flusher claims the
batch's deliveries in one Redis round trip (``dedupe.claim_many``) and leaves out the
rows of retries, so a message costs no round trip of its own."""

import atexit
import functools
import json
import logging
import os
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DataError, IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from . import dedupe
from .models import Follower, MessageLog

logger = logging.getLogger(__name__)

# Rows per INSERT statement on databases other than PostgreSQL (SQLite). Kept rows are capped so
# that a database down for long cannot exhaust the process's memory; the oldest go first.
BATCH_ROWS = 500
MAX_KEPT_ROWS = 20_000
PURGE_EVERY_SECONDS = 3600
_purge_checked_at = float("-inf")

# The columns a row may give, with the value of those it leaves out (the model's defaults).
COLUMNS = (
    ("account_id", None), ("openid", ""), ("msg_type", ""), ("event", ""), ("excerpt", ""),
    ("matched_kind", ""), ("matched_rule_id", None), ("matched_label", ""), ("encrypted", False),
    ("created_at", None),
)
DEFAULTS = dict(COLUMNS)
# Where a kept row holds the key of the delivery it records until the flusher claims it.
CLAIM = "_claim"


def flush_seconds():
    return max(0, settings.WECHAT_CALLBACK_LOG_FLUSH_MS) / 1000


class Logbook:
    def __init__(self):
        self._rows = []
        self._dropped = 0
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._thread_pid = None
        self._thread = None

    def add(self, values, claim=None):
        """Keep one row's values for the flusher thread (or write it now, with no interval).
        ``claim``: the dedupe key of the delivery the row records; the row is written only
        if this is the delivery's first claim."""
        if "created_at" not in values:
            values["created_at"] = timezone.now()
        if claim is not None:
            values[CLAIM] = claim
        if flush_seconds() <= 0:
            rows = _first_deliveries([values])
            if rows:
                self._write(rows)
                purge_hourly()
            return
        with self._lock:
            self._rows.append(values)
            if len(self._rows) > MAX_KEPT_ROWS:
                del self._rows[: len(self._rows) - MAX_KEPT_ROWS]
                self._dropped += 1
        self._ensure_thread()

    def pending(self):
        with self._lock:
            return len(self._rows)

    def flush(self):
        """Write every kept row; rows of a failed write are kept for the next flush."""
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
                dropped, self._dropped = self._dropped, 0
            if dropped:
                logger.error("dropped %d wechat callback log rows: the database took none for too long", dropped)
            rows = _first_deliveries(rows)
            if not rows:
                return 0
            try:
                self._write(rows)
                return len(rows)
            except (IntegrityError, DataError):
                # A row the database refuses (its account deleted meanwhile) must not
                # hold back the others: write them one by one, drop the refused.
                return self._write_each(rows)
            except Exception:
                logger.exception("could not write %d wechat callback log rows; kept for the next flush", len(rows))
                self._keep(rows)
                return 0

    def _write_each(self, rows):
        written = 0
        for n, values in enumerate(rows):
            try:
                self._write([values])
                written += 1
            except (IntegrityError, DataError) as exc:
                logger.warning("wechat callback log row of account %s refused: %s", values.get("account_id"), exc)
            except Exception:
                logger.exception("could not write wechat callback log rows; kept for the next flush")
                self._keep(rows[n:])
                break
        return written

    def _keep(self, rows):
        with self._lock:
            self._rows = (rows + self._rows)[-MAX_KEPT_ROWS:]

    def _write(self, rows):
        with transaction.atomic():
            if connection.vendor != "postgresql":
                _record_followers(rows)
                MessageLog.objects.bulk_create([MessageLog(**values) for values in rows], batch_size=BATCH_ROWS)
                return
            # The rows and their followers in one statement fed by one JSON text: building
            # it is this thread's only Python work per row, and that work holds the GIL
            # that requests wait for. Diagnostic rows: no WAL flush wait for them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute(_batch_sql(), [json.dumps(
                    [{**DEFAULTS, **values} for values in rows], ensure_ascii=False, default=datetime.isoformat)])

    def _running(self):
        return self._thread_pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _ensure_thread(self):
        # One flusher per process; a forked worker starts its own, and a flusher that
        # died is replaced rather than leaving rows to pile up unwritten.
        if self._running():
            return
        with self._lock:
            if self._running():
                return
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="wechat-callback-log", daemon=True)
            self._thread.start()

    def _run(self):
        last = time.monotonic()
        while True:
            # Short naps: a changed interval takes effect at once.
            time.sleep(0.05)
            if time.monotonic() - last < (flush_seconds() or 0.25):
                continue
            last = time.monotonic()
            try:
                self._tick()
            except Exception:  # the flusher outlives a broken database or connection
                logger.exception("wechat callback log flusher: tick failed; retrying")

    def _tick(self):
        if self.pending():
            self.flush()
            purge_hourly()
            # The thread's own connection: drop it if it broke or aged out.
            close_old_connections()
        else:
            # Idle: hold no connection (busy again, the next flush opens one).
            connection.close()


logbook = Logbook()


def _first_deliveries(rows):
    """``rows`` without those of retries, their deliveries claimed in one round trip.
    Claims Redis does not answer count as first deliveries: a message logged twice rather
    than never."""
    claimed = [values for values in rows if CLAIM in values]
    if not claimed:
        return rows
    keys = [values.pop(CLAIM) for values in claimed]
    try:
        firsts = dedupe.claim_many(keys)
    except Exception:
        logger.warning("wechat callback: %d log rows' claims unanswered, counted as first deliveries", len(keys),
                       exc_info=True)
        return rows
    retries = {id(values) for values, first in zip(claimed, firsts, strict=True) if not first}
    return [values for values in rows if id(values) not in retries] if retries else rows


def _followed(rows):
    """(account_id, openid) -> the last row of each follower: it says whether they still
    follow. Publish-job events come from WeChat, not a follower."""
    latest = {}
    for values in rows:
        if values.get("matched_kind") == MessageLog.Matched.PUBLISH_JOB or not values.get("openid"):
            continue
        latest[(values["account_id"], values["openid"])] = values
    return latest


def _record_followers(rows):
    """Who wrote to which account, in one upsert per flush (databases other than PostgreSQL)."""
    latest = _followed(rows)
    if latest:
        Follower.objects.bulk_create(
            [
                Follower(account_id=account_id, openid=openid,
                         subscribed=values.get("event", "").lower() != "unsubscribe", last_seen=values["created_at"])
                for (account_id, openid), values in latest.items()
            ],
            update_conflicts=True, unique_fields=["account", "openid"], update_fields=["subscribed", "last_seen"],
        )


@functools.cache
def _batch_sql():
    """Insert the batch's log rows and upsert its followers (the rule of ``_followed``:
    the last row of an openid wins) from a JSON array of the rows' values."""
    log, follower = MessageLog._meta, Follower._meta
    quote = connection.ops.quote_name
    names = [name for name, _default in COLUMNS]
    fields = ", ".join(f"{quote(name)} {log.get_field(name).db_type(connection)}" for name in names)
    columns = ", ".join(quote(log.get_field(name).column) for name in names)
    selected = ", ".join(quote(name) for name in names)
    f_account, f_openid, f_subscribed, f_last_seen = (
        quote(follower.get_field(name).column) for name in ("account", "openid", "subscribed", "last_seen"))
    return (
        f"WITH batch AS (SELECT * FROM ROWS FROM (json_to_recordset(%s::json) AS ({fields})) "
        f"WITH ORDINALITY AS b({selected}, ordinal)), "
        f"logged AS (INSERT INTO {quote(log.db_table)} ({columns}) SELECT {selected} FROM batch ORDER BY ordinal) "
        f"INSERT INTO {quote(follower.db_table)} ({f_account}, {f_openid}, {f_subscribed}, {f_last_seen}) "
        "SELECT DISTINCT ON (account_id, openid) account_id, openid, lower(event) <> 'unsubscribe', created_at "
        f"FROM batch WHERE openid <> '' AND matched_kind <> '{MessageLog.Matched.PUBLISH_JOB.value}' "
        "ORDER BY account_id, openid, ordinal DESC "
        f"ON CONFLICT ({f_account}, {f_openid}) DO UPDATE SET {f_subscribed} = EXCLUDED.{f_subscribed}, "
        f"{f_last_seen} = EXCLUDED.{f_last_seen}"
    )


def purge_hourly():
    """Purge expired rows, once an hour across all processes (by the writer: never
    while a request waits)."""
    global _purge_checked_at
    # One look at the shared marker a minute per process keeps Redis off the writer's path.
    now = time.monotonic()
    if now - _purge_checked_at < 60:
        return
    _purge_checked_at = now
    if cache.add("wechat_callback:purged", True, PURGE_EVERY_SECONDS):
        purge_expired()


def purge_expired(now=None):
    """Delete log rows older than WECHAT_CALLBACK_LOG_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WECHAT_CALLBACK_LOG_DAYS)
    deleted, _detail = MessageLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@atexit.register
def _flush_at_exit():
    if logbook.pending():
        logbook.flush()
