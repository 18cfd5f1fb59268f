"""The batched message log: no request waits for its row, a background thread writes
the rows together, and neither a refused row nor a database outage loses the others."""

import os
import threading
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from callback.logbook import COLUMNS, Logbook, logbook
from callback.models import MessageLog

from .conftest import text_xml


def _values(account_id, openid="o-batch"):
    return {"account_id": account_id, "openid": openid, "msg_type": "text", "created_at": timezone.now()}


@pytest.mark.django_db(transaction=True)
def test_a_row_is_written_by_the_background_thread_after_the_reply(account, wechat, rule, settings):
    # given rows are batched every 100 ms
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 100
    rule(keyword="话费", reply_text="余额请回复1")
    # when WeChat sends a message
    response = wechat.post(text_xml("话费"))
    # then the reply came at once, and its log row follows within the interval
    assert "余额请回复1" in wechat.reply(response)
    deadline = time.monotonic() + 5
    while not MessageLog.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert MessageLog.objects.get().matched_label == "话费"
    assert logbook.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_does_not_hold_back_the_others(account, settings):
    # given a batch with a row of an account deleted since
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 60_000  # only explicit flushes here
    book = Logbook()
    book._rows = [_values(account.pk, "o-1"), _values(999_999_999, "o-gone"), _values(account.pk, "o-2")]
    # when the batch is written
    written = book.flush()
    # then the account's rows are stored and the refused one is dropped, not retried
    assert written == 2
    assert sorted(MessageLog.objects.values_list("openid", flat=True)) == ["o-1", "o-2"]
    assert book.pending() == 0


def test_rows_are_kept_while_the_database_is_down_and_written_when_it_is_back(account, monkeypatch):
    book = Logbook()
    book._rows = [_values(account.pk, "o-1"), _values(account.pk, "o-2")]
    # given the database refuses connections (the writer's statement fails as psycopg would)
    original = Logbook._write

    def down(self, rows):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Logbook, "_write", down)
    # when a flush fails, the rows stay
    assert book.flush() == 0 and book.pending() == 2
    # and when it is back, the next flush writes them
    monkeypatch.setattr(Logbook, "_write", original)
    assert book.flush() == 2
    assert MessageLog.objects.count() == 2 and book.pending() == 0


def test_the_writer_gives_every_column_of_the_log():
    # The batch statement names its columns: a field added to the model must be added to it too.
    fields = {f.attname for f in MessageLog._meta.concrete_fields if not f.primary_key}
    assert {name for name, _default in COLUMNS} == fields


def test_a_flusher_thread_that_died_is_replaced_by_the_next_row(settings):
    # given a logbook whose flusher thread of this process has ended
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 60_000  # the new thread only naps here
    book = Logbook()
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    book._thread_pid, book._thread = os.getpid(), dead
    # when a row arrives
    book.add({"account_id": 1})
    # then a live flusher holds it
    assert book._thread is not dead and book._thread.is_alive()
    assert book.pending() == 1
