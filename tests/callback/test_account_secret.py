"""`manage.py account_secret`: secrets from standard input, never printed."""

import io

import pytest
from django.core.management import CommandError, call_command

from content.models import ChannelAccount

from .conftest import AES_KEY


def _run(*args, stdin=""):
    out = io.StringIO()
    call_command("account_secret", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


def test_set_reads_the_value_from_stdin_and_never_prints_it(matrix):
    # when
    output = _run("set", "wx-sx-01", "callback_token", stdin="tok-from-stdin\n")
    # then
    assert "tok-from-stdin" not in output
    assert ChannelAccount.objects.get(code="wx-sx-01").callback_token.reveal() == "tok-from-stdin"


def test_set_encoding_aes_key_and_status(matrix):
    _run("set", "wx-sx-01", "encoding_aes_key", stdin=AES_KEY)
    status = _run("status", "wx-sx-01")
    assert "encoding_aes_key\tset" in status and "app_secret\tnot set" in status
    assert AES_KEY not in status


def test_clear_removes_the_value(matrix):
    _run("set", "wx-sx-01", "webhook_key", stdin="k")
    _run("clear", "wx-sx-01", "webhook_key")
    assert not ChannelAccount.objects.get(code="wx-sx-01").webhook_key


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (("set", "nope", "callback_token"), "x", "nope: account"),
        (("set", "wx-sx-01", "encoding_aes_key"), "too-short", "wx-sx-01: encoding_aes_key"),
        (("set", "wx-sx-01", "callback_token"), "", "no value on standard input"),
    ],
)
def test_errors_name_the_account_and_field(matrix, args, stdin, message):
    with pytest.raises(CommandError, match=message):
        _run(*args, stdin=stdin)


def test_unknown_field_is_refused(matrix):
    with pytest.raises(CommandError):
        _run("set", "wx-sx-01", "password", stdin="x")


def test_new_token_rebuilds_the_reply_table(matrix, django_capture_on_commit_callbacks, client):
    # given
    from .conftest import WeChatSender, text_xml

    account = ChannelAccount.objects.get(code="wx-sx-01")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _run("set", "wx-sx-01", "callback_token", stdin="fresh-token")
    # then: the endpoint takes callbacks signed with the new token
    assert WeChatSender(client, account, token="fresh-token").post(text_xml("x")).status_code == 200
