"""Tridex settings: one module, every deployment difference comes from environment variables.

Embedded default (no variables set): SQLite in ``var/``, local-memory cache, a filesystem
Celery broker in ``var/``, DEBUG off unless asked for. At scale: ``DATABASE_URL`` points at
PostgreSQL and ``REDIS_URL`` at Redis (cache, Celery broker).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tridex
VAR_DIR = Path(os.environ.get("TRIDEX_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# Served over HTTPS (the production default): secure cookies, HSTS, HTTP redirected to HTTPS.
# The local demo on http://127.0.0.1:8000 runs with TRIDEX_HTTPS=0.
HTTPS = env_bool("TRIDEX_HTTPS", not DEBUG)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Earlier secret keys, still accepted for signatures and second factors' secrets while a
# rotation settles (comma-separated).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    # Django's admin on Tridex's site, which audits every registered model admin.
    "tridex.audit.apps.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # Before allauth so that its template overrides (account/*.html, account/email/*) win.
    "tridex.accounts",
    "allauth",
    "allauth.account",
    "allauth.usersessions",  # each person's sessions and devices (accounts/sessions.py)
    "allauth.headless",
    "django_countries",
    "tridex.core",
    "tridex.audit",
    "tridex.markets",
    "tridex.privacy",
    "tridex.catalog",
    "tridex.pricing",
    "tridex.inventory",
    "tridex.tax",
    "tridex.shipping",
    "tridex.cart",
    "tridex.orders",
    "tridex.payments",
    "tridex.checkout",
    "tridex.search",
    "tridex.storefront",
    "tridex.dashboard",
    "tridex.demo",
    "tridex.api",
    "tridex.reviews",  # customers' reviews: posting, verified purchases (catalog.Review)
    # The API docs (/api/v1/docs) from django-ninja's own static files: without the app listed
    # ninja serves a page that loads Swagger UI from a CDN through an inline script.
    "ninja",
    "allauth.mfa",  # authenticator apps, passkeys and security keys, recovery codes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # SECURE_CSP, under "Hardening"
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tridex.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tridex.audit.context.AuditContextMiddleware",
    "tridex.privacy.middleware.ConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session lifetimes, last seen (after messages: it says why it signed
    # someone out).
    "tridex.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor are kept out of /admin/ and /api/v1/staff/ (after messages,
    # which it leaves for the page it redirects to, and allauth's own middleware).
    "tridex.accounts.mfa.StaffMFAMiddleware",
    "tridex.markets.middleware.MarketMiddleware",
    "tridex.accounts.middleware.AuthRateLimitMiddleware",  # sign-in, sign-up, password reset
]

ROOT_URLCONF = "tridex.config.urls"
WSGI_APPLICATION = "tridex.config.wsgi.application"
ASGI_APPLICATION = "tridex.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tridex.markets.context_processors.market",
                "tridex.privacy.context_processors.consent",
                "django.template.context_processors.csp",  # the nonce: {% csp_nonce_attr %}
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tridex.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer writes; IMMEDIATE transactions make writers
    # queue on the database lock instead of failing midway, which is how SQLite serializes
    # stock changes (PostgreSQL uses row locks instead).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles any plan its estimate calls costly: 40 ms spent compiling
        # a 60 ms search over 100,000 products. Short web queries never win it back.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TEST_DATABASE_NAME", "test_tridex"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tridex.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers share one Redis; a prefix each keeps their keys apart.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tridex")
            + os.environ.get("PYTEST_XDIST_WORKER", ""),
        }
    }
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded default keeps its queue in files under var/: a real worker process consumes
    # it, with no service to install.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
# Anonymous catalog pages and API reads are served whole from the cache for this many seconds
# (core/response_cache.py). On by default only with Redis: a per-process memory cache could
# keep serving a page that another process (the worker, another web worker) made stale.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Converted prices follow exchange rates; a periodic full refresh also heals any range a
    # crashed worker left stale.
    "refresh-price-ranges": {
        "task": "tridex.pricing.tasks.refresh_all_price_ranges",
        "schedule": 6 * 60 * 60,
    },
    # Unpaid checkouts hold stock for TRIDEX_RESERVATION_MINUTES; this gives it back.
    "release-expired-reservations": {
        "task": "tridex.payments.tasks.release_expired_reservations",
        "schedule": 60,
    },
    # Audit entries past TRIDEX_AUDIT_RETENTION_DAYS move to files in TRIDEX_AUDIT_ARCHIVE_DIR.
    "archive-audit-log": {
        "task": "tridex.audit.tasks.archive_old_entries",
        "schedule": 24 * 60 * 60,
    },
}
# A killed worker's unacknowledged task goes back to the queue after this many seconds (Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # Kombu 5.7 looks for such tasks every 10 s but scans only every 10th look: a killed
    # worker's task then waited up to 100 s past its timeout. One cheap scan every 10 s.
    "unacked_restore_throttle": 1,
}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # A locked address is refused by the first backend, whichever form the password came from.
    "tridex.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # NIST SP 800-63B: staff passwords at least 15 characters; customers keep the minimum of 8.
    {
        "NAME": "tridex.accounts.validators.StaffMinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("TRIDEX_STAFF_PASSWORD_MIN_LENGTH", "15"))},
    },
]
SITE_ID = 1
LOGIN_REDIRECT_URL = "accounts:profile"
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tridex] "
ACCOUNT_ADAPTER = "tridex.accounts.adapter.AccountAdapter"
# Mobile apps sign in through allauth's headless API and send its X-Session-Token to /api/v1.
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"

# Without EMAIL_HOST, mail is printed to the console (the demo shows verification links there).
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
        if os.environ.get("EMAIL_HOST")
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tridex <shop@tridex.local>")

# --- Languages, time ------------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "th"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "th")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Bangkok"
LANGUAGE_COOKIE_NAME = "tridex_language"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve uploaded media from the app itself (embedded default). Behind a CDN or object store,
# set this off and let the front server answer /media/.
TRIDEX_SERVE_MEDIA = env_bool("TRIDEX_SERVE_MEDIA", True)

# --- Security --------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# --- Tridex -------------------------------------------------------------------------------
TRIDEX_DEFAULT_MARKET = os.environ.get("TRIDEX_DEFAULT_MARKET", "th")
TRIDEX_PAGE_SIZE = 24
TRIDEX_API_MAX_PAGE_SIZE = 100
# How long a checkout holds stock while the shopper pays (PromptPay QR codes expire with it).
TRIDEX_RESERVATION_MINUTES = int(os.environ.get("TRIDEX_RESERVATION_MINUTES", "15"))

# Absolute links in emails (order pages) start with this.
TRIDEX_SITE_URL = os.environ.get("TRIDEX_SITE_URL", "http://127.0.0.1:8000")
# The seller printed on receipts and Thai full tax invoices (orders/invoice.py).
TRIDEX_SELLER = {
    "name": os.environ.get("TRIDEX_SELLER_NAME", "Tridex Sofa Covers Co., Ltd."),
    "address": os.environ.get(
        "TRIDEX_SELLER_ADDRESS", "99/9 Sukhumvit Road, Khlong Toei Nuea, Watthana, Bangkok 10110"
    ),
    "tax_id": os.environ.get("TRIDEX_SELLER_TAX_ID", "0105561234567"),
    "branch": os.environ.get("TRIDEX_SELLER_BRANCH", "00000"),
}

# --- Audit log ------------------------------------------------------------------------------
TRIDEX_AUDIT_RETENTION_DAYS = int(os.environ.get("TRIDEX_AUDIT_RETENTION_DAYS", "730"))
TRIDEX_AUDIT_ARCHIVE_DIR = Path(
    os.environ.get("TRIDEX_AUDIT_ARCHIVE_DIR", VAR_DIR / "audit-archive")
)
# Proxies in front of Tridex that append to X-Forwarded-For (0: use the socket's address).
TRIDEX_TRUSTED_PROXY_HOPS = int(os.environ.get("TRIDEX_TRUSTED_PROXY_HOPS", "0"))

# --- Payments -----------------------------------------------------------------------------
# Card payments need all three Stripe keys; without them Stripe is not offered at checkout.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# Lets a bank or PromptPay aggregator confirm transfers (payments/gateways/local.py).
TRIDEX_PROMPTPAY_CALLBACK_SECRET = os.environ.get("TRIDEX_PROMPTPAY_CALLBACK_SECRET", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Sessions and devices -------------------------------------------------------------------
# Sessions live where every worker sees them: the database, read through Redis when there is
# one. Never a per-process memory cache: a session ended on one worker could live on in another
# worker's memory (docs/operations.md, "Sessions and devices").
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
# A signed-in session ends after this long without a request (customers expect to stay signed
# in to a shop; staff sessions hold more power and end sooner) ...
TRIDEX_SESSION_IDLE_MINUTES = int(os.environ.get("TRIDEX_SESSION_IDLE_MINUTES", str(14 * 24 * 60)))
TRIDEX_STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("TRIDEX_STAFF_SESSION_IDLE_MINUTES", "60"))
# ... and this long after signing in, however active.
TRIDEX_SESSION_MAX_HOURS = int(os.environ.get("TRIDEX_SESSION_MAX_HOURS", str(30 * 24)))
TRIDEX_STAFF_SESSION_MAX_HOURS = int(os.environ.get("TRIDEX_STAFF_SESSION_MAX_HOURS", "12"))
# The stored session outlives the longest limit by a day, so that the middleware, not the store,
# is what ends it, and can tell the person why.
SESSION_COOKIE_AGE = (
    max(TRIDEX_SESSION_MAX_HOURS, TRIDEX_STAFF_SESSION_MAX_HOURS) * 3600 + 24 * 3600
)
# Sign-ins and failed sign-ins are kept this many days in each person's history.
TRIDEX_LOGIN_HISTORY_DAYS = int(os.environ.get("TRIDEX_LOGIN_HISTORY_DAYS", "365"))
# The IP-to-country table: empty for the one inside the geoip2fast package (MaxMind GeoLite2
# data, June 2024); a path to a newer .dat.gz built with geoip2fast's geoip2dat.
TRIDEX_GEOIP_DATA_FILE = os.environ.get("TRIDEX_GEOIP_DATA_FILE", "")
# A sign-in from a browser, system and country the person has not used before is emailed.
TRIDEX_NEW_DEVICE_EMAIL = env_bool("TRIDEX_NEW_DEVICE_EMAIL", True)
USERSESSIONS_TRACK_ACTIVITY = True  # last seen, kept by SessionLifetimeMiddleware once a minute
USERSESSIONS_ADAPTER = "tridex.accounts.adapter.UserSessionsAdapter"
HEADLESS_TOKEN_STRATEGY = "tridex.accounts.headless.LifetimeSessionTokenStrategy"  # noqa: S105  # nosec B105  # a class path
CELERY_BEAT_SCHEDULE["purge-login-history"] = {
    "task": "tridex.accounts.tasks.purge_login_history",
    "schedule": 24 * 60 * 60,
}
CELERY_BEAT_SCHEDULE["clear-expired-sessions"] = {
    "task": "tridex.accounts.tasks.clear_expired_sessions",
    "schedule": 24 * 60 * 60,
}


# --- Abuse protection -----------------------------------------------------------------------
def _json_env(name: str) -> dict:  # type: ignore[type-arg]
    import json

    return json.loads(os.environ.get(name) or "{}")  # type: ignore[no-any-return]


# Requests per scope and period for each limited action (tridex.core.ratelimit): "ip" is the
# client's address, "user" the signed-in customer, "account" the address a sign-in, sign-up or
# reset is aimed at. Periods end in s, m, h or d. TRIDEX_RATE_LIMITS (JSON) replaces an action's
# entry, e.g. {"search": {"ip": "120/m"}}; an empty string switches a scope off.
TRIDEX_RATE_LIMITS = {
    "login": {"ip": "30/5m", "account": "10/5m"},
    "signup": {"ip": "10/h", "account": "3/h"},
    "password_reset": {"ip": "10/h", "account": "3/h"},
    "search": {"ip": "60/m", "user": "60/m"},
    "review": {"ip": "20/h", "user": "5/h"},
}
TRIDEX_RATE_LIMITS.update(_json_env("TRIDEX_RATE_LIMITS"))
# Sign-in, sign-up and password reset are limited by Tridex's limiter (accounts/middleware.py),
# the same counters as search and reviews, answered with 429 and Retry-After; allauth's own
# limits for those actions are switched off so that one mechanism decides. allauth keeps its
# limits on the flows of signed-in users and on resending confirmation mail, and its
# "login_failed" limit guards second-factor codes only (5 wrong codes per account in 5 minutes,
# 10 a minute per IP): Tridex's adapter does not spend it on passwords, which the lockout counts.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": "10/m/ip,5/5m/key",
    "signup": None,
    "reset_password": None,  # nosec B105  # a rate-limit action name, not a password
}
# After this many failed sign-ins in a row, the address is locked for the period (staff can
# unlock it under Accounts > Sign-in lockouts). 0 switches lockouts off.
TRIDEX_LOGIN_LOCKOUT_ATTEMPTS = int(os.environ.get("TRIDEX_LOGIN_LOCKOUT_ATTEMPTS", "10"))
TRIDEX_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TRIDEX_LOGIN_LOCKOUT_MINUTES", "30"))
# Records of failed sign-ins to addresses that are not locked are dropped after a quiet day.
CELERY_BEAT_SCHEDULE["purge-login-lockouts"] = {
    "task": "tridex.accounts.tasks.purge_login_lockouts",
    "schedule": 60 * 60,
}

# --- Privacy (PDPA/GDPR) ----------------------------------------------------------------------
# Recorded with every consent; changing it shows the cookie banner again to everyone.
TRIDEX_PRIVACY_NOTICE_VERSION = os.environ.get("TRIDEX_PRIVACY_NOTICE_VERSION", "2026-12")
# How long an emailed data-export link works (it also works only once).
TRIDEX_PRIVACY_EXPORT_HOURS = int(os.environ.get("TRIDEX_PRIVACY_EXPORT_HOURS", "72"))
# Days between a customer asking to delete their account and its erasure (they can cancel).
TRIDEX_PRIVACY_DELETION_GRACE_DAYS = int(os.environ.get("TRIDEX_PRIVACY_DELETION_GRACE_DAYS", "30"))
# PDPA and GDPR: a request is answered within 30 days of receipt.
TRIDEX_PRIVACY_REQUEST_DUE_DAYS = int(os.environ.get("TRIDEX_PRIVACY_REQUEST_DUE_DAYS", "30"))
# Export ZIPs live here, outside MEDIA_ROOT: never served by URL, only through a signed link.
TRIDEX_PRIVACY_EXPORT_DIR = Path(
    os.environ.get("TRIDEX_PRIVACY_EXPORT_DIR", VAR_DIR / "private" / "privacy-exports")
)
# The strictly necessary cookie that remembers the cookie banner's answer.
TRIDEX_PRIVACY_CONSENT_COOKIE = os.environ.get("TRIDEX_PRIVACY_CONSENT_COOKIE", "tridex_consent")
CELERY_BEAT_SCHEDULE |= {
    # Accounts whose deletion grace period ended are erased (orders kept, anonymised).
    "privacy-erase-due-accounts": {
        "task": "tridex.privacy.tasks.erase_due_accounts",
        "schedule": 24 * 60 * 60,
    },
    # Export files whose link expired are deleted.
    "privacy-purge-expired-exports": {
        "task": "tridex.privacy.tasks.purge_expired_exports",
        "schedule": 24 * 60 * 60,
    },
}

# --- Hardening ------------------------------------------------------------------------------
# Content Security Policy, enforced (docs/decisions/0010-security-hardening.md). Scripts are
# same-origin files or carry the response's nonce; nothing is evaluated from strings (Alpine's
# CSP build, htmx with allowEval off). The order page, where a card is paid, widens it for
# Stripe (storefront/checkout_views.py). Templates read the nonce as {% csp_nonce_attr %}.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    **({"upgrade-insecure-requests": True} if HTTPS else {}),
}
# Browsers POST violations here as JSON (empty: not reported anywhere but the console).
TRIDEX_CSP_REPORT_URI = os.environ.get("TRIDEX_CSP_REPORT_URI", "")
if TRIDEX_CSP_REPORT_URI:
    SECURE_CSP["report-uri"] = [TRIDEX_CSP_REPORT_URI]
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Two-factor authentication ----------------------------------------------------------------
# allauth's MFA: authenticator apps (TOTP), passkeys and security keys (WebAuthn), and
# single-use recovery codes, on the account pages and in the headless API.
# Staff reach the back office (/admin/) and the staff API (/api/v1/staff/) only once they have
# enrolled an authenticator app or a security key. The demo shop turns this off and says so.
TRIDEX_STAFF_MFA_REQUIRED = env_bool("TRIDEX_STAFF_MFA_REQUIRED", True)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Factors' secrets are encrypted in the database with a key derived from SECRET_KEY.
MFA_ADAPTER = "tridex.accounts.mfa.MFAAdapter"
# A code from the 30 seconds before or after also counts: phones' clocks drift, and a code
# typed as it turns over should not fail. Each code is still accepted only once.
MFA_TOTP_TOLERANCE = 1
# A passkey signs in on its own (it proves possession and a PIN or biometric).
MFA_PASSKEY_LOGIN_ENABLED = True
# fido2 checks that the browser's origin is HTTPS; the demo on http://127.0.0.1 is not. Off
# whenever Tridex is served over HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("TRIDEX_WEBAUTHN_ALLOW_INSECURE_ORIGIN", not HTTPS)
# Adding or removing a factor (and changing a password or an email address) is emailed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
