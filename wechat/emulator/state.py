"""In-memory state of the WeChat emulator: accounts, tokens, quotas, faults, and
what the accounts hold (images, materials, drafts, publish jobs, menus, templates).

Everything is guarded by one re-entrant lock; handlers run under it, sleeps and
callbacks outside it."""

import itertools
import random
import secrets
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields, replace

# WeChat's default daily quota per API and account; a few APIs have lower ones.
DEFAULT_DAILY_QUOTA = 10_000
DAILY_QUOTA = {
    "menu/create": 1_000,
    "menu/delete": 1_000,
    "menu/addconditional": 1_000,
    "template/api_add_template": 1_000,
    "message/template/send": 100_000,
}
BEIJING_OFFSET = 8 * 3600
MAX_TEMPLATES = 25


class ApiError(Exception):
    """An answer ``{"errcode": ..., "errmsg": ...}``."""

    def __init__(self, errcode, errmsg):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"{errcode} {errmsg}")


@dataclass
class Config:
    fault_rate: float = 0.0  # share of API calls answered -1 (system busy)
    expire_token_rate: float = 0.0  # share of API calls whose token expires first (42001)
    slow_rate: float = 0.0  # share of calls answered after slow_ms
    slow_ms: int = 0
    lose_response_rate: float = 0.0  # share of calls that commit, then drop the connection
    publish_delay_ms: int = 300  # a publish job finishes this long after freepublish/submit
    template_event_delay_ms: int = 50  # TEMPLATESENDJOBFINISH follows an accepted template message
    token_ttl: int = 7200
    callback_base: str = ""  # POST PUBLISHJOBFINISH to callback_base + /wechat/<code or appid>/
    strict_accounts: bool = False  # refuse appids that were not registered (40013)
    daily_quota: dict = field(default_factory=dict)  # endpoint -> calls per day (overrides)
    minute_quota: dict = field(default_factory=dict)  # endpoint -> calls per minute
    seed: int | None = None

    def updated(self, changes):
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ApiError(40035, f"unknown emulator settings: {', '.join(sorted(unknown))}")
        return replace(self, **changes)


@dataclass
class Account:
    appid: str
    secret: str | None = None  # None: any secret is accepted
    code: str = ""  # names the callback URL (/wechat/<code>/); appid when empty
    original_id: str = ""  # ToUserName of events
    callback_token: str = ""  # signs callbacks (signature/timestamp/nonce) when set
    callback_url: str = ""  # full callback URL, overriding callback_base
    linked_miniprograms: list | None = None  # None: every mini-program counts as linked
    unauthorized_apis: list = field(default_factory=list)  # answered 48001
    unsupported_apis: list = field(default_factory=list)  # answered 45103
    followers: list | None = None  # openids following the account (None: any); others answered 40003
    blocked_openids: list = field(default_factory=list)  # refuse the account's template messages (43101)
    failing_openids: list = field(default_factory=list)  # template messages reported failed by the event

    def public(self):
        data = asdict(self)
        data["secret"] = "set" if self.secret else "any"
        data["callback_token"] = "set" if self.callback_token else ""
        return data


@dataclass
class Token:
    value: str
    appid: str
    expires_at: float
    revoked: bool = False


@dataclass
class ScriptedFault:
    """The next ``times`` calls of ``endpoint`` (of ``appid``, or any) misbehave.
    ``endpoint`` ``freepublish/result`` scripts the outcome of the next publish job."""

    endpoint: str
    appid: str | None = None
    errcode: int | None = None
    delay_ms: int = 0
    lose_response: bool = False
    publish_status: int | None = None
    fail_idx: list = field(default_factory=list)
    times: int = 1


