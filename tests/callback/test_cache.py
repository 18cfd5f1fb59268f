"""Answers come from the reply table cached on publish: no SQL on the hot path, and
publish, unpublish, delete and secret changes rebuild it."""

import xmltodict
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.db import connection

from content.models import AutoReply
from content.services.accounts import set_secret
from callback import table
from callback.logbook import logbook

from tests.support.content import committed
from tests.support.factories import ArticleFactory

from .conftest import WeChatSender, text_xml


def _content(wechat, text, mode="plain"):
    body = wechat.reply(wechat.post(text_xml(text), mode), mode)
    return body if body == "success" else xmltodict.parse(body)["xml"]["Content"]


def test_keyword_answer_runs_no_sql(account, wechat, rule, settings):
    # given: a warm table, the hourly purge already done, log rows batched (production's default)
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 60_000
    rule(keyword="流量", reply_text="x")
    _content(wechat, "warm up")
    # when
    with CaptureQueriesContext(connection) as queries:
        assert _content(wechat, "流量", "safe") == "x"
    # then: no statement at all; the log row waits for the process's next batch
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert logbook.pending() == 2  # the warm-up message and this one


def test_publishing_a_rule_rebuilds_the_table_after_commit(account, wechat, rule):
    # given
    reply = rule(keyword="新", reply_text="old answer")
    assert _content(wechat, "新") == "old answer"
    reply.reply_text = "new answer"
    revision = reply.save_revision()
    assert _content(wechat, "新") == "old answer"
    # when
    with committed():
        revision.publish()
    # then
    assert _content(wechat, "新") == "new answer"


def test_unpublishing_a_rule_removes_its_answer(account, wechat, rule):
    reply = rule(keyword="停", reply_text="x")
    assert _content(wechat, "停") == "x"
    with committed():
        reply.unpublish()
    assert _content(wechat, "停") == "success"


def test_deleting_a_rule_removes_its_answer(account, wechat, rule):
    reply = rule(keyword="删", reply_text="x")
    assert _content(wechat, "删") == "x"
    with committed():
        reply.delete()
    assert _content(wechat, "删") == "success"


def test_new_callback_token_takes_effect_at_once(client, account, wechat, rule):
    # given
    rule(keyword="k", reply_text="v")
    assert _content(wechat, "k") == "v"
    # when
    with committed():
        set_secret(account, "callback_token", "rotated-token")
    # then
    assert wechat.post(text_xml("k")).status_code == 403
    assert _content(WeChatSender(client, account, token="rotated-token"), "k") == "v"


def test_disabled_account_stops_answering(account, wechat, rule):
    rule(keyword="k", reply_text="v")
    assert _content(wechat, "k") == "v"
    with committed():
        account.enabled = False
        account.save()
    assert wechat.post(text_xml("k")).status_code == 404


def test_cold_cache_is_rebuilt_from_published_rules(account, wechat, rule):
    # given: the cache was flushed (Redis restarted) and the process is new
    rule(keyword="k", reply_text="v")
    cache.clear()
    table._compiled.clear()
    # when / then
    assert _content(wechat, "k") == "v"
    assert cache.get(table.INDEX_KEY) == {account.code}


def test_other_process_picks_up_a_rebuild_through_the_generation(account, wechat, rule):
    # given: this process holds a compiled table
    reply = rule(keyword="k", reply_text="v1")
    assert _content(wechat, "k") == "v1"
    held = table._compiled[account.code]
    # when: another process publishes (simulated by rebuilding without touching our memo)
    AutoReply.objects.filter(pk=reply.pk).update(reply_text="v2")
    table.rebuild_table(account.code)
    table._compiled[account.code] = held
    # then: within the recheck delay this process still answers from memory
    assert _content(wechat, "k") == "v1"
    # and once the delay passed it sees the new generation
    held.checked_at -= table.RECHECK_SECONDS
    assert _content(wechat, "k") == "v2"


def test_republished_article_refreshes_news_replies(account, wechat, rule, matrix):
    # given
    article = ArticleFactory(code="ART-1", title="旧标题", organisation=matrix["province"], shared_to=[matrix["branch1"]],
                             published=True)
    rule(keyword="文", reply_type="article", reply_article=article, reply_text="")
    # when
    article.title = "新标题"
    with committed():
        article.save_revision().publish()
    # then
    reply = xmltodict.parse(wechat.reply(wechat.post(text_xml("文"))))["xml"]
    assert reply["Articles"]["item"]["Title"] == "新标题"



def test_table_sealed_under_an_old_secrets_key_is_rebuilt(account, wechat, rule, settings):
    # given: a cached table whose secrets were encrypted under a key since rotated
    rule(keyword="k", reply_text="v")
    generation = cache.get(table.gen_key(account.code))
    stale = cache.get(table.table_key(account.code, generation))
    stale["token"] = "gAAAAABnot-a-valid-fernet-token"
    cache.set(table.table_key(account.code, generation), stale)
    table._compiled.clear()
    # when / then
    assert _content(wechat, "k") == "v"
