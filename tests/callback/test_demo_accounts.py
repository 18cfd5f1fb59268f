"""The demo's official accounts answer WeChat: ``use_emulator`` gives each a callback
token when it has none (without one an account takes no callbacks, 404), so
``rebuild_reply_tables`` builds their tables and the emulator's signed callbacks land."""

import io

from django.core.management import call_command

from content.models import ChannelAccount

from .conftest import WeChatSender, text_xml

EMULATOR = "http://127.0.0.1:18999"


def test_accounts_pointed_at_the_emulator_take_callbacks(client, matrix):
    # given: official accounts without any secret, as the sample import leaves them
    assert call_command_output("rebuild_reply_tables") == "rebuilt 0 reply tables"
    # when
    call_command("use_emulator", "--account", "wx-sx-01", "--account", "wx-sx", "--url", EMULATOR,
                 stdout=io.StringIO())
    # then
    assert call_command_output("rebuild_reply_tables") == "rebuilt 2 reply tables"
    named = ChannelAccount.objects.get(code="wx-sx-01")
    sender = WeChatSender(client, named, token=named.callback_token.reveal())
    assert sender.post(text_xml("你好")).content == b"success"
    other = ChannelAccount.objects.get(code="wx-sx-02")
    assert WeChatSender(client, other, token="any").post(text_xml("你好")).status_code == 404


def test_an_existing_callback_token_is_kept(matrix, account):
    before = account.callback_token.reveal()
    call_command("use_emulator", "--account", account.code, "--url", EMULATOR, stdout=io.StringIO())
    account.refresh_from_db()
    assert account.callback_token.reveal() == before


def call_command_output(name):
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue().strip()
