"""Making the report files: one set of files however often the task runs or is redelivered,
a superseded request does nothing, a failure is recorded with its message, a passing error is
retried, and a submitted report is never changed; `generate_reports` runs the same services."""

from datetime import date
from io import BytesIO

import pytest
from celery.exceptions import Retry
from django.core.management import CommandError, call_command
from django.db import OperationalError
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import services
from reports.generation import generation_request, generation_run, generations_requeue_lost
from reports.models import Generation, YearEndReport
from reports.tasks import generate_report_task

from .conftest import every_section, report_files_storage

pytestmark = pytest.mark.django_db


def _files() -> list[str]:
    storage = report_files_storage()
    found = []
    for year_dir in storage.listdir("")[0]:
        found += [f"{year_dir}/{name}" for name in storage.listdir(year_dir)[1]]
    return sorted(found)


@pytest.fixture
def submitted(world, cycle, last_year, django_capture_on_commit_callbacks):
    from mentors.services import activity_create

    activity_create(
        by=world.clm,
        trust=world.trust,
        date=date(last_year, 9, 1),
        responsibility="induction",
        format="induction_talk",
        minutes=45,
        trainees_reached=40,
        notes="",
    )
    report = services.report_get_or_start(trust=world.trust, year=last_year)
    services.report_save_draft(
        by=world.clm, report=report, narratives=every_section(induction="Talk to the F1s.")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(by=world.clm, report=report)  # queues its files
    report.refresh_from_db()
    return report


def test_submitting_makes_the_reports_files(submitted, last_year):
    generation = Generation.objects.get(kind="trust", trust=submitted.trust)
    assert generation.status == Generation.Status.DONE
    assert generation.made_from == "submitted"
    assert _files() == [f"{last_year}/RK9-{last_year}.pdf", f"{last_year}/RK9-{last_year}.xlsx"]
    text = "".join(p.extract_text() for p in PdfReader(generation.pdf.open("rb")).pages)
    assert "Talk to the F1s." in text
    load_workbook(BytesIO(generation.xlsx.open("rb").read()))


def test_the_same_task_twice_leaves_one_set_of_files(submitted, world, last_year):
    done = Generation.objects.get()
    # Delivered again (a duplicate, or after the worker died): nothing more is made.
    assert generate_report_task(generation_id=done.pk, request_id=str(done.request_id)) == "skipped"
    assert _files() == [f"{last_year}/RK9-{last_year}.pdf", f"{last_year}/RK9-{last_year}.xlsx"]
    # Asked again: the files are replaced, never added to.
    again = generation_request(by=world.clm, year=last_year, trust=world.trust, publish=False)
    assert generation_run(generation_id=again.pk, request_id=str(again.request_id)) == "done"
    assert Generation.objects.count() == 1
    assert _files() == [f"{last_year}/RK9-{last_year}.pdf", f"{last_year}/RK9-{last_year}.xlsx"]


def test_a_redelivered_task_still_running_makes_the_same_files_again(submitted, world, last_year):
    generation = Generation.objects.get()
    Generation.objects.filter(pk=generation.pk).update(
        status=Generation.Status.RUNNING, done_request_id=None
    )
    assert generation_run(generation_id=generation.pk, request_id=str(generation.request_id)) == (
        "done"
    )
    assert len(_files()) == 2


def test_a_superseded_request_does_nothing(submitted, world, last_year):
    old = Generation.objects.get()
    Generation.objects.filter(pk=old.pk).update(
        request_id="00000000-0000-0000-0000-000000000001", status="queued"
    )
    assert generation_run(generation_id=old.pk, request_id=str(old.request_id)) == "skipped"
    assert Generation.objects.get().status == Generation.Status.QUEUED


def test_generating_never_changes_the_submitted_report(submitted, world, last_year):
    before = YearEndReport.objects.values().get(pk=submitted.pk)
    generation_request(by=world.deanery, year=last_year, trust=world.trust, check=True)
    generation = Generation.objects.get()
    Generation.objects.filter(pk=generation.pk).update(done_request_id=None)
    generation_run(generation_id=generation.pk, request_id=str(generation.request_id))
    assert YearEndReport.objects.values().get(pk=submitted.pk) == before


def test_a_failure_is_recorded_with_its_message(world, last_year, monkeypatch):
    from reports import generation as module

    def broken(generation):
        raise ValueError("The template is missing")

    monkeypatch.setattr(module, "build_files", broken)
    generation = generation_request(by=world.deanery, year=last_year, publish=False)
    assert (
        generate_report_task(generation_id=generation.pk, request_id=str(generation.request_id))
        == "failed"
    )
    generation.refresh_from_db()
    assert generation.status == Generation.Status.FAILED
    assert generation.message == "ValueError: The template is missing"
    assert _files() == []


def test_a_passing_database_error_is_retried(world, last_year, monkeypatch):
    from reports import generation as module

    real = module.build_files
    calls = []

    def flaky(generation):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(generation)

    monkeypatch.setattr(module, "build_files", flaky)
    generation = generation_request(by=world.deanery, year=last_year, publish=False)
    kwargs = {"generation_id": generation.pk, "request_id": str(generation.request_id)}
    # The worker is told to retry (Celery re-queues it with a countdown)…
    with pytest.raises(Retry):
        generate_report_task.apply(kwargs=kwargs)
    generation.refresh_from_db()
    assert generation.status == Generation.Status.QUEUED
    assert generation.message.startswith("Trying again after a passing error (OperationalError")
    # …and the retried task makes the files.
    generate_report_task.apply(kwargs=kwargs, retries=1)
    generation.refresh_from_db()
    assert len(calls) == 2 and generation.status == Generation.Status.DONE
    assert generation.attempts == 2 and generation.message == ""


def test_after_the_last_retry_it_is_failed_with_the_message(world, last_year, monkeypatch):
    from reports import generation as module

    def down(generation):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(module, "build_files", down)
    generation = generation_request(by=world.deanery, year=last_year, publish=False)
    kwargs = {"generation_id": generation.pk, "request_id": str(generation.request_id)}
    assert generate_report_task.apply(kwargs=kwargs, retries=3).get() == "failed"
    generation.refresh_from_db()
    assert generation.status == Generation.Status.FAILED
    assert generation.message == "OperationalError: could not connect to server"


def test_the_sweeper_queues_lost_generations_again(
    world, last_year, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    generation = generation_request(by=world.deanery, year=last_year, publish=False)
    Generation.objects.filter(pk=generation.pk).update(
        queued_at=timezone.now() - timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert generations_requeue_lost() == 1
    assert Generation.objects.get().status == Generation.Status.DONE


def test_only_the_deanery_makes_the_compendium(world, last_year):
    from django.core.exceptions import PermissionDenied

    for user in (world.clm, world.trust_admin):
        with pytest.raises(PermissionDenied):
            generation_request(by=user, year=last_year)
    with pytest.raises(PermissionDenied):
        generation_request(by=world.other_clm, year=last_year, trust=world.trust)


class TestCommand:
    def test_it_writes_every_file_into_the_folder(self, submitted, world, last_year, tmp_path):
        call_command("generate_reports", "--year", str(last_year), "--sync", "--output", tmp_path)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted(
            [
                f"{ods}-{last_year}.{ext}"
                for ods in ("REF", "RK9", "region")
                for ext in ("pdf", "xlsx")
            ]
        )
        assert (tmp_path / f"RK9-{last_year}.pdf").read_bytes().startswith(b"%PDF")

    def test_one_trust_only(self, world, last_year, tmp_path):
        call_command(
            "generate_reports",
            "--year",
            str(last_year),
            "--trust",
            "rk9",
            "--sync",
            "--output",
            tmp_path,
        )
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            f"RK9-{last_year}.pdf",
            f"RK9-{last_year}.xlsx",
        ]

    def test_bad_input_says_what_is_wrong(self, world):
        with pytest.raises(CommandError, match="No Trust has the ODS code"):
            call_command("generate_reports", "--year", "2025", "--trust", "XXX", "--sync")
        with pytest.raises(CommandError, match="first calendar year"):
            call_command("generate_reports", "--year", "1999", "--sync")
