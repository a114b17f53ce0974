"""The client's address, for the lockout (django-axes) and allauth's rate limits alike.

Behind TRUSTED_PROXY_COUNT reverse proxies, each proxy appends the address it received the
request from to X-Forwarded-For, so the client's real address is the entry the outermost
trusted proxy added: the TRUSTED_PROXY_COUNT-th from the right. Anything to the left of it
was written by the client and is ignored, so extra entries cannot choose an address.
With no trusted proxy (0, the default) X-Forwarded-For is ignored and REMOTE_ADDR is used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, trusting only the configured number of proxies."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e]
        if len(entries) >= count:
            address = _clean(entries[-count])
            if address:
                return address
    return _clean(request.META.get("REMOTE_ADDR"))
