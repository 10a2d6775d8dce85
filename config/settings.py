"""One settings module: environment variables override working defaults.

No DATABASE_URL means SQLite in `var/`; no REDIS_URL means the in-memory
channel layer. With neither, one process serves everything.
"""

from pathlib import Path

from django.core.management.utils import get_random_secret_key

from config.env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_str,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SEATS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, or a key generated once and kept in var/."""
    if key := env_str("DJANGO_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [
    host.strip()
    for host in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]
# WebSocket origins allowed besides the page's own (scheme://host[:port]);
# the own origin needs no entry (realtime/origin.py, docs/operations.md).
SEAT_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in env_str("SEAT_ALLOWED_ORIGINS", "").split(",")
    if origin.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    # First, so that its `runserver` (daphne's, WebSockets included) wins over
    # staticfiles'. It stands in for daphne's own app, which imports daphne's
    # server (Twisted, autobahn, pyOpenSSL: 0.3 s of CPU) in every process
    # that sets Django up, one-off commands and sweepers included; only the
    # processes that serve need it (realtime.serving imports it).
    "realtime",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_apscheduler",
    "ninja",  # the API docs page's own static files
    "seats",
    "plans",
    "presales",
    "webhooks",
    "workers",
    "embed",
    "api",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body (sessions, CSRF, the API's own layers).
    "api.limits.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language (docs/languages.md): the set_language cookie,
    # else Accept-Language; after sessions, before CommonMiddleware.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if database_url := env_str("DATABASE_URL"):
    DATABASES = {
        "default": database_from_url(
            database_url, pool_size=env_int("DATABASE_POOL_SIZE", 10, minimum=1)
        )
    }
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "db.sqlite3")}

REDIS_LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
if redis_url := env_str("REDIS_URL"):
    # Pub/sub by default: each process's hub holds one subscription per event,
    # and a change is one PUBLISH pushed to every subscribed process (see
    # docs/architecture.md and BENCHMARKS.md for the measurement).
    layer = env_str("REDIS_CHANNEL_LAYER", "pubsub")
    if layer not in REDIS_LAYERS:
        raise ValueError(f"REDIS_CHANNEL_LAYER must be one of {sorted(REDIS_LAYERS)}")
    # No socket timeout: the core layer blocks in BZPOPMIN for 5 s, and a
    # client timeout of the same length would cut those reads off. Several
    # URLs, comma-separated, are shards: channels-redis puts each group and
    # channel on one of them by a hash of its name (docs/operations.md).
    hosts = [
        {"address": url.strip(), "socket_timeout": None}
        for url in redis_url.split(",")
        if url.strip()
    ]
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": REDIS_LAYERS[layer],
            # Redis pub/sub ignores the database number: two sites sharing a
            # Redis server hear each other's events unless their prefixes differ.
            "CONFIG": {"hosts": hosts, "prefix": env_str("REDIS_PREFIX", "asgi")}
            | ({"capacity": 1000} if layer == "core" else {}),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# The public pages speak these languages (docs/languages.md); each is named
# in its own language, as the picker shows it.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("nl", "Nederlands"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats where Django's differ from what the pages show
# (config/formats/<language>/formats.py); the rest are Django's.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Seat holds. Times in seconds; fractions allowed for the sweep interval.
SEAT_HOLD_SECONDS = env_int("SEAT_HOLD_SECONDS", 300, minimum=1)
SEAT_HOLD_MAX_SECONDS = max(
    env_int("SEAT_HOLD_MAX_SECONDS", 900, minimum=1), SEAT_HOLD_SECONDS
)
# A shop may choose a hold's length through the REST API (`expires_in_minutes`),
# up to this long from the moment it asks; a re-timed hold may be re-timed
# again until the same long after (docs/integration.md).
SEAT_API_HOLD_MAX_SECONDS = env_int("SEAT_API_HOLD_MAX_SECONDS", 7200, minimum=60)
# The box office keeps seats for a named person until a chosen time, at most
# this long from now (docs/staff.md).
SEAT_BOX_OFFICE_HOLD_MAX_SECONDS = env_int(
    "SEAT_BOX_OFFICE_HOLD_MAX_SECONDS", 7 * 86400, minimum=60
)
SEAT_MAX_PER_HOLDER = env_int("SEAT_MAX_PER_HOLDER", 10, minimum=1)
# The sweeper looks for lapsed holds every this many seconds (half a second
# at most) and releases what it finds, and sweeps at each hold's expiry in
# between (workers/sweeper.py).
SEAT_SWEEP_SECONDS = env_float("SEAT_SWEEP_SECONDS", 1.0)
# One scheduled run of the sweep job lasts this long (never less than
# SEAT_SWEEP_SECONDS), sweeping all along: the scheduler's bookkeeping (the
# job's row, an execution record, a connection) happens once a run.
SEAT_SWEEP_RUN_SECONDS = env_float("SEAT_SWEEP_RUN_SECONDS", 60.0)
# How long a request waits for another's row lock (PostgreSQL) before it
# gives up with a retryable `busy` error instead of hanging.
SEAT_LOCK_TIMEOUT_SECONDS = env_float("SEAT_LOCK_TIMEOUT_SECONDS", 3.0)
# How long a socket's database call may take in all (PostgreSQL) before the
# socket gets a `timeout` error instead of waiting on: a database that stops
# answering never freezes a client. 0 turns the bound off.
SEAT_DB_CALL_TIMEOUT_SECONDS = env_float("SEAT_DB_CALL_TIMEOUT_SECONDS", 10.0)
# Threads doing the sockets' database work on PostgreSQL (realtime/db.py);
# 0 means one fewer than the pooled connections (DATABASE_POOL_SIZE), 1 one
# at a time.
SEAT_DB_THREADS = env_int("SEAT_DB_THREADS", 0)
# Connections of each worker's serving loop for the plain clicks, answered
# there without a database thread (seats/loop_db.py); 0 sends every click
# through the threads. PostgreSQL only.
SEAT_LOOP_DB_CONNECTIONS = env_int("SEAT_LOOP_DB_CONNECTIONS", 8, minimum=0)
# How long a click that finds every one of those connections busy waits for
# the next one given back before it goes through the threads instead; 0
# never waits.
SEAT_LOOP_DB_WAIT_SECONDS = env_float("SEAT_LOOP_DB_WAIT_SECONDS", 1.0, minimum=-1)
# At most this many clicks of one event go in one call from a serving loop:
# the clicks that arrive while one of the event's calls is in flight wait
# and go together in the next (seats/batched_clicks.py); 1 sends every
# click alone, at once.
SEAT_LOOP_CLICKS_PER_CALL = env_int("SEAT_LOOP_CLICKS_PER_CALL", 32, minimum=1)
# Every this many seconds each seat-map socket gets a heartbeat with its
# event's current version, so a client that missed a broadcast resyncs; 0
# turns heartbeats off.
SEAT_HEARTBEAT_SECONDS = env_float("SEAT_HEARTBEAT_SECONDS", 5.0, minimum=-1)
# A change to a quiet event goes to the sockets at once; changes that reach a
# worker within this many seconds after it go as one seats.changed covering
# their versions (`from_version`..`version`), each seat once in its latest
# state, so a socket gets at most one frame per window however busy the sale
# (docs/protocol.md). 0 sends every change on its own.
SEAT_BROADCAST_WINDOW_SECONDS = env_float(
    "SEAT_BROADCAST_WINDOW_SECONDS", 0.05, minimum=-1
)
# A window stretches while writing an event's frames to this worker's sockets
# is slow (thousands of them): to the last write's time over this share, so
# the writing takes at most this share of the worker's time, and never past
# SEAT_BROADCAST_WINDOW_MAX_SECONDS. 0 keeps every window at its least.
SEAT_BROADCAST_WRITE_SHARE = env_float("SEAT_BROADCAST_WRITE_SHARE", 0.2, minimum=-1)
SEAT_BROADCAST_WINDOW_MAX_SECONDS = env_float(
    "SEAT_BROADCAST_WINDOW_MAX_SECONDS", 0.15, minimum=0
)
# A broadcast to more of a worker's sockets than this is written this many
# at a time, the loop turning in between, so clicks that arrive meanwhile
# are answered before the last socket is written to (realtime/hub.py). 0,
# the default, writes to all in one pass: at 2,500 sockets a worker that
# was quicker to the last socket and spent less CPU (BENCHMARKS.md).
SEAT_FANOUT_CHUNK = env_int("SEAT_FANOUT_CHUNK", 0, minimum=0)
# Each broadcast is framed once and the same bytes go to every socket of the
# worker (realtime/transport.py); off frames it per socket, as daphne does.
SEAT_WS_FRAMES_ONCE = env_bool("SEAT_WS_FRAMES_ONCE", True)
# What each WebSocket brings is frozen against the cyclic GC's full passes,
# which are run rarely and on purpose (realtime/gc_pacing.py); off leaves
# CPython's own pacing.
SEAT_GC_PACING = env_bool("SEAT_GC_PACING", True)
# Rate limits (realtime/limits.py): requests per socket (a token bucket),
# and new sockets per client address per minute. Loopback clients (tests,
# benchmarks) are exempt from both unless SEAT_LIMIT_LOOPBACK; behind a
# proxy, list it in SEAT_TRUSTED_PROXIES (or serve with --proxy-headers for
# one on loopback) so clients have their own address.
# 0 turns a limit off.
SEAT_REQUESTS_PER_SECOND = env_float("SEAT_REQUESTS_PER_SECOND", 20.0, minimum=-1)
SEAT_REQUEST_BURST = env_float("SEAT_REQUEST_BURST", 60.0, minimum=-1)
SEAT_CONNECTIONS_PER_MINUTE = env_float(
    "SEAT_CONNECTIONS_PER_MINUTE", 120.0, minimum=-1
)
SEAT_CONNECTION_BURST = env_float("SEAT_CONNECTION_BURST", 60.0, minimum=-1)
SEAT_LIMIT_LOOPBACK = env_bool("SEAT_LIMIT_LOOPBACK", False)
# Reverse proxies whose X-Forwarded-For/-Proto count (addresses or
# networks, comma-separated; realtime/forwarded.py): the client is the
# right-most hop not listed. Empty trusts nobody; `serve --proxy-headers`
# then trusts loopback.
SEAT_TRUSTED_PROXIES = [
    value.strip()
    for value in env_str("SEAT_TRUSTED_PROXIES", "").split(",")
    if value.strip()
]
# Waiting-room places waiting or admitted at once per client address (the
# /64 on IPv6; seats/waiting/places.py); 0 turns the bound off. Loopback
# is exempt unless SEAT_LIMIT_LOOPBACK, as for the socket limits.
SEAT_QUEUE_PLACES_PER_CLIENT = env_int("SEAT_QUEUE_PLACES_PER_CLIENT", 6)
# Wrong presale codes (docs/presales.md) one session, and one client address,
# may enter within SEAT_CODE_WINDOW_SECONDS; more are refused (rate_limited)
# until the oldest leaves the window. 0 turns a limit off.
SEAT_CODE_ATTEMPTS_PER_SESSION = env_int("SEAT_CODE_ATTEMPTS_PER_SESSION", 5)
SEAT_CODE_ATTEMPTS_PER_CLIENT = env_int("SEAT_CODE_ATTEMPTS_PER_CLIENT", 30)
SEAT_CODE_WINDOW_SECONDS = env_int("SEAT_CODE_WINDOW_SECONDS", 600)
# An HTTP connection that sends nothing for this long while a request is
# still incomplete is dropped (Twisted's default is 12 hours).
SEAT_HTTP_IDLE_SECONDS = env_float("SEAT_HTTP_IDLE_SECONDS", 20.0)
# A request's head and body must arrive within this long in all, however
# steadily they trickle (0: no total deadline).
SEAT_HTTP_REQUEST_SECONDS = env_float("SEAT_HTTP_REQUEST_SECONDS", 30.0, minimum=-1)
# The largest request body the server receives at all (a plan upload in the
# admin is the largest legitimate one, 20 MB); past it, a 413 and the
# connection closed (realtime/serving.py).
SEAT_HTTP_MAX_BODY_BYTES = env_int("SEAT_HTTP_MAX_BODY_BYTES", 25 * 1024 * 1024)
# Every serving process beats this often (a row per process); the sweeper
# frees the holds of sockets without a session whose process has been
# silent for SEAT_PROCESS_DEAD_SECONDS (seats/services/orphans.py).
SEAT_PROCESS_BEAT_SECONDS = env_float("SEAT_PROCESS_BEAT_SECONDS", 5.0)
SEAT_PROCESS_DEAD_SECONDS = env_float("SEAT_PROCESS_DEAD_SECONDS", 30.0)
# How long the sweeper keeps its job-execution rows.
SEAT_SWEEP_HISTORY_SECONDS = env_int("SEAT_SWEEP_HISTORY_SECONDS", 3600, minimum=60)

# The REST API (docs/integration.md): requests per API key per second (a
# token bucket per key, shared by the workers through Redis when there is
# one) and its burst; 0 turns the limit off.
SEAT_API_REQUESTS_PER_SECOND = env_float(
    "SEAT_API_REQUESTS_PER_SECOND", 20.0, minimum=-1
)
SEAT_API_REQUEST_BURST = env_float("SEAT_API_REQUEST_BURST", 40.0, minimum=-1)
# Where the per-key buckets are shared by every worker (api/v1/ratelimit.py):
# a Redis URL, by default the first of REDIS_URL; none (the embedded
# default) keeps a bucket per process.
SEAT_SHARED_LIMITS_URL = env_str(
    "SEAT_SHARED_LIMITS_URL", env_str("REDIS_URL").split(",")[0].strip()
)
SEAT_SHARED_LIMITS_PREFIX = env_str("REDIS_PREFIX", "asgi") + ":limits"
# How long an Idempotency-Key's first answer is kept for replays.
SEAT_IDEMPOTENCY_SECONDS = env_int("SEAT_IDEMPOTENCY_SECONDS", 86400, minimum=60)
# How long presale code attempts (who entered a code, when, and a hash of
# their address) are kept for the channels page; the sweeper deletes older ones.
SEAT_CHANNEL_ACCESS_DAYS = env_int("SEAT_CHANNEL_ACCESS_DAYS", 90, minimum=1)

# Webhook delivery (docs/webhooks.md): each attempt's timeout, the backoff
# between attempts (exponential from BASE, capped at MAX, with jitter), how
# long a message is retried before it is given up, and how long an endpoint
# may fail without a break before it is switched off.
SEAT_WEBHOOK_TIMEOUT_SECONDS = env_float("SEAT_WEBHOOK_TIMEOUT_SECONDS", 10.0)
SEAT_WEBHOOK_RETRY_BASE_SECONDS = env_float("SEAT_WEBHOOK_RETRY_BASE_SECONDS", 5.0)
SEAT_WEBHOOK_RETRY_MAX_SECONDS = env_float("SEAT_WEBHOOK_RETRY_MAX_SECONDS", 3600.0)
SEAT_WEBHOOK_RETRY_FOR_SECONDS = env_float("SEAT_WEBHOOK_RETRY_FOR_SECONDS", 86400.0)
SEAT_WEBHOOK_DISABLE_AFTER_SECONDS = env_float(
    "SEAT_WEBHOOK_DISABLE_AFTER_SECONDS", 86400.0
)
# How often the delivery worker looks for due messages when nothing woke it.
SEAT_WEBHOOK_POLL_SECONDS = env_float("SEAT_WEBHOOK_POLL_SECONDS", 1.0)
# Where webhooks may go (webhooks/destinations.py): https to public
# addresses only, unless http is allowed (development) or the host name,
# address or network is listed (comma-separated) as an allowed internal host.
SEAT_WEBHOOK_ALLOW_HTTP = env_bool("SEAT_WEBHOOK_ALLOW_HTTP", False)
SEAT_WEBHOOK_ALLOWED_HOSTS = [
    value.strip()
    for value in env_str("SEAT_WEBHOOK_ALLOWED_HOSTS", "").split(",")
    if value.strip()
]

APSCHEDULER_DATETIME_FORMAT = "Y-m-d H:i:s.u"
APSCHEDULER_RUN_NOW_TIMEOUT = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "config.logformat.JsonFormatter"},
    },
    "filters": {"redact_hold_tokens": {"()": "config.logformat.RedactHoldTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_hold_tokens"],
            # SEATS_LOG_FORMAT=json: one JSON object per line, for log shippers.
            "formatter": "json" if env_str("SEATS_LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        **{
            package: {"level": env_str("SEATS_LOG_LEVEL", "INFO")}
            for package in ("seats", "plans", "webhooks", "workers", "realtime", "api")
        },
        "apscheduler": {"level": "WARNING"},
    },
}
