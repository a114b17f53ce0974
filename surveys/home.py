"""The open surveys on the trainee's and the supervisor's home pages (registered with
clm_portal.home_parts in SurveysConfig.ready)."""

from .selectors import rounds_to_answer


def open_surveys(request) -> dict:
    return {"open_surveys": [round_ for round_, _, _ in rounds_to_answer(user=request.user)]}
