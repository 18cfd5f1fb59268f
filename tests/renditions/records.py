"""Records of the sample export found by what they are, and the texts and URLs a
rendition must show computed from them (never from literals of one export)."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

OPT_OUT = "拒收请回复R"  # the SMS accounts' default opt-out text (docs/sample-data.md)
IMAGE_REF = re.compile(r'data-image="([^"]+)"')
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*>([^<]*)</a>')
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


# -- records ------------------------------------------------------------------------------------

def rows(sample, list_name):
    return list(sample.rows[list_name].values())


def province(sample):
    return next(r["code"] for r in rows(sample, "organisations") if r["level"] == "province")


def branches(sample):
    return [r["code"] for r in rows(sample, "organisations") if r["level"] == "branch"]


def account_row(sample, type_, org=None):
    """The first channel account of a type (of an organisation, when given)."""
    return next(r for r in rows(sample, "channel_accounts") if r["type"] == type_ and org in (None, r["org"]))


def account(sample, type_, org=None):
    return sample.account(account_row(sample, type_, org)["code"])


def inline_images(row):
    """Codes of the images an article's body shows, in order."""
    return IMAGE_REF.findall(row["body_html"])


def body_links(row):
    """(text, href) of the links of an article's body, in order."""
    return [(text, href) for href, text in LINK.findall(row["body_html"])]


def reaches(row, channel):
    return not row["channels"] or channel in row["channels"]


def every_channel_article(sample):
    """The province's first article for every channel with related packages and inline images."""
    return next(
        r for r in rows(sample, "articles")
        if r["org"] == province(sample) and r["channels"] == [] and r["related_packages"] and inline_images(r)
        and r["cover_image"] in sample.rows["images"]
    )


def branch_article_without_web(sample):
    """The first branch's first article reaching WeChat, the mini-program and SMS but not
    the web, with a cover and inline images."""
    return next(
        r for r in rows(sample, "articles")
        if r["org"] == branches(sample)[0] and r["channels"] and "web" not in r["channels"]
        and all(c in r["channels"] for c in ("wechat_official_account", "wechat_miniprogram", "sms"))
        and inline_images(r) and r["cover_image"] in sample.rows["images"]
    )


def bad_cover_article(sample):
    """The dirty export's article whose cover image is not in the export."""
    return next(r for r in rows(sample, "articles") if r["cover_image"] and r["cover_image"] not in sample.rows["images"])


def first_copy(sample, list_name, code):
    """The first record of ``code`` in the export (a repeated code's first copy)."""
    return next(r for r in sample.data[list_name] if r["code"] == code)


def templates(sample, category=None):
    return [r for r in rows(sample, "sms_templates") if category in (None, r["category"])]


def declared(row):
    return {p["name"] for p in row["parameters"]}


def undeclared(row):
    return [name for name in PLACEHOLDER.findall(row["text"]) if name not in declared(row)]


def is_astral(char):
    return ord(char) > 0xFFFF


# -- expected texts ---------------------------------------------------------------------------------

def fee(value):
    """A decimal fee as the renditions write it: 128.00 -> 128, 9.90 -> 9.9."""
    return f"{Decimal(value):.2f}".rstrip("0").rstrip(".")


def data_volume(mb):
    assert mb % 1024 == 0, mb  # the sample's allowances are whole gigabytes
    return f"{mb // 1024}GB"


def allowances(row):
    """(label, value) of what a package's monthly fee includes, zeros left out."""
    out = [("流量", data_volume(row["data_mb"]))] if row["data_mb"] else []
    if row["voice_minutes"]:
        out.append(("语音", f"{row['voice_minutes']}分钟"))
    if row["sms_count"]:
        out.append(("短信", f"{row['sms_count']}条"))
    if row["contract_months"]:
        out.append(("合约期", f"{row['contract_months']}个月"))
    return out


def web_base(account_row_):
    """The web account's base URL with the trailing slash relative paths join onto."""
    base = account_row_["base_url"]
    return base if base.endswith("/") else base + "/"


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


WEB_FOLDERS = {"article": "articles", "package": "packages", "business": "businesses"}


def web_url(sample, kind, code):
    """Where the web rendition of an item lives: ``<base_url>/articles/<code>`` and the like."""
    return web_base(account_row(sample, "web")) + f"{WEB_FOLDERS[kind]}/{code}"
