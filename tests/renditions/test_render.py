"""The public API: one renderer per channel, targeting, blocking per channel."""

from renditions.services import blocked_accounts, render, render_all, render_many

from .records import account, bad_cover_article, every_channel_article, branch_article_without_web, rows


def test_a_channel_the_article_does_not_target_blocks_only_that_channel(sample):
    # given: a branch article for WeChat, the mini-program and SMS, not the web
    row = branch_article_without_web(sample)
    article = sample.article(row["code"])
    wechat_account, web_account = account(sample, "wechat_official_account", row["org"]), account(sample, "web")
    # when
    wechat, web = render_all(article, [wechat_account, web_account])
    # then
    assert not wechat.blocking
    assert [w.code for w in web.warnings if w.blocking] == ["not_targeted"]
    assert blocked_accounts([wechat, web]) == {web_account.code: [web.warnings[-1]]}


def test_render_takes_the_channel_from_the_account_unless_given(sample):
    article = sample.article(every_channel_article(sample)["code"])
    assert render(article, account(sample, "web")).channel == "web"
    assert render(article, account(sample, "sms"), channel="sms").channel == "sms"


def test_render_many_renders_mixed_items_for_every_account(sample):
    # given: an article, a package, a business and a reply template
    package, business = rows(sample, "packages")[0], rows(sample, "businesses")[0]
    template = next(r for r in rows(sample, "sms_templates") if r["category"] == "reply")
    article = every_channel_article(sample)
    items = [sample.article(article["code"]), sample.package(package["code"]), sample.business(business["code"]),
             sample.template(template["code"])]
    accounts = [account(sample, "sms"), account(sample, "web")]
    # when
    results = dict((item.code, renditions) for item, renditions in render_many(items, accounts, batch_size=3))
    # then
    assert set(results) == {article["code"], package["code"], business["code"], template["code"]}
    assert [r.channel for r in results[package["code"]]] == ["sms", "web"]
    order = package["order_command"]
    assert order in results[package["code"]][0].text and order in results[package["code"]][1].html
    sms, web = results[template["code"]]
    assert not sms.blocking and [w.code for w in web.warnings] == ["unsupported_channel"]


def test_warning_text_names_item_channel_account_and_cause(sample):
    row = bad_cover_article(sample)
    article = sample.article(row["code"])
    wechat_account = account(sample, "wechat_official_account", row["org"])
    (wechat,) = render_all(article, [wechat_account])
    text = str(next(w for w in wechat.warnings if w.blocking))
    assert text.startswith(f"[阻止发布] 图文 {row['code']} → 微信公众号({wechat_account.code}): ")
    assert "封面" in text
