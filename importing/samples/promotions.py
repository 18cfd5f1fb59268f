"""Promotion slots (营销位) of the sample: the web hall's home banner and cross-sell
row, the mini-program's home banner, the WeChat menu entry and the SMS hall's tail
text, plus one branch's banner for its own region. The legacy export has no slots:
the builder writes them to ``slots.json`` beside ``export.json`` and
``manage.py import_slots`` loads them (``importing.promotions``). Chosen from the
export's own records, so the same scale and seed give the same slots."""

from .vocabulary import PROVINCE_CODE

FORMAT = "promotion-slots/1"
ONLINE = {"web", "wechat_miniprogram"}


def _province_wide(offers, channel=None):
    return [
        o
        for o in offers
        if PROVINCE_CODE in o["orgs"] and (channel is None or channel in (o.get("channels") or [channel]))
    ]


def _article_for(articles, channel):
    for article in articles:
        if (
            article["org"] == PROVINCE_CODE
            and article["publish_at"] is None
            and (not article["channels"] or channel in article["channels"])
        ):
            return article["code"]
    return None


def _entry(target, code=None, *, title="", subtitle="", link="", image=None, brands=(), regions=()):
    return {
        "target": target,
        "item": code,
        "title": title,
        "subtitle": subtitle,
        "link": link,
        "image": image,
        "brands": list(brands),
        "regions": list(regions),
        "starts_at": None,
        "ends_at": None,
    }


def slots(export):
    """The sample's slots as records (``promotion-slots/1``)."""
    images = [i["code"] for i in export["images"] if i["org"] == PROVINCE_CODE]
    packages = _province_wide(export["packages"], "web")
    businesses = _province_wide(export["businesses"])
    branch = next(o["code"] for o in export["organisations"] if o["level"] == "branch")
    gotone = [p for p in packages if "gotone" in p["brands"]]
    online = [p for p in export["packages"] if set(p.get("channels") or []) == ONLINE and PROVINCE_CODE in p["orgs"]]
    banner = [
        _entry(
            "package",
            packages[0]["code"],
            subtitle=f"每月{packages[0]['monthly_fee'].removesuffix('.00')}元",
            image=images[0],
        ),
        _entry("article", _article_for(export["articles"], "web"), image=images[1]),
        _entry(
            "link",
            title="五一流量狂欢节",
            subtitle="领取10GB假日流量",
            link="https://sx.10086.cn/act/may",
            image=images[2],
        ),
    ]
    if gotone:
        banner.append(_entry("package", gotone[0]["code"], title="全球通尊享", brands=["gotone"], image=images[3]))
    cross_sell = [_entry("package", p["code"]) for p in packages[1:4]] + [_entry("business", businesses[0]["code"])]
    mini = [_entry("package", p["code"], image=images[0]) for p in (online or packages)[:2]]
    mini.append(_entry("article", _article_for(export["articles"], "wechat_miniprogram")))
    return [
        {"code": "web-home-banner", "title": "网厅首页横幅", "channel": "web", "org": PROVINCE_CODE, "entries": banner},
        {
            "code": "web-home-cross-sell",
            "title": "网厅首页推荐",
            "channel": "web",
            "org": PROVINCE_CODE,
            "entries": cross_sell,
        },
        {
            "code": "mp-home-banner",
            "title": "小程序首页横幅",
            "channel": "wechat_miniprogram",
            "org": PROVINCE_CODE,
            "entries": [e for e in mini if e["item"]],
        },
        {
            "code": "wx-menu-entry",
            "title": "公众号菜单活动入口",
            "channel": "wechat_official_account",
            "org": PROVINCE_CODE,
            "entries": [_entry("link", title="本月优惠", link="https://wx.sx.10086.cn/act/month", image=images[1])],
        },
        {
            "code": "sms-tail",
            "title": "短信营业厅尾部推荐",
            "channel": "sms",
            "org": PROVINCE_CODE,
            "entries": [
                _entry(
                    "package", packages[0]["code"], title=f"回复{packages[0]['order_command']}办理{packages[0]['name']}"
                ),
                _entry(
                    "business",
                    businesses[0]["code"],
                    title=f"回复{businesses[0]['order_command']}订{businesses[0]['name']}",
                ),
            ],
        },
        {
            "code": f"web-{branch.lower()}-banner",
            "title": "本地活动横幅",
            "channel": "web",
            "org": branch,
            "entries": [
                _entry(
                    "link",
                    title="本地营业厅开业",
                    link="https://sx.10086.cn/act/local",
                    regions=[branch],
                    image=images[0],
                )
            ],
        },
    ]
