"""WeChat's limits, in one place: the client checks them before calling, the
emulator enforces them with WeChat's error codes, and menu editors can reuse
``check_menu``. Plain Python (no Django) so the emulator can import it.

Each check returns a list of ``Violation(field, message, errcode)``; an empty list
means the input is acceptable."""

from dataclasses import dataclass

# Draft articles (draft/add, draft/update).
ARTICLES_MAX = 8
TITLE_MAX_CHARS = 32
AUTHOR_MAX_CHARS = 16
DIGEST_MAX_CHARS = 128
CONTENT_MAX_CHARS = 20_000  # the body must be shorter than this ...
CONTENT_MAX_BYTES = 1024 * 1024  # ... and smaller than 1 MB

# Images: media/uploadimg (inside bodies) and material/add_material (covers).
UPLOADIMG_MAX_BYTES = 1024 * 1024
UPLOADIMG_FORMATS = frozenset({"jpeg", "png"})
THUMB_MAX_BYTES = 64 * 1024
THUMB_FORMATS = frozenset({"jpeg"})
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = frozenset({"jpeg", "png", "gif", "bmp"})
IMAGE_RULES = {
    "uploadimg": (UPLOADIMG_MAX_BYTES, UPLOADIMG_FORMATS),
    "thumb": (THUMB_MAX_BYTES, THUMB_FORMATS),
    "image": (IMAGE_MAX_BYTES, IMAGE_FORMATS),
}

