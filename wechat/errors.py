"""Typed errors of the WeChat client.

Callers branch on the class, not on numbers: ``TransientError`` is worth retrying
(with ``RetryPolicy`` or a Celery countdown), ``DailyQuotaExceeded`` pauses the
account until WeChat resets its quota, ``PermanentError`` fails the job at once with
WeChat's reason, ``LimitViolation`` names the field that breaks a WeChat limit
before anything is sent."""

# WeChat answers these when it is busy or the caller is too fast: try again later.
BUSY = -1
MINUTE_QUOTA = 45011
TRANSIENT_CODES = frozenset({BUSY, MINUTE_QUOTA})

DAILY_QUOTA = 45009

# The access token was replaced (40001), is unknown (40014) or expired (42001):
# fetch a fresh one once and try again.
TOKEN_CODES = frozenset({40001, 40014, 42001})

# Codes worth a readable reason in the admin; every other code is permanent too.
REASONS = {
    -1: "微信系统繁忙",
    40001: "access_token 无效或不是最新",
    40007: "不合法的媒体文件 id",
    40013: "不合法的 AppID",
    40014: "不合法的 access_token",
    40125: "AppSecret 错误",
    42001: "access_token 已过期",
    45009: "接口调用超过每日限额",
    45011: "接口调用超过每分钟限额",
    45064: "菜单包含未关联的小程序",
    45103: "该接口已停用",
    48001: "公众号未获得该接口权限",
    53600: "article_id 无效(文章不存在或已删除)",
    40003: "不合法的 OpenID(不是该公众号的粉丝)",
    45028: "没有群发额度(订阅号每天 1 次,服务号每位粉丝每月 4 条)",
    45065: "相同 clientmsgid 已有群发记录",
    45066: "相同 clientmsgid 重试过快",
    45067: "clientmsgid 超过 64 字节",
    45159: "不合法的粉丝标签 id(标签不存在)",
}


class WeChatError(Exception):
    """An answer of WeChat (or of the way to it) that is not a success."""

    answer = None  # the rest of WeChat's answer, when it carried more than the error

    def __init__(self, errcode, errmsg, endpoint):
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        super().__init__(str(self))

    @property
    def reason(self):
        """A short reason an editor can read: WeChat's code and what it means."""
        known = REASONS.get(self.errcode)
        code = "" if self.errcode is None else f"{self.errcode} "
        return f"{code}{known or self.errmsg}"

    def __str__(self):
        code = "-" if self.errcode is None else self.errcode
        return f"WeChat {self.endpoint}: errcode {code}: {self.errmsg}"


class TransientError(WeChatError):
    """Busy (-1), per-minute quota (45011), network error or timeout: retry with backoff."""


class DailyQuotaExceeded(WeChatError):
    """45009: the account has used its daily quota of this API; pause until it resets."""

    def __init__(self, errcode, errmsg, endpoint, paused_until=None):
        self.paused_until = paused_until
        super().__init__(errcode, errmsg, endpoint)


class PermanentError(WeChatError):
    """Any other error code (48001, 40007, 45064, 45103, ...): retrying cannot help."""


class LimitViolation(WeChatError):
    """Input that breaks one of WeChat's limits, found before calling WeChat.

    ``field`` names the offending field (``articles[0].title``,
    ``button[1].sub_button[0].name``); ``violations`` lists all of them."""

    def __init__(self, endpoint, violations):
        self.violations = list(violations)
        first = self.violations[0]
        self.field = first.field
        self.message = first.message
        super().__init__(first.errcode, f"{first.field}: {first.message}", endpoint)


def classify(errcode, errmsg, endpoint):
    """The typed error for a non-zero ``errcode`` from WeChat."""
    if errcode in TRANSIENT_CODES:
        return TransientError(errcode, errmsg, endpoint)
    if errcode == DAILY_QUOTA:
        return DailyQuotaExceeded(errcode, errmsg, endpoint)
    return PermanentError(errcode, errmsg, endpoint)
