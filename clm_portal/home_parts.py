"""What the feature apps add to a role's home page.

An app registers a function `part(request) -> dict` for a role in its AppConfig.ready; the home
view merges each part's context. The portal's own modules then import no feature app, so the
apps' one-way data flow (import-linter, pyproject.toml) holds through `clm_portal.views` too.
"""

from collections import defaultdict
from collections.abc import Callable

_PARTS: dict[str, list[Callable]] = defaultdict(list)


def register_home_part(role: str, part: Callable) -> None:
    if part not in _PARTS[role]:
        _PARTS[role].append(part)


def home_parts_for(role: str | None) -> list[Callable]:
    return list(_PARTS.get(role or "", []))
