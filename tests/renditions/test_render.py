"""The public API: one renderer per channel, targeting, blocking per channel."""

from renditions.services import blocked_accounts, render, render_all, render_many


def test_a_channel_the_article_does_not_target_blocks_only_that_channel(sample):
    # given: ART00001 targets WeChat, the mini-program and SMS, not the web
    article = sample.article("ART00001")
    accounts = [sample.account("wx-sx-01"), sample.account("web-sx")]
    # when
    wechat, web = render_all(article, accounts)
    # then
    assert not wechat.blocking
    assert [w.code for w in web.warnings if w.blocking] == ["not_targeted"]
    assert blocked_accounts([wechat, web]) == {"web-sx": [web.warnings[-1]]}


def test_render_takes_the_channel_from_the_account_unless_given(sample):
    article = sample.article("ART00002")
    web = sample.account("web-sx")
    assert render(article, web).channel == "web"
    assert render(article, sample.account("sms-10086"), channel="sms").channel == "sms"


def test_render_many_renders_mixed_items_for_every_account(sample):
    # given
    items = [sample.article("ART00002"), sample.package("PKG0001"), sample.business("BIZ0001"), sample.template("SMS000002")]
    accounts = [sample.account("sms-10086"), sample.account("web-sx")]
    # when
    results = dict((item.code, renditions) for item, renditions in render_many(items, accounts, batch_size=3))
    # then
    assert set(results) == {"ART00002", "PKG0001", "BIZ0001", "SMS000002"}
    assert [r.channel for r in results["PKG0001"]] == ["sms", "web"]
    assert "KTTC0001" in results["PKG0001"][0].text and "KTTC0001" in results["PKG0001"][1].html
    sms, web = results["SMS000002"]
    assert not sms.blocking and [w.code for w in web.warnings] == ["unsupported_channel"]


def test_warning_text_names_item_channel_account_and_cause(sample):
    article = sample.article("ARTBAD1")
    (wechat,) = render_all(article, [sample.account("wx-sx-01")])
    text = str(next(w for w in wechat.warnings if w.blocking))
    assert text.startswith("[阻止发布] 图文 ARTBAD1 → 微信公众号(wx-sx-01): ")
    assert "封面" in text
