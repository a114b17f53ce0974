"""Authorisation matrix rows for managing opportunities (merged into
tests/test_authorization_matrix.py). Objects belong to the world's first Trust (RK9)."""

from .matrix_browse import _application, _opportunity


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    staff = statuses(200, anonymous=302, trainee=403, supervisor=403)
    # RK9's opportunity: its CLM and administrator change it; the deanery reads it (403 to
    # change); the other Trust's staff get 404.
    change = statuses(
        200, anonymous=302, trainee=403, supervisor=403, deanery=403, other_clm=404, other_admin=404
    )
    read = {**change, "deanery": 200}
    posted = {**change, "clm": 302, "trust_admin": 302}
    return {
        "opportunities:manage": Row(lambda w: {}, staff),
        "opportunities:create": Row(lambda w: {}, staff),
        "opportunities:edit": Row(_opportunity, change),
        "opportunities:copy": Row(_opportunity, posted, method="post"),
        "opportunities:set_status": Row(
            _opportunity, posted, method="post", data={"status": "closed"}
        ),
        "opportunities:applications": Row(_opportunity, read),
        "opportunities:decide": Row(_application, change),
        "opportunities:match": Row(_opportunity, change),
        "opportunities:invite": Row(
            lambda w: {**_opportunity(w), "trainee_pk": w.trainee.pk}, change
        ),
    }
