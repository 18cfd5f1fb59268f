"""Settings shared by every environment. Embedded defaults run on a fresh machine:
SQLite and local files under var/, Celery on a broker in files under var/ with a
worker process beside the web server (`bin/run` starts both)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cms.logs import logging_config

from .env import env_bool, env_fernet_key, env_fernet_keys, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CMS_VAR_DIR", str(BASE_DIR / "var")))

# True in cms.settings.production: demo-only commands (use_emulator) refuse to run.
CMS_PRODUCTION = False
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# Previous SECRET_KEYs, comma-separated: sessions, signed values and API tokens made
# under them stay valid while a rotation is rolled out (docs/operations.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "content",
    "media",
    "menus",
    "wechat",  # WeChat API client, limits and emulator
    "renditions",  # channel renditions of content
    "callback",  # WeChat callback endpoint
    "importing",  # legacy channel export importer
    "publishing",
    "publishing.changes",  # change log and bundles
    "broadcasts",  # mass sends (群发)
    "notices",  # template messages sent for business systems
    "releases",  # releases: many items live and rolled back as one
    "cms",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "graphene_django",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "cms.logs.RequestIdMiddleware",  # first: every later line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.bad_input.RefuseUnstorableText",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cms.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write the same file: WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock when a transaction starts (no upgrade
    # deadlock between two readers turning writers), and a writer waits up to
    # SQLITE_TIMEOUT_SECONDS for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif not env_bool("DATABASE_JIT", False):
    # PostgreSQL JIT-compiles a query once its estimated cost passes jit_above_cost. The
    # admin's scoped reads (site history: an OR of a subquery per organisation-scoped
    # model) are priced in the millions once the tables are analysed, and compiled for
    # 4-7 s to run for 50 ms; no query of this application runs long enough to gain.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Editors work in Chinese by default; English stays available per user.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGES = WAGTAILADMIN_PERMITTED_LANGUAGES
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
# locale/: the project's catalog (manage.py makemessages, docs/admin.md); locale_wagtail/:
# Wagtail's texts its own zh_Hans catalog lacks or words badly, kept by hand. Both win
# over Wagtail's catalogs.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_wagtail"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = VAR_DIR / "media"

# Storage: local files under var/ unless an S3 bucket is configured.
AWS_STORAGE_BUCKET_NAME = env_str("S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION", "us-east-1"),
            "custom_domain": env_str("S3_CUSTOM_DOMAIN"),
            # Off: stable URLs, the bucket (or the CDN before it) serves objects publicly.
            # On: each URL is signed and expires, for a private bucket. S3_QUERYSTRING_AUTH
            # is the old name, read when S3_SIGNED_URLS is unset.
            "querystring_auth": env_bool("S3_SIGNED_URLS", env_bool("S3_QUERYSTRING_AUTH", False)),
            "querystring_expire": env_int("S3_SIGNED_URL_SECONDS", 3600),
            "file_overwrite": False,
        },
    }

# Celery: always a broker and a worker process, so no request waits for a job.
# Embedded default: kombu's filesystem transport, messages as files in
# CELERY_BROKER_DIR (one folder both ways: the web server writes, the worker reads),
# polled every CELERY_BROKER_POLL_SECONDS; `bin/run` starts the worker with beat.
# Production names Redis or RabbitMQ in CELERY_BROKER_URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "celery")))
CELERY_BROKER_POLL_SECONDS = float(env_str("CELERY_BROKER_POLL_SECONDS", "0.1"))
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Beat runs as its own process (`celery -A cms beat`, one per cluster), its state (last
# run of each periodic task) under var/. Its scheduler sends each periodic task once per
# slot of its schedule, so a second beat by mistake sends nothing twice (cms/beat.py).
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULER = "cms.beat:GuardedScheduler"

# Health (cms/health.py): /healthz answers while the process is up; /readyz checks the
# dependencies, each within HEALTH_CHECK_TIMEOUT_SECONDS, and keeps the answer for
# HEALTH_CACHE_SECONDS. A worker stamps its heartbeat every WORKER_HEARTBEAT_SECONDS;
# readiness fails when the newest stamp is older than WORKER_HEARTBEAT_MAX_AGE_SECONDS.
HEALTH_CHECK_TIMEOUT_SECONDS = float(env_str("HEALTH_CHECK_TIMEOUT_SECONDS", "2"))
HEALTH_CACHE_SECONDS = float(env_str("HEALTH_CACHE_SECONDS", "5"))
WORKER_HEARTBEAT_SECONDS = float(env_str("WORKER_HEARTBEAT_SECONDS", "15"))
WORKER_HEARTBEAT_MAX_AGE_SECONDS = float(env_str("WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60"))

# Wagtail's own background work (search index, reference index) on django-tasks.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Cache: Redis when configured (shared by all workers), local memory otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "cms.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Secrets of channel accounts are encrypted with this key (Fernet, urlsafe base64
# of 32 bytes). Without it a key is derived from SECRET_KEY, which production refuses.
# The fallbacks (comma-separated, older keys) still decrypt during a rotation
# (content/secrets.py, `manage.py rotate_secrets`). A malformed key stops the start.
CMS_SECRETS_KEY = env_fernet_key("CMS_SECRETS_KEY")
CMS_SECRETS_KEY_FALLBACKS = env_fernet_keys("CMS_SECRETS_KEY_FALLBACKS")

WAGTAIL_SITE_NAME = "渠道内容中心"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_IMAGE_MODEL = "media.LibraryImage"
WAGTAIL_WORKFLOW_ENABLED = True
# Publishing (in the admin or by the importer) cancels a workflow in progress, as Wagtail does.
WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH = True
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "txt", "csv", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The admin asks no outside host: it must render fully on a machine without internet.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGIN_URL = "wagtailadmin_login"

GRAPHENE = {"SCHEMA": "cms.schema.schema"}

# One format for web, worker, gunicorn and commands: UTC time with zone, level, logger,
# process, request or task id; LOG_FORMAT=json for one JSON object a line (cms/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}.")
LOGGING = logging_config(env_str("LOG_LEVEL", "INFO"), LOG_FORMAT)
LOGGING_CONFIG = "cms.logs.configure"

# --- The reference web hall at /demo/web-hall/ (cms/web_hall.py, docs/web-hall.md) ---
# Off unless asked: bin/run turns it on with the sample web hall's API token. Production forces it off.
WEB_HALL_DEMO = env_bool("WEB_HALL_DEMO", False)
WEB_HALL_DEMO_TOKEN = env_str("WEB_HALL_DEMO_TOKEN", "")

# --- GraphQL API (cms/graphql_view.py, api/) ---
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", True)
GRAPHQL_GRAPHIQL = env_bool("GRAPHQL_GRAPHIQL", DEBUG)
GRAPHQL_PERSISTED_QUERIES_ONLY = env_bool("GRAPHQL_PERSISTED_QUERIES_ONLY", False)
GRAPHQL_PERSISTED_QUERIES_DIR = BASE_DIR / "graphql" / "queries"
GRAPHQL_MAX_REQUEST_BYTES = env_int("GRAPHQL_MAX_REQUEST_BYTES", 64 * 1024)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 5000)
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 50000)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_NODES = env_int("GRAPHQL_MAX_NODES", 100000)
# A request's wall-clock budget, checked between field resolutions, and the
# PostgreSQL statement_timeout of its SQL (API requests only); keep both well
# under the worker timeout (gunicorn --timeout, docs/operations.md).
GRAPHQL_TIME_BUDGET_MS = env_int("GRAPHQL_TIME_BUDGET_MS", 5000)
GRAPHQL_STATEMENT_TIMEOUT_MS = env_int("GRAPHQL_STATEMENT_TIMEOUT_MS", 3000)
GRAPHQL_DEFAULT_PAGE_SIZE = env_int("GRAPHQL_DEFAULT_PAGE_SIZE", 20)
GRAPHQL_MAX_PAGE_SIZE = env_int("GRAPHQL_MAX_PAGE_SIZE", 100)
GRAPHQL_MAX_CHANGES_PAGE_SIZE = env_int("GRAPHQL_MAX_CHANGES_PAGE_SIZE", 1000)
GRAPHQL_PREVIEW_TOKEN_MAX_AGE = env_int("GRAPHQL_PREVIEW_TOKEN_MAX_AGE", 600)
# An API token's last_used_at is written at most once per this many seconds (None: never).
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = env_int("WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
GRAPHQL_HTTP_MAX_AGE = env_int("GRAPHQL_HTTP_MAX_AGE", 30)
# Answers and principals are cached only in a cache all server processes share.
GRAPHQL_CACHE = env_bool("GRAPHQL_CACHE", bool(REDIS_URL))
GRAPHQL_CACHE_ALIAS = "default"
GRAPHQL_CACHE_TIMEOUT = env_int("GRAPHQL_CACHE_TIMEOUT", 3600)
# Seconds a server process serves answers from memory before re-reading the generations.
GRAPHQL_LOCAL_CACHE_SECONDS = float(env_str("GRAPHQL_LOCAL_CACHE_SECONDS", "1"))
# Bytes of answers a server process holds in memory (least recently used dropped first).
GRAPHQL_LOCAL_CACHE_BYTES = env_int("GRAPHQL_LOCAL_CACHE_BYTES", 64 * 2**20)
# Hot single-item queries reuse SQL compiled once per reach and rebuild model instances
# from the rows with Django's private compiler API (api/reused_sql.py, written against
# Django 5.2). On by default on PostgreSQL, where it runs; off: every query goes
# through the ORM (same answers, more CPU), e.g. when upgrading Django.
GRAPHQL_REUSE_SQL = env_bool("GRAPHQL_REUSE_SQL", DATABASES["default"]["ENGINE"].endswith("postgresql"))
# That SQL runs as statements PostgreSQL prepares once per connection (api/prepared.py):
# planning them cost more than running them. Off behind a pooler that does not keep
# prepared statements (PgBouncer before 1.21 in transaction mode).
GRAPHQL_PREPARE_SQL = env_bool("GRAPHQL_PREPARE_SQL", GRAPHQL_REUSE_SQL)

# Push publishing (publishing app): jobs, retries and webhook deliveries.
# How far apart a job's attempts are after transient WeChat errors (-1, 45011) and
# webhook failures; the back-off itself is wechat/retry.py RetryPolicy, as for the
# client's in-call retries (WECHAT_RETRY_*).
PUBLISHING_RETRY_BASE_SECONDS = float(env_str("PUBLISHING_RETRY_BASE_SECONDS", "2"))
PUBLISHING_RETRY_CAP_SECONDS = float(env_str("PUBLISHING_RETRY_CAP_SECONDS", "300"))
PUBLISHING_MAX_FAILURES = env_int("PUBLISHING_MAX_FAILURES", 10)
# A worker holds a job this long; a crashed worker's job is taken over afterwards.
PUBLISHING_LEASE_SECONDS = float(env_str("PUBLISHING_LEASE_SECONDS", "120"))
# Polling freepublish/get until WeChat reports the outcome (or the callback event
# arrives): the first wait, 1.5 times longer per poll up to a minute (wechat/retry.py
# PollPolicy), for publish jobs and the client's wait_for_publish alike.
# WECHAT_PUBLISH_POLL_INTERVAL_MS is its deprecated alias, read when this is unset.
PUBLISHING_POLL_SECONDS = float(
    env_str("PUBLISHING_POLL_SECONDS") or env_int("WECHAT_PUBLISH_POLL_INTERVAL_MS", 1000) / 1000
)
# How long a publish job waits for the outcome before it fails (publish_timeout).
PUBLISHING_RESULT_TIMEOUT_SECONDS = env_int("PUBLISHING_RESULT_TIMEOUT_SECONDS", 24 * 3600)
PUBLISHING_WEBHOOK_TIMEOUT_SECONDS = float(env_str("PUBLISHING_WEBHOOK_TIMEOUT_SECONDS", "10"))
PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS = env_int("PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS", 6 * 3600)
PUBLISHING_SWEEP_SECONDS = float(env_str("PUBLISHING_SWEEP_SECONDS", "60"))
# How often beat runs Wagtail's scheduled go-lives and expiries (content.publish_scheduled).
CONTENT_PUBLISH_SCHEDULED_SECONDS = float(env_str("CONTENT_PUBLISH_SCHEDULED_SECONDS", "60"))
# How long before its time a scheduled release's go-live is prepared (releases.ontime).
RELEASES_PREPARE_SECONDS = float(env_str("RELEASES_PREPARE_SECONDS", "5"))
# How often beat completes the side effects committed imports still owe (importing.outbox).
IMPORT_SWEEP_SECONDS = float(env_str("IMPORT_SWEEP_SECONDS", "300"))
# How often beat compares every WeChat account's live state with the CMS (wechat_sync check).
WECHAT_SYNC_CHECK_SECONDS = float(env_str("WECHAT_SYNC_CHECK_SECONDS", "3600"))
# Template messages (notices app): sends per second and official account. WeChat
# documents a daily quota (100,000 a day, 45009) and answers bursts with 45011 / -1;
# pacing keeps one billing run from using the day's quota in minutes.
NOTICES_SENDS_PER_SECOND = env_int("NOTICES_SENDS_PER_SECOND", 50)
# Mass sends (broadcasts/services/sweep.py): lost jobs re-sent, and a send whose
# MASSSENDJOBFINISH event has not come this long after submitting asked about.
BROADCAST_SWEEP_SECONDS = float(env_str("BROADCAST_SWEEP_SECONDS", "300"))
BROADCAST_FINISH_WAIT_SECONDS = float(env_str("BROADCAST_FINISH_WAIT_SECONDS", "1800"))
# Template messages (notices/delivery.py): sends whose job message was lost are sent again.
NOTICES_SWEEP_SECONDS = float(env_str("NOTICES_SWEEP_SECONDS", "120"))

CELERY_BEAT_SCHEDULE = {
    "publishing-sweep": {"task": "publishing.sweep", "schedule": PUBLISHING_SWEEP_SECONDS},
    "wechat-sync-check": {"task": "publishing.check_wechat_accounts", "schedule": WECHAT_SYNC_CHECK_SECONDS},
    "content-publish-scheduled": {"task": "content.publish_scheduled", "schedule": CONTENT_PUBLISH_SCHEDULED_SECONDS},
    # Side effects a committed import still owes (a process killed after its commit).
    "importing-side-effects": {"task": "importing.complete_side_effects", "schedule": IMPORT_SWEEP_SECONDS},
    "broadcasts-sweep": {"task": "broadcasts.sweep", "schedule": BROADCAST_SWEEP_SECONDS},
    "notices-sweep": {"task": "notices.sweep", "schedule": NOTICES_SWEEP_SECONDS},
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # No acknowledgement on this transport: a message taken by a worker killed mid-job
    # is gone, and the sweep re-dispatches its job from the stored row.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "store_processed": True,  # a rename on the same disk (else a copy to /tmp)
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "polling_interval": CELERY_BROKER_POLL_SECONDS,
    }
else:
    # Redis re-delivers a message a dead worker had taken after this many seconds (acks late),
    # found by a worker's scan of the unacknowledged: kombu's default scans every 10th
    # 10-second tick (100 s); CELERY_UNACKED_RESTORE_SECONDS scans at every tick of that many.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
    if env_str("CELERY_UNACKED_RESTORE_SECONDS"):
        CELERY_BROKER_TRANSPORT_OPTIONS |= {
            "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 10),
            "unacked_restore_throttle": 1,
        }

# WeChat client and emulator (wechat): API base URL (point it, or an
# account's api_base_url, at `manage.py wechat_emulator` for the local demo), the
# shared token store (Redis URL; else the default cache when it is Redis; else the
# database), HTTP timeout, in-call retries (wechat/retry.py) and publish polling.
WECHAT_API_BASE_URL = env_str("WECHAT_API_BASE_URL", "https://api.weixin.qq.com")
WECHAT_TOKEN_REDIS_URL = env_str("WECHAT_TOKEN_REDIS_URL")
WECHAT_HTTP_TIMEOUT = env_int("WECHAT_HTTP_TIMEOUT_MS", 10000) / 1000
WECHAT_RETRY_MAX_ATTEMPTS = env_int("WECHAT_RETRY_MAX_ATTEMPTS", 5)
WECHAT_RETRY_BASE_DELAY = env_int("WECHAT_RETRY_BASE_DELAY_MS", 500) / 1000
WECHAT_RETRY_CAP = env_int("WECHAT_RETRY_CAP_MS", 30000) / 1000
# How long the client's blocking wait_for_publish (scripts, the emulator demo) polls;
# its waits are PUBLISHING_POLL_SECONDS's. Publish jobs never block: see above.
WECHAT_PUBLISH_POLL_TIMEOUT = env_int("WECHAT_PUBLISH_POLL_TIMEOUT_S", 120)

# Content: SMS templates. Rules applied when no SMS account serves a template's
# organisation (an account's own signature, opt-out text and segment limit win).
CMS_SMS_DEFAULT_SIGNATURE = env_str("CMS_SMS_DEFAULT_SIGNATURE", "【中国移动】")
CMS_SMS_DEFAULT_OPT_OUT_TEXT = env_str("CMS_SMS_DEFAULT_OPT_OUT_TEXT", "拒收请回复R")
CMS_SMS_DEFAULT_MAX_SEGMENTS = env_int("CMS_SMS_DEFAULT_MAX_SEGMENTS", 3)

# Content: the library's image form (alt text required, per-organisation collections).
WAGTAILIMAGES_IMAGE_FORM_BASE = "media.forms.LibraryImageForm"

# WeChat callback (callback): message-log retention in days, and how far a
# callback's timestamp may stray from now before its signature is refused (0: no check).
WECHAT_CALLBACK_LOG_DAYS = env_int("WECHAT_CALLBACK_LOG_DAYS", 7)
WECHAT_CALLBACK_MAX_AGE_SECONDS = env_int("WECHAT_CALLBACK_MAX_AGE_SECONDS", 300)
# A process's log rows are written together by a background thread this often (0: each at once).
WECHAT_CALLBACK_LOG_FLUSH_MS = env_int("WECHAT_CALLBACK_LOG_FLUSH_MS", 250)

# Channel renditions (renditions): where web renditions live on a web
# account's site, the base of the short links SMS texts carry (served at /s/),
# and the SMS number order commands are texted to when no SMS account is at hand.
RENDITIONS_WEB_PATHS = {"article": "articles/{code}", "package": "packages/{code}", "business": "businesses/{code}"}
RENDITIONS_SHORT_LINK_BASE = env_str("RENDITIONS_SHORT_LINK_BASE", f"{WAGTAILADMIN_BASE_URL.rstrip('/')}/s/")
RENDITIONS_SERVICE_NUMBER = env_str("RENDITIONS_SERVICE_NUMBER", "10086")
