"""Keep single-use links (invitation tokens) out of every log line.

`settings.REDACTED_PATH_PREFIXES` lists the paths whose remainder is a secret; whatever
follows one of them, up to a space or quote, is written as "[redacted]". Used by the logging
filter on Django's handlers and by gunicorn's access log (gunicorn.conf.py).
"""

import logging
import re
from functools import lru_cache

# The default when Django's settings are not loaded (gunicorn's master process).
DEFAULT_PREFIXES = ("/invitations/accept/",)
REDACTED = "[redacted]"


def _prefixes() -> tuple[str, ...]:
    try:
        from django.conf import settings

        return tuple(settings.REDACTED_PATH_PREFIXES)
    except Exception:  # settings not configured: never let logging fail
        return DEFAULT_PREFIXES


@lru_cache(maxsize=8)
def _pattern(prefixes: tuple[str, ...]) -> re.Pattern | None:
    if not prefixes:
        return None
    alternatives = "|".join(re.escape(p) for p in prefixes)
    return re.compile(rf"({alternatives})[^\s\"'<>]+")


def redact(text: str) -> str:
    """`text` with the secret part of any redacted path replaced."""
    pattern = _pattern(_prefixes())
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(rf"\1{REDACTED}", text)


class RedactPathsFilter(logging.Filter):
    """A logging filter: formats the message once, redacted (django.request logs the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        # django.request and django.server attach the request; a JSON formatter prints it.
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = redact(repr(request))
        return True
