"""Authorisation matrix rows for the reports (merged into tests/test_authorization_matrix.py)."""


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    only_deanery = statuses(403, anonymous=302, deanery=200)
    return {
        "reports:region": Row(lambda w: {}, only_deanery),
        "reports:region_csv": Row(lambda w: {}, only_deanery),
    }
