"""Settings for the CLM Portal, read from the environment (see .env.example).

Environments differ only by environment values: `make run` sets DJANGO_DEBUG=true and
uses SQLite with in-process tasks; docker compose sets DATABASE_URL, REDIS_URL and a real
secret.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET = "dev-only-secret-key-not-for-production-3f9a1c2e7b5d4a6f8e0c1b2d3a4f5e6c7b8a9d0e"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin behind the portal's own sign-in, with MFA for staff (clm_portal.admin_site).
    "clm_portal.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    # third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    "django_celery_beat",
    "django_filters",
    "django_tables2",
    "health_check",
    # Imports each app's rules.py (trusts/rules.py, mentors/rules.py, ...).
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    # ours
    "clm_portal",
    "trusts",
    "mentors",
    "opportunities",
    "surveys",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs sign-in unless it is marked @login_not_required: forgetting fails closed.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clm_portal.middleware.RequireMFAMiddleware",
    "clm_portal.middleware.NoStoreForSignedInMiddleware",
    # Axes must come last (its documentation).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clm_portal.urls"
WSGI_APPLICATION = "clm_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "clm_portal.navigation.navigation",
                "opportunities.context_processors.notifications",
            ],
        },
    },
]
FORM_RENDERER = "clm_portal.forms.NHSFormRenderer"

# Database: SQLite when DATABASE_URL is unset, so `make run` needs nothing installed.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "trusts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out login is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- django-allauth ------------------------------------------------------------------------
ACCOUNT_ADAPTER = "trusts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "trusts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CLM Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    # django-axes locks a username from one address (below). This is only a backstop against
    # one address trying many accounts: a per-key limit would let anyone lock a person out
    # from elsewhere, and 5 per address would lock out a whole hospital behind one address.
    "login_failed": "50/5m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CLM Portal"
# The roles whose accounts can see many Trusts' people must use a second factor, and so must
# staff and superusers (the admin).
# On whenever DEBUG is off; REQUIRE_MFA=false turns it off (e.g. a training copy).
REQUIRE_MFA = env.bool("REQUIRE_MFA", default=not DEBUG)
REQUIRE_MFA_ROLES = ("deanery", "trust_admin")

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS: dict = {}
SSO_FORM_ACTION_HOSTS: list[str] = []
# Sign-in through the organisation's identity provider, off unless configured.
# NHSmail is Microsoft Entra: set SSO_MICROSOFT_TENANT, _CLIENT_ID and _SECRET.
# Addresses in these domains (e.g. nhs.net) are taken as verified by the identity provider, so
# someone who already has an account is signed in to it; otherwise they must hold an invitation.
SSO_VERIFIED_EMAIL_DOMAINS = env.list("SSO_VERIFIED_EMAIL_DOMAINS", default=[])
if env("SSO_MICROSOFT_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "TENANT": env("SSO_MICROSOFT_TENANT", default="organizations"),
        "VERIFIED_EMAIL": SSO_VERIFIED_EMAIL_DOMAINS,
        "APPS": [
            {
                "name": env("SSO_MICROSOFT_NAME", default="NHSmail"),
                "client_id": env("SSO_MICROSOFT_CLIENT_ID"),
                "secret": env("SSO_MICROSOFT_SECRET"),
            }
        ],
    }
    SSO_FORM_ACTION_HOSTS.append("https://login.microsoftonline.com")
# Any other OpenID Connect provider, by its issuer URL (discovery is fetched at sign-in).
if env("SSO_OIDC_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "VERIFIED_EMAIL": SSO_VERIFIED_EMAIL_DOMAINS,
        "APPS": [
            {
                "provider_id": env("SSO_OIDC_PROVIDER_ID", default="oidc"),
                "name": env("SSO_OIDC_NAME", default="Your organisation"),
                "client_id": env("SSO_OIDC_CLIENT_ID"),
                "secret": env("SSO_OIDC_SECRET"),
                "settings": {"server_url": env("SSO_OIDC_SERVER_URL")},
            }
        ],
    }
    _issuer = urlsplit(env("SSO_OIDC_SERVER_URL"))
    SSO_FORM_ACTION_HOSTS.append(
        env("SSO_OIDC_AUTHORIZE_ORIGIN", default=f"{_issuer.scheme}://{_issuer.netloc}")
    )

# --- django-axes: lock a username from an address after repeated failures ------------------
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Username and address together: a hospital's shared address is never locked as a whole,
# and nobody can lock another person out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with `email=…`, which axes would not find under "login".
AXES_USERNAME_CALLABLE = "trusts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"

# --- The client's address behind reverse proxies --------------------------------------------
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, use the
# connection's address). The client is the entry the outermost trusted proxy wrote; entries
# to its left come from the client and are ignored. One value for the lockout (axes) and for
# allauth's rate limits (clm_portal.clientip; AXES_PROXY_COUNT is the old name).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "clm_portal.clientip.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # the adapter's get_client_ip is ours anyway

# --- Email ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CLM Portal <no-reply@clm-portal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Redis, cache and Celery ---------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down or stuck, a warning and a cache miss, never a 500
            # (rate limits are then not counted; the lockout is in the database).
            "BACKEND": "clm_portal.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# With no broker, tasks run in-process so `make run` needs nothing else installed.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
# Lose nothing: a task is acknowledged only once it has run, and requeued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Block no one: a stuck Redis fails a publish in seconds instead of hanging the request.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 1,
    "visibility_timeout": 60 * 60,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep Django's JSON logging in worker and beat
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: expire offers past their hold and offer freed places to the waiting list
    # (catches any promotion a lost task missed).
    "opportunity-offers-sweep": {
        "task": "opportunities.tasks.sweep_offers_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 10 minutes: notification emails not sent (the queue lost them) are queued again.
    "opportunity-notifications-sweep": {
        "task": "opportunities.tasks.notifications_sweep_task",
        "schedule": crontab(minute="*/10"),
    },
    # Daily at 07:30: reminders before an opportunity starts, and applications undecided for
    # 7 days (to the CLM).
    "opportunity-daily-reminders": {
        "task": "opportunities.tasks.daily_reminders_task",
        "schedule": crontab(minute=30, hour=7),
    },
    # Hourly: every Trust's fair-access figures for the deanery's page (opportunities.fairness).
    "opportunity-fair-access-snapshot": {
        "task": "opportunities.tasks.fair_access_snapshot_task",
        "schedule": crontab(minute=20),
    },
    # Mondays at 07:15: each supervisor's digest of new opportunities for their trainees.
    "opportunity-supervisor-digest": {
        "task": "opportunities.tasks.supervisor_digest_task",
        "schedule": crontab(minute=15, hour=7, day_of_week="mon"),
    },
    # Every 10 minutes: send invitations whose email could not be queued when they were made.
    "send-unsent-invitations": {
        "task": "trusts.tasks.invitations_send_unsent_task",
        "schedule": crontab(minute="*/10"),
    },
    # Mondays at 07:00: each CLM's last week in figures (mentors.services.weekly_nudges_queue).
    "weekly-clm-nudges": {
        "task": "mentors.tasks.weekly_nudges_task",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Hourly: this training year's figures for the regional dashboard (reports.regional).
    "regional-snapshot": {
        "task": "reports.tasks.regional_snapshot_task",
        "schedule": crontab(minute=40),
    },
    # Nightly at 02:30: the past ten training years' regional figures (the Trust dashboard's
    # years; a past year's entries can be corrected until the year is closed).
    "regional-snapshot-past-years": {
        "task": "reports.tasks.past_regional_snapshots_task",
        "schedule": crontab(minute=30, hour=2),
    },
    # Daily at 08:00: year-end report reminders to Trusts that have not submitted, 28, 14, 7
    # and 1 days before the due date and 1 and 7 days after (once each).
    "year-end-report-reminders": {
        "task": "reports.tasks.report_reminders_task",
        "schedule": crontab(minute=0, hour=8),
    },
    # Every 10 minutes: report files whose task was lost (Redis down) or whose worker died
    # are queued again.
    "report-generations-sweep": {
        "task": "reports.tasks.generations_sweep_task",
        "schedule": crontab(minute="*/10"),
    },
    # Daily at 01:10: survey rounds whose closing date has passed publish their results.
    "survey-rounds-publish": {
        "task": "surveys.tasks.publish_due_rounds_task",
        "schedule": crontab(minute=10, hour=1),
    },
    # Every 15 minutes: weekly emails recorded as due but not sent after 30 minutes (the
    # queue lost them, e.g. Redis restarted) are queued again, up to 6 attempts.
    "weekly-clm-nudges-sweep": {
        "task": "mentors.tasks.weekly_nudges_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Opportunities ------------------------------------------------------------------------
# How long an offered place is held for the trainee before it passes down the waiting list.
OPPORTUNITY_OFFER_HOLD_HOURS = env.int("OPPORTUNITY_OFFER_HOLD_HOURS", default=48)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: the NHS.UK frontend is compiled into static/dist by `make assets` --------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # The year-end reports' PDF and XLSX files (reports.Generation), served only through the
    # portal's own download views (never from MEDIA_URL). Any Django storage backend, e.g.
    # django-storages' S3: REPORTS_STORAGE_BACKEND and REPORTS_STORAGE_OPTIONS (JSON).
    "reports": {
        "BACKEND": env(
            "REPORTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "REPORTS_STORAGE_OPTIONS",
            default={"location": os.path.join(str(MEDIA_ROOT), "reports")},
        ),
    },
}

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Messages live in the session: no cookie beyond the essential session and CSRF ones.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *SSO_FORM_ACTION_HOSTS],
    }
}

# --- Tables ----------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/nhsuk.html"

# --- Logging: one JSON object per line on stdout -------------------------------------------
# Paths whose remainder is a secret (single-use links): redacted from Django's log lines and
# gunicorn's access log (clm_portal.logredact, gunicorn.conf.py).
# Paths whose remainder is a secret token: invitation links and the hosts' confirmation links.
REDACTED_PATH_PREFIXES = ["/invitations/accept/", "/opportunities/host/"]
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "filters": {"redact_paths": {"()": "clm_portal.logredact.RedactPathsFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact_paths"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Demo ------------------------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", default="clm-demo-2026")
