"""Authorisation matrix rows for finding and applying (merged into
tests/test_authorization_matrix.py). Objects belong to the world's first Trust (RK9)."""


def _opportunity(w) -> dict:
    from ..factories import OpportunityFactory

    return {"pk": OpportunityFactory(trust=w.trust).pk}


def _application(w, *, offered: bool = False) -> dict:
    from opportunities import services

    from ..factories import OpportunityFactory, apply_for

    application = apply_for(OpportunityFactory(trust=w.trust, places=2), w.trainee)
    if offered:
        application = services.application_decide(by=w.clm, application=application, to="offered")
    return {"pk": application.pk}


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    signed_in = statuses(200, anonymous=302)
    # A published opportunity of RK9: everyone there and the deanery; the other Trust 404.
    object_in_rk9 = statuses(200, anonymous=302, other_clm=404, other_admin=404)
    only = lambda role: statuses(403, anonymous=302, **{role: 200})  # noqa: E731
    return {
        "opportunities:list": Row(lambda w: {}, signed_in),
        "opportunities:detail": Row(_opportunity, object_in_rk9),
        "opportunities:apply": Row(_opportunity, only("trainee")),
        "opportunities:recommend": Row(_opportunity, only("supervisor")),
        "opportunities:my_applications": Row(lambda w: {}, only("trainee")),
        # The trainee's own; their supervisor; the Trust's staff and the deanery.
        "opportunities:application": Row(_application, object_in_rk9),
        "opportunities:accept": Row(lambda w: _application(w, offered=True), only("trainee")),
        "opportunities:decline": Row(lambda w: _application(w, offered=True), only("trainee")),
        "opportunities:withdraw": Row(_application, only("trainee")),
        "opportunities:supervisees": Row(lambda w: {}, only("supervisor")),
    }