class EmulatorState:
    def __init__(self, config=None, accounts=()):
        self.lock = threading.RLock()
        self._initial_config = config or Config()
        self._initial_accounts = list(accounts)
        self.public_base = ""
        self.reset()

    def reset(self):
        """Back to the configuration and accounts the emulator started with."""
        with self.lock:
            self.config = replace(self._initial_config)
            self.rng = random.Random(self.config.seed)
            self.accounts = {a.appid: replace(a) for a in self._initial_accounts}
            self.tokens = {}
            self.current_token = {}
            self.calls = defaultdict(Counter)
            self.quota_used = Counter()
            self.images = {}  # uploadimg name -> {appid, bytes, format}
            self.materials = {}  # media_id -> {appid, type, url, format, size}
            self.drafts = {}  # media_id -> {appid, news_item, update_time, filtered_images}
            self.jobs = {}  # publish_id -> job
            self.published = {}  # article_id -> {appid, publish_id, news_item, update_time}
            self.deleted_articles = []  # {appid, article_id, index} per freepublish/delete (or control)
            self.menus = defaultdict(lambda: {"menu": None, "conditional": []})
            self.tags = {}  # appid -> {tag id: {id, name, count}}
            self.mass = {}  # appid -> followers, type and mass sends (emulator/mass.py)
            self.templates = defaultdict(dict)
            self.messages = []
            self.message_ids = {}
            self.callbacks = []
            self.scripted = []
            self.dropped = 0
            # Ids are never reused, across resets too: a publish job timer left by an
            # earlier run must not finish a new job that got the same id.
            if not hasattr(self, "seq"):
                self.seq = itertools.count(1)

    # -- configuration ---------------------------------------------------------------

    def configure(self, **changes):
        with self.lock:
            self.config = self.config.updated(changes)
            if "seed" in changes:
                self.rng = random.Random(self.config.seed)
            return self.config

    def register(self, appid, **settings):
        with self.lock:
            account = self.accounts.get(appid) or Account(appid)
            self.accounts[appid] = replace(account, **settings)
            return self.accounts[appid]

    def account(self, appid):
        with self.lock:
            account = self.accounts.get(appid)
            if account is None:
                if self.config.strict_accounts:
                    raise ApiError(40013, "invalid appid")
                account = self.accounts[appid] = Account(appid)
            return account

    def script(self, **fault):
        with self.lock:
            self.scripted.append(ScriptedFault(**fault))

    def take_scripted(self, endpoint, appid):
        """The next scripted fault for this call, consumed; or None."""
        with self.lock:
            for fault in self.scripted:
                if fault.endpoint == endpoint and fault.appid in (None, appid):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.scripted.remove(fault)
                    return fault
            return None

    def chance(self, rate):
        with self.lock:
            return rate > 0 and self.rng.random() < rate

    def next_id(self, prefix):
        return f"{prefix}{next(self.seq):06d}{secrets.token_hex(6)}"

    # -- tokens ------------------------------------------------------------------------

    def issue_token(self, appid, secret, force):
        """stable_token: the current token while it is valid, a new one when it expired
        or when ``force`` (which revokes the old one)."""
        if not appid:
            raise ApiError(41002, "appid missing")
        if not secret:
            raise ApiError(41004, "appsecret missing")
        with self.lock:
            account = self.account(appid)
            if account.secret is not None and secret != account.secret:
                raise ApiError(40125, "invalid appsecret")
            now = time.time()
            current = self.tokens.get(self.current_token.get(appid))
            if current and not force and not current.revoked and current.expires_at > now:
                return current.value, int(current.expires_at - now)
            return self._new_token(appid, now).value, self.config.token_ttl

    def _new_token(self, appid, now):
        old = self.tokens.get(self.current_token.get(appid))
        if old:
            old.revoked = True
        token = Token(secrets.token_urlsafe(48), appid, now + self.config.token_ttl)
        self.tokens[token.value] = token
        self.current_token[appid] = token.value
        return token

    def appid_for_token(self, value):
        """The appid an API call's access token belongs to, or WeChat's refusal."""
        if not value:
            raise ApiError(41001, "access_token missing")
        with self.lock:
            token = self.tokens.get(value)
            now = time.time()
            if token is None:
                raise ApiError(40014, "invalid access_token")
            if token.expires_at <= now:
                raise ApiError(42001, "access_token expired")
            if token.revoked:
                raise ApiError(40001, "invalid credential, access_token is invalid or not latest")
            return token.appid

    def expire_tokens(self, appid):
        """The account's current token expires now (answered 42001 afterwards)."""
        with self.lock:
            token = self.tokens.get(self.current_token.get(appid))
            if token:
                token.expires_at = time.time()

    def invalidate_tokens(self, appid):
        """Another system force-refreshed: the cached token is answered 40001."""
        with self.lock:
            self._new_token(appid, time.time())

    # -- quotas ------------------------------------------------------------------------

    def charge_quota(self, appid, endpoint):
        """Count a call against the account's quotas: 45011 per minute, 45009 per day."""
        with self.lock:
            now = time.time() + BEIJING_OFFSET
            day, minute = int(now // 86400), int(now // 60)
            self.quota_used[("day", day, appid, endpoint)] += 1
            self.quota_used[("minute", minute, appid, endpoint)] += 1
            per_minute = self.config.minute_quota.get(endpoint)
            if per_minute is not None and self.quota_used[("minute", minute, appid, endpoint)] > per_minute:
                raise ApiError(45011, "api minute-quota reach limit  mustslower  retry next minute")
            per_day = self.config.daily_quota.get(endpoint, DAILY_QUOTA.get(endpoint, DEFAULT_DAILY_QUOTA))
            if self.quota_used[("day", day, appid, endpoint)] > per_day:
                raise ApiError(45009, "reach max api daily quota limit")

    def stable_token_calls(self, appid):
        with self.lock:
            return self.calls[appid]["stable_token"]

    # -- inspection --------------------------------------------------------------------

    def snapshot(self):
        """What the emulator holds, as JSON-ready data (no secrets, tokens masked)."""
        with self.lock:
            now = time.time()
            return {
                "config": asdict(self.config),
                "accounts": {appid: account.public() for appid, account in self.accounts.items()},
                "tokens": {
                    appid: {"token": value[:6] + "…", "expires_in": int(self.tokens[value].expires_at - now)}
                    for appid, value in self.current_token.items()
                },
                "calls": {appid: dict(counter) for appid, counter in self.calls.items()},
                "images": [{"name": name, "appid": i["appid"], "size": len(i["bytes"])} for name, i in self.images.items()],
                "materials": [{"media_id": k, **{f: v[f] for f in ("appid", "type", "url", "size")}}
                              for k, v in self.materials.items()],
                "drafts": [
                    {"media_id": k, "appid": d["appid"], "titles": [n["title"] for n in d["news_item"]],
                     "update_time": d["update_time"], "filtered_images": d["filtered_images"]}
                    for k, d in self.drafts.items()
                ],
                "jobs": [{k: v for k, v in job.items() if k not in ("news_item", "draft")} for job in self.jobs.values()],
                "published": [
                    {"article_id": k, "appid": p["appid"], "publish_id": p["publish_id"],
                     "titles": [n["title"] for n in p["news_item"]]}
                    for k, p in self.published.items()
                ],
                "deleted_articles": list(self.deleted_articles),
                "menus": {appid: m for appid, m in self.menus.items()},
                "tags": {appid: list(t.values()) for appid, t in self.tags.items()},
                "templates": {appid: list(t.values()) for appid, t in self.templates.items()},
                "messages": list(self.messages),
                "callbacks": list(self.callbacks),
                "scripted_faults": [asdict(f) for f in self.scripted],
                "dropped_responses": self.dropped,
            }
