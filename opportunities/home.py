"""The opportunities' parts of the trainee's and the supervisor's home pages (registered with
clm_portal.home_parts in OpportunitiesConfig.ready)."""

from .models import LIVE, ApplicationStatus
from .selectors import applications_visible_to, with_waiting_positions
from .suggest import suggestions_for


def trainee_home(request) -> dict:
    """Suggested opportunities with their reasons, and the trainee's live applications (offers
    waiting for an answer first)."""
    user = request.user
    live = list(
        with_waiting_positions(
            applications_visible_to(user=user).filter(trainee=user, status__in=LIVE)
        ).order_by("-updated_at")
    )
    live.sort(key=lambda a: a.status != ApplicationStatus.OFFERED)
    return {"suggestions": suggestions_for(user, limit=4), "live_applications": live}


def supervisor_home(request) -> dict:
    """The supervisees' applications in play."""
    user = request.user
    return {
        "supervisee_applications": list(
            with_waiting_positions(
                applications_visible_to(user=user).exclude(trainee=user).filter(status__in=LIVE)
            ).order_by("-updated_at")[:10]
        )
    }
