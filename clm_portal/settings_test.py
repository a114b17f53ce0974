"""Settings for pytest: the real settings, made fast and self-contained.

DATABASE_URL and REDIS_URL still come from the environment (CI points them at the local
PostgreSQL and Redis); with neither set the suite runs on SQLite with eager tasks.
"""

import os

# The production code paths, whatever the shell says (`make` exports DJANGO_DEBUG=true).
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("REQUIRE_MFA", "false")
# Playwright's sync API runs an event loop in the test thread, next to Django's ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: E402,F403
from .settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Report files in memory (one store per test process, shared with an embedded worker's
    # thread); tests that look at files on disk point it at a temporary directory.
    "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Unit tests run tasks in-process; the integration tests start a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
SITE_URL = "http://testserver"
