"""Authorisation matrix rows for the surveys (merged into tests/test_authorization_matrix.py).
The rounds take in the world's first Trust (RK9) only."""

from datetime import timedelta

from django.utils import timezone


def _round(w, *, published: bool = False):
    from surveys import services
    from surveys.analysis import publish

    today = timezone.localdate()
    round_ = services.round_create(
        by=None,
        name="Matrix round",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        trusts=[w.trust],
    )
    if published:
        publish(round_)
    return round_


def _slug(w) -> dict:
    return {"slug": _round(w).slug}


def _published(w) -> dict:
    return {"slug": _round(w, published=True).slug}


def _link(w) -> dict:
    from surveys import services

    round_ = _round(w)
    return {"token": services.open_link_for(round_=round_, trust=w.trust).token}


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    only_deanery = statuses(403, anonymous=302, deanery=200)
    # The round takes in RK9: its people and the deanery; the other Trust's staff get 404.
    in_rk9 = statuses(200, anonymous=302, other_clm=404, other_admin=404)
    rk9_staff = statuses(
        200, anonymous=302, trainee=403, supervisor=403, other_clm=404, other_admin=404
    )
    # Only a trainee or supervisor of a Trust in the round answers it signed in.
    answers = statuses(404, anonymous=302, trainee=200, supervisor=200)
    return {
        "surveys:list": Row(lambda w: {}, statuses(200, anonymous=302)),
        "surveys:create": Row(lambda w: {}, only_deanery),
        "surveys:round": Row(_slug, rk9_staff),
        "surveys:close": Row(_slug, statuses(403, anonymous=302, deanery=302), method="post"),
        "surveys:import": Row(_slug, only_deanery),
        "surveys:export": Row(_slug, only_deanery),
        "surveys:links": Row(_slug, only_deanery),
        "surveys:results": Row(_published, in_rk9),
        "surveys:results_csv": Row(_published, in_rk9),
        "surveys:results_xlsx": Row(_published, in_rk9),
        "surveys:answer": Row(lambda w: {**_slug(w), "step": "about"}, answers),
        # Links need no account: anyone holding one answers.
        "surveys:link_start": Row(_link, statuses(200)),
        "surveys:link": Row(lambda w: {**_link(w), "step": "about"}, statuses(200)),
        "surveys:thanks": Row(lambda w: {}, statuses(200)),
    }
