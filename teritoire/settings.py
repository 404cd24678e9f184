"""Settings of the portal, read from the environment (see .env.example).

`DJANGO_ENV=production` turns on the production defaults; everything else is development.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env("DJANGO_ENV", default="development") == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=False) and not PRODUCTION

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY est obligatoire quand DJANGO_DEBUG n'est pas activé."
        )
    SECRET_KEY = "insecure-development-key-only-for-local-debug"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address every absolute link is built on (e-mails, feeds, sitemap), never the request's
# Host. Required in production: `check --deploy` refuses this default or any local address.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Who runs the site, for the legal notice (/mentions-legales/): the publisher (éditeur), its
# address and director of publication, the host (hébergeur) and a contact address. The defaults
# are examples for development, marked as such on the page; `check --deploy` refuses them
# (teritoire/checks.py). `Territory.publisher`, from the reference data, names the programme
# that publishes the open data; these name the organisation legally responsible for the site.
LEGAL_NOTICE_EXAMPLES = {
    "PUBLISHER_NAME": "Éditeur du portail (exemple)",
    "PUBLISHER_ADDRESS": "1 rue de l'Exemple, 37000 Exempleville (exemple)",
    "PUBLICATION_DIRECTOR": "Directeur ou directrice de la publication (exemple)",
    "HOST_NAME": "Hébergeur (exemple)",
    "HOST_ADDRESS": "2 avenue de l'Exemple, 75000 Paris (exemple)",
    "CONTACT_EMAIL": "contact@portail.example",
}
PUBLISHER_NAME = env("PUBLISHER_NAME", default=LEGAL_NOTICE_EXAMPLES["PUBLISHER_NAME"])
PUBLISHER_ADDRESS = env("PUBLISHER_ADDRESS", default=LEGAL_NOTICE_EXAMPLES["PUBLISHER_ADDRESS"])
PUBLICATION_DIRECTOR = env(
    "PUBLICATION_DIRECTOR", default=LEGAL_NOTICE_EXAMPLES["PUBLICATION_DIRECTOR"]
)
HOST_NAME = env("HOST_NAME", default=LEGAL_NOTICE_EXAMPLES["HOST_NAME"])
HOST_ADDRESS = env("HOST_ADDRESS", default=LEGAL_NOTICE_EXAMPLES["HOST_ADDRESS"])
CONTACT_EMAIL = env("CONTACT_EMAIL", default=LEGAL_NOTICE_EXAMPLES["CONTACT_EMAIL"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "import_export",
    "csp",
    "teritoire.apps.LoginThrottlingConfig",
    "teritoire",
    "partners",
    "programme",
    "actions",
]

MIDDLEWARE = [
    # First: a cached public page is answered before any other middleware runs. It is kept
    # as the middlewares below left it, security headers included (they are the same for every
    # request: no nonce); its key holds the scheme, so an http request still gets its redirect.
    "teritoire.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A lost database answers the French 503 page, not the 500 one (teritoire/unavailable.py).
    "teritoire.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "teritoire.logs.SecurityEventMiddleware",
]

ROOT_URLCONF = "teritoire.urls"
WSGI_APPLICATION = "teritoire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "teritoire.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "partners:login"
LOGIN_REDIRECT_URL = "space:dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded files on S3-compatible object storage when a bucket is configured (pip install
# ".[s3]"); otherwise under MEDIA_ROOT, which must be a volume shared by every app server.
if env("S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portail@grand-est-touraine.test")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Portail] "
# A mail server that drops connections silently must not hold a worker until gunicorn kills it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Error reports. With SENTRY_DSN, to Sentry, without personal data: no cookies, user, address
# nor request body. Otherwise the people in DJANGO_ADMINS ("Nom <a@b.fr>, c@d.fr") receive each
# server error by e-mail (LOGGING below), secrets hidden by teritoire.logs.SafeReportFilter.
ADMINS = [entry for entry in getaddresses([env("DJANGO_ADMINS", default="")]) if any(entry)]
if any("@" not in address for _, address in ADMINS):
    raise ImproperlyConfigured(
        "DJANGO_ADMINS\u00a0: des adresses e-mail séparées par des virgules, "
        "par exemple «\u00a0Équipe projet <equipe@exemple.fr>, admin@exemple.fr\u00a0»."
    )
DEFAULT_EXCEPTION_REPORTER_FILTER = "teritoire.logs.SafeReportFilter"
SENTRY_ENABLED = bool(env("SENTRY_DSN", default=""))
if SENTRY_ENABLED:
    import sentry_sdk  # imported only when used

    sentry_sdk.init(
        dsn=env("SENTRY_DSN"),
        environment=env(
            "SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "development"
        ),
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Local memory by default; set CACHE_URL=redis://… when several processes or servers serve the
# site: the cache of public pages (teritoire/pagecache.py) only runs on a shared cache.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Redis unreachable: a cache miss, never a 500 (teritoire/unavailable.py).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "teritoire.unavailable.ForgivingRedisCache"
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
PUBLIC_PAGE_CACHE_MAX_BYTES = env.int("PUBLIC_PAGE_CACHE_MAX_BYTES", default=2 * 1024 * 1024)

SIMPLE_HISTORY_REVERT_DISABLED = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The previewed spreadsheet waits for confirmation in the default storage (shared by every app
# server), under a random name; it is removed once imported.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CONN_MAX_AGE = 60
    DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
    # A connection left broken by a database restart is replaced before the next request uses it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]

# Content-Security-Policy: nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (partner space and admin): 5 failures for a user and address lock them
# out for 15 minutes, even with the right password; a success resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during the lockout does not prolong it: 15 minutes from the lockout.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "partners/locked_out.html"
# The visitor's address (partners/throttling.py): REMOTE_ADDR, or behind AXES_PROXY_COUNT trusted
# proxies the entry the outermost one appended to X-Forwarded-For, never one the client wrote.
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "AXES_PROXY_COUNT est le nombre de proxys devant le portail (0 ou plus)."
    )
AXES_CLIENT_IP_CALLABLE = "partners.throttling.client_ip_address"
AXES_VERBOSE = False
# Both login forms (partner space and admin) name the e-mail field "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "partners.throttling.axes_username"

# Sessions live in the database (shared by every app server); they end 8 hours after they were
# last written, in practice the login (they are not saved again on every request, so activity does
# not extend them), and when the user is deactivated (ModelBackend refuses inactive users).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "teritoire.logs.JsonFormatter"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if PRODUCTION else "plain",
        },
        # Server errors (500) by e-mail to ADMINS; Sentry receives them instead when it is set.
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [] if SENTRY_ENABLED else ["mail_admins"]},
        # A request for a host name not served is a robot's, not a server error to mail.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
