"""The header navigation and the home page's list of parts, by role.

One table says which role reaches which part of the portal. A part whose pages have not
landed yet has no URL: the home page lists it as "coming soon" and the header leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from trusts.models import Role

ALL = tuple(Role.values)
STAFF = (Role.CLM, Role.TRUST_ADMIN, Role.DEANERY)


@dataclass(frozen=True)
class Part:
    label: str
    url_name: str | None
    roles: tuple[str, ...]
    description: str
    # Prefixes of "namespace:url_name" that count as being in this part, for aria-current.
    sections: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


PARTS: tuple[Part, ...] = (
    Part(
        "Activity log",
        "mentors:log",
        (Role.CLM, Role.TRUST_ADMIN, Role.DEANERY),
        "CLM activity against the nine responsibilities, and time against the allocation.",
        sections=(
            "mentors:log",
            "mentors:edit_activity",
            "mentors:delete_activity",
            "mentors:import",
            "mentors:time",
            "mentors:nudge",
            "mentors:training",
            "mentors:close_year",
            "mentors:reopen_year",
        ),
    ),
    Part(
        "Mentor network",
        "mentors:case_studies",
        (Role.CLM, Role.DEANERY),
        "Case studies of good practice from the region's CLMs, and network days.",
        sections=(
            "mentors:case_stud",
            "mentors:publish_case",
            "mentors:edit_case",
            "mentors:network_day",
            "mentors:add_network",
        ),
    ),
    Part(
        "Opportunities",
        "opportunities:list",
        ALL,
        "Leadership opportunities in the Trust: buddying, shadowing, QI, committee roles.",
        sections=(
            "opportunities:list",
            "opportunities:detail",
            "opportunities:apply",
            "opportunities:recommend",
            "opportunities:my_applications",
            "opportunities:application",
            "opportunities:accept",
            "opportunities:decline",
            "opportunities:withdraw",
            "opportunities:supervisees",
            "opportunities:manage",
            "opportunities:create",
            "opportunities:edit",
            "opportunities:applications",
            "opportunities:decide",
            "opportunities:match",
            "opportunities:invite",
            "opportunities:confirm",
            "opportunities:fair_access",
        ),
    ),
    Part(
        "My record",
        "opportunities:record",
        (Role.TRAINEE,),
        "What you have done, as evidence for your portfolio.",
        sections=("opportunities:record", "opportunities:reflect"),
    ),
    Part(
        "Surveys",
        "surveys:list",
        ALL,
        "The programme's trainee and supervisor surveys, with results as aggregates.",
        sections=("surveys:",),
    ),
    Part(
        "My trainees",
        "trusts:my_trainees",
        (Role.SUPERVISOR,),
        "The trainees you are educational supervisor for.",
        sections=("trusts:my_trainees",),
    ),
    Part(
        "People",
        "trusts:people",
        STAFF,
        "Who is in the Trust, their roles, invitations and the change history.",
        sections=("trusts:people", "trusts:person", "trusts:invit"),
    ),
    Part(
        "Trusts",
        "trusts:list",
        STAFF,
        "The region's Trusts, their sites and CLMs.",
        sections=("trusts:list", "trusts:detail"),
    ),
    Part(
        "Reports",
        "reports:index",
        (Role.CLM, Role.TRUST_ADMIN, Role.DEANERY),
        "Dashboards comparing Trusts fairly, and the year-end activity reports to HEE.",
        sections=("reports:",),
    ),
)


def parts_for(user) -> list[Part]:
    if not user.is_authenticated:
        return []
    return [p for p in PARTS if user.has_any_role(*p.roles)]


def navigation(request) -> dict:
    """Context processor: the header's links for the signed-in person's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = [{"label": "Home", "url": reverse("home"), "current": current == "home"}]
    for part in parts_for(user):
        if url := part.url:
            items.append(
                {"label": part.label, "url": url, "current": current.startswith(part.sections)}
            )
    return {"nav_items": items}
