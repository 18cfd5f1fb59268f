"""What a channel renderer returns: the rendition of one item for one channel
account, and the warnings that explain what could not be rendered."""

from dataclasses import dataclass, field

from content import kinds

WEB = "web"
WECHAT = "wechat_official_account"
MINIPROGRAM = "wechat_miniprogram"
SMS = "sms"
CHANNELS = (WECHAT, MINIPROGRAM, SMS, WEB)

CHANNEL_LABELS = {WEB: "网上营业厅", WECHAT: "微信公众号", MINIPROGRAM: "微信小程序", SMS: "短信营业厅"}

# The kinds with renditions (codes of the kinds registry).
ARTICLE = kinds.Kind.ARTICLE.value
PACKAGE = kinds.Kind.PACKAGE.value
BUSINESS = kinds.Kind.BUSINESS.value
SMS_TEMPLATE = kinds.Kind.SMS_TEMPLATE.value


@dataclass(frozen=True)
class RenditionWarning:
    """Why a rendition is imperfect (``blocking=False``) or must not be published
    to its channel (``blocking=True``). ``item`` is the item's code."""

    item: str
    channel: str
    code: str
    message: str
    blocking: bool
    kind: str = ""
    account: str = ""

    def __str__(self):
        who = f"{kinds.label(self.kind)} {self.item}".strip()
        where = CHANNEL_LABELS.get(self.channel, self.channel)
        if self.account:
            where = f"{where}({self.account})"
        severity = "阻止发布" if self.blocking else "提示"
        return f"[{severity}] {who} → {where}: {self.message}"


@dataclass
class Rendition:
    """One item rendered for one channel. Which fields are filled depends on the
    channel: ``html`` for web and WeChat, ``nodes`` for the mini-program,
    ``text`` and ``segments`` for SMS."""

    channel: str
    item_kind: str
    item_code: str
    title: str = ""
    html: str = ""
    nodes: list = field(default_factory=list)
    text: str = ""
    segments: int = 0
    # Every LibraryImage id the rendition references (cover first, then body images).
    images: list = field(default_factory=list)
    # Cover renditions: filter spec -> absolute URL.
    cover: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    account: str = ""

    @property
    def blocking(self):
        """True when the item must not be published to this channel."""
        return any(w.blocking for w in self.warnings)

    def warn(self, code, message, blocking=False):
        self.warnings.append(
            RenditionWarning(self.item_code, self.channel, code, message, blocking, self.item_kind, self.account)
        )
