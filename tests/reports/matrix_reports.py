"""Authorisation matrix rows for the reports (merged into tests/test_authorization_matrix.py).

Objects belong to RK9, the first Trust: its CLM and administrators and the deanery see its
dashboard and report; the other Trust's staff get 404; trainees and supervisors 403."""

from __future__ import annotations


def _last_year() -> int:
    from django.utils import timezone

    from mentors.models import training_year_start

    return training_year_start(timezone.localdate()).year - 1


def _year(w) -> dict:
    return {"year": _last_year()}


def _report(w) -> dict:
    return {"year": _last_year(), "ods_code": w.trust.ods_code}


def _submitted(w) -> dict:
    from django.utils import timezone

    from reports.models import YearEndReport

    YearEndReport.objects.create(
        trust=w.trust,
        year=_last_year(),
        status="submitted",
        snapshot={"content": {}, "narratives": {}},
        submitted_at=timezone.now(),
        first_submitted_at=timezone.now(),
    )
    return _report(w)


def _files(w) -> dict:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import Generation

    generation = Generation(
        kind="trust", year=_last_year(), trust=w.trust, status="done", queued_at=timezone.now()
    )
    generation.pdf.save("RK9.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    generation.xlsx.save("RK9.xlsx", ContentFile(b"PK test"), save=False)
    generation.save()
    return {"pk": generation.pk, "fmt": "pdf"}


def _status(w) -> dict:
    return {"pk": _files(w)["pk"]}


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    only_deanery = statuses(403, anonymous=302, deanery=200)
    deanery_posts = statuses(403, anonymous=302, deanery=302)
    trust_object = statuses(
        200, anonymous=302, trainee=403, supervisor=403, other_clm=404, other_admin=404
    )
    return {
        # Deanery staff go to the region; a Trust's staff to their Trust's dashboard.
        "reports:index": Row(lambda w: {}, statuses(302, trainee=403, supervisor=403)),
        "reports:region": Row(lambda w: {}, only_deanery),
        "reports:region_csv": Row(lambda w: {}, only_deanery),
        "reports:region_xlsx": Row(lambda w: {}, only_deanery),
        "reports:trust": Row(lambda w: {"ods_code": w.trust.ods_code}, trust_object),
        "reports:denominators": Row(_year, only_deanery),
        "reports:year_end_latest": Row(lambda w: {}, statuses(403, anonymous=302, deanery=302)),
        "reports:year_end": Row(_year, only_deanery),
        "reports:window": Row(_year, only_deanery),
        "reports:generate_region": Row(_year, deanery_posts, method="post"),
        "reports:report": Row(_report, trust_object),
        # The CLM writes, the administrator drafts; the deanery reads but never writes.
        "reports:edit_report": Row(_report, {**trust_object, "deanery": 403}),
        "reports:preview_report": Row(_report, trust_object),
        # Only the Trust's CLM submits (with nothing written yet, they are sent to write it).
        "reports:submit_report": Row(
            _report,
            statuses(403, anonymous=302, clm=302, other_clm=404),
            method="post",
        ),
        "reports:return_report": Row(_submitted, only_deanery),
        "reports:accept_report": Row(_submitted, deanery_posts, method="post"),
        "reports:generate_trust": Row(
            _report,
            {**trust_object, "clm": 302, "trust_admin": 302, "deanery": 302},
            method="post",
        ),
        "reports:download": Row(_files, trust_object),
        "reports:generation_status": Row(_status, trust_object),
    }