# Custom menus (menu/create, menu/addconditional).
MENU_MAX_BUTTONS = 3
MENU_MAX_SUB_BUTTONS = 5
MENU_NAME_MAX_BYTES = 16
MENU_SUB_NAME_MAX_BYTES = 60
MENU_KEY_MAX_BYTES = 128
MENU_URL_MAX_BYTES = 1024
KEY_BUTTON_TYPES = frozenset(
    {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin", "location_select"}
)
BUTTON_TYPES = KEY_BUTTON_TYPES | {"view", "miniprogram", "media_id", "article_id", "article_view_limited"}
MATCHRULE_FIELDS = ("tag_id", "sex", "country", "province", "city", "client_platform_type", "language")

# WeChat's codes for each broken menu rule: (top level, sub level).
_MENU_CODES = {
    "count": (40016, 40023),
    "type": (40017, 40024),
    "name": (40018, 40025),
    "key": (40019, 40026),
    "url": (40020, 40027),
}


@dataclass(frozen=True)
class Violation:
    field: str
    message: str
    errcode: int


def _bytes(value):
    return len(str(value).encode("utf-8"))


def check_article(article, index=0):
    """Limits of one draft article (a dict in WeChat's field names)."""
    where = f"articles[{index}]"
    out = []
    title = article.get("title") or ""
    if not title.strip():
        out.append(Violation(f"{where}.title", "标题不能为空", 44003))
    elif len(title) > TITLE_MAX_CHARS:
        out.append(Violation(f"{where}.title", f"标题最多{TITLE_MAX_CHARS}个字符,实际{len(title)}个", 45003))
    author = article.get("author") or ""
    if len(author) > AUTHOR_MAX_CHARS:
        out.append(Violation(f"{where}.author", f"作者最多{AUTHOR_MAX_CHARS}个字符,实际{len(author)}个", 45110))
    digest = article.get("digest") or ""
    if len(digest) > DIGEST_MAX_CHARS:
        out.append(Violation(f"{where}.digest", f"摘要最多{DIGEST_MAX_CHARS}个字符,实际{len(digest)}个", 45004))
    content = article.get("content") or ""
    if not content.strip():
        out.append(Violation(f"{where}.content", "正文不能为空", 44003))
    elif len(content) >= CONTENT_MAX_CHARS:
        out.append(Violation(f"{where}.content", f"正文须少于{CONTENT_MAX_CHARS}个字符,实际{len(content)}个", 45002))
    elif _bytes(content) >= CONTENT_MAX_BYTES:
        out.append(Violation(f"{where}.content", f"正文须小于1MB,实际{_bytes(content)}字节", 45002))
    if not article.get("thumb_media_id"):
        out.append(Violation(f"{where}.thumb_media_id", "图文消息必须有封面(thumb_media_id)", 40007))
    return out


def check_articles(articles):
    if not articles:
        return [Violation("articles", "至少需要一篇文章", 44003)]
    if len(articles) > ARTICLES_MAX:
        return [Violation("articles", f"一次最多{ARTICLES_MAX}篇文章,实际{len(articles)}篇", 45008)]
    out = []
    for index, article in enumerate(articles):
        out.extend(check_article(article, index))
    return out


def sniff_image(data):
    """The image format from its first bytes (never from a file name)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return None


def check_image(data, kind, field="media"):
    """Limits of an image upload of ``kind`` uploadimg, thumb or image."""
    max_bytes, formats = IMAGE_RULES[kind]
    fmt = sniff_image(data)
    if fmt not in formats:
        allowed = "/".join(sorted(f.upper() for f in formats))
        return [Violation(field, f"{kind} 只接受 {allowed} 图片,收到 {fmt or '未知格式'}", 40005)]
    if not data or len(data) > max_bytes:
        code = 40012 if kind == "thumb" else 40009
        return [Violation(field, f"{kind} 图片须不超过{max_bytes // 1024}KB,实际{len(data) // 1024}KB", code)]
    return []


def _check_button(button, where, level, out):
    codes = 0 if level == "top" else 1
    name = button.get("name") or ""
    name_max = MENU_NAME_MAX_BYTES if level == "top" else MENU_SUB_NAME_MAX_BYTES
    if not name or _bytes(name) > name_max:
        out.append(Violation(f"{where}.name", f"菜单名称须为1到{name_max}字节,实际{_bytes(name)}字节", _MENU_CODES["name"][codes]))
    subs = button.get("sub_button")
    if level == "top" and subs:
        if len(subs) > MENU_MAX_SUB_BUTTONS:
            out.append(Violation(f"{where}.sub_button", f"子菜单最多{MENU_MAX_SUB_BUTTONS}个,实际{len(subs)}个", 40023))
        for i, sub in enumerate(subs):
            _check_button(sub, f"{where}.sub_button[{i}]", "sub", out)
        return
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        out.append(Violation(f"{where}.type", f"不支持的菜单类型 {kind!r}", _MENU_CODES["type"][codes]))
        return
    if kind in KEY_BUTTON_TYPES:
        key = button.get("key") or ""
        if not key or _bytes(key) > MENU_KEY_MAX_BYTES:
            out.append(Violation(f"{where}.key", f"菜单KEY须为1到{MENU_KEY_MAX_BYTES}字节", _MENU_CODES["key"][codes]))
    if kind in ("view", "miniprogram"):
        url = button.get("url") or ""
        if not url or _bytes(url) > MENU_URL_MAX_BYTES:
            out.append(Violation(f"{where}.url", f"网页链接须为1到{MENU_URL_MAX_BYTES}字节", _MENU_CODES["url"][codes]))
    if kind == "miniprogram":
        for field in ("appid", "pagepath"):
            if not button.get(field):
                out.append(Violation(f"{where}.{field}", "小程序菜单须填写 appid 和 pagepath", 40035))
    if kind == "media_id" and not button.get("media_id"):
        out.append(Violation(f"{where}.media_id", "素材菜单须填写 media_id", 40007))
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        out.append(Violation(f"{where}.article_id", "图文菜单须填写 article_id", 40007))


def check_menu(menu):
    """Limits of a menu body ``{"button": [...]}``: 3 top-level buttons, 5 sub-buttons,
    names of 16/60 bytes, keys of 128 bytes, view urls of 1024 bytes."""
    buttons = menu.get("button") or []
    if not buttons or len(buttons) > MENU_MAX_BUTTONS:
        return [Violation("button", f"一级菜单须为1到{MENU_MAX_BUTTONS}个,实际{len(buttons)}个", 40016)]
    out = []
    for i, button in enumerate(buttons):
        _check_button(button, f"button[{i}]", "top", out)
    return out


def check_matchrule(rule):
    """A personalised menu needs a non-empty match rule; city needs province needs country."""
    rule = rule or {}
    if not any(str(rule.get(f) or "").strip() for f in MATCHRULE_FIELDS):
        return [Violation("matchrule", "个性化菜单的匹配规则不能为空", 65304)]
    if (rule.get("province") or rule.get("city")) and not rule.get("country"):
        return [Violation("matchrule.country", "填写了省份或城市时必须填写国家", 65310)]
    if rule.get("city") and not rule.get("province"):
        return [Violation("matchrule.province", "填写了城市时必须填写省份", 65311)]
    return []


def miniprogram_appids(menu):
    """The mini-program appids a menu links to (WeChat refuses unlinked ones: 45064)."""
    found = []
    for button in menu.get("button") or []:
        for item in [button, *(button.get("sub_button") or [])]:
            if item.get("type") == "miniprogram" and item.get("appid"):
                found.append(item["appid"])
    return found


# Follower tags (tags/create): names up to 30 bytes, unique, 100 tags per account;
# ids 0-2 are WeChat's own (2 is the star group).
TAG_NAME_MAX_BYTES = 30
TAGS_MAX = 100
RESERVED_TAG_IDS = frozenset({0, 1, 2})


def check_tag_name(name):
    """A follower tag's name: 1 to 30 bytes of UTF-8."""
    if not name or not str(name).strip():
        return [Violation("tag.name", "标签名不能为空", 45157)]
    if _bytes(name) > TAG_NAME_MAX_BYTES:
        return [Violation("tag.name", f"标签名最多{TAG_NAME_MAX_BYTES}字节,实际{_bytes(name)}字节", 45158)]
    return []


# Mass sends (message/mass/*): a subscription account may mass send once a (Beijing)
# day; on a service account each follower receives at most four a calendar month.
# clientmsgid is at most 64 bytes and refuses a second send for 24 hours (45065).
MASS_SUBSCRIPTION_PER_DAY = 1
MASS_SERVICE_PER_FOLLOWER_PER_MONTH = 4
MASS_CLIENTMSGID_MAX_BYTES = 64
MASS_CLIENTMSGID_WINDOW_SECONDS = 24 * 3600
MASS_SENDS_PER_MINUTE = 60
MASS_MSGTYPES = frozenset({"mpnews", "text"})
