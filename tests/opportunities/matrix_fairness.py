"""Authorisation matrix rows for the fair-access page (merged into
tests/test_authorization_matrix.py)."""


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    return {
        # A Trust's staff see their own Trust's; the deanery every Trust's.
        "opportunities:fair_access": Row(
            lambda w: {}, statuses(200, anonymous=302, trainee=403, supervisor=403)
        ),
    }
