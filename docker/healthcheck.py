"""The image's HEALTHCHECK: GET /healthz from inside the container; exit 0 only on HTTP 200.

Django answers only to DJANGO_ALLOWED_HOSTS, so the request names the first allowed host
instead of 127.0.0.1. /healthz is exempt from the HTTPS redirect (settings.py).
Standard library only: it runs every 30 seconds and must not load Django.
"""

import os
import sys
import urllib.error
import urllib.request


def allowed_host() -> str:
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.nhs.uk" allows its subdomains
        if host and "*" not in host:
            return host
    return "localhost"


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz?format=text"
    request = urllib.request.Request(url, headers={"Host": allowed_host()})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            print(response.read().decode(errors="replace").strip())
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(f"HTTP {error.code}: {error.read().decode(errors='replace').strip()}")
    except OSError as error:
        print(f"unreachable: {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
