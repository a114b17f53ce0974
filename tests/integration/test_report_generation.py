"""Report files from a real Celery worker on Redis: the deanery asks for the compendium and a
Trust's report, the worker makes them and the rows say done; the same task delivered twice
leaves one set of files; with Redis down the request still succeeds and the sweeper catches
up later."""

import pytest
from django.utils import timezone

from mentors.models import training_year_start
from reports.generation import generation_request, generations_requeue_lost
from reports.models import Generation
from reports.tasks import generate_report_task
from tests.conftest import report_files_storage
from tests.factories import TrustFactory, person
from trusts.models import Role

from .support import celery_configured, refusing_broker, unique_queue_name, wait_for

pytestmark = pytest.mark.integration
TIMEOUT = 60


@pytest.fixture
def people(transactional_db):
    trust = TrustFactory(ods_code="RK9", name="University Hospitals Plymouth NHS Trust")
    TrustFactory(ods_code="REF", name="Royal Cornwall Hospitals NHS Trust")
    person(Role.TRAINEE, trust)
    return {"trust": trust, "deanery": person(Role.DEANERY), "clm": person(Role.CLM, trust)}


def _year() -> int:
    return training_year_start(timezone.localdate()).year - 1


def _done(pk: int) -> bool:
    return Generation.objects.get(pk=pk).status in (
        Generation.Status.DONE,
        Generation.Status.FAILED,
    )


def _files(year: int) -> list[str]:
    storage = report_files_storage()
    if str(year) not in storage.listdir("")[0]:
        return []
    return sorted(storage.listdir(str(year))[1])


def test_the_worker_makes_the_compendium_and_a_trusts_report(celery_worker_on_redis, people):
    year = _year()
    compendium = generation_request(by=people["deanery"], year=year)
    report = generation_request(by=people["clm"], year=year, trust=people["trust"])
    for generation in (compendium, report):
        assert wait_for(
            lambda g=generation: _done(g.pk), timeout=TIMEOUT, failures=celery_worker_on_redis
        ), "The worker did not finish"
        generation.refresh_from_db()
        assert generation.status == Generation.Status.DONE, generation.message
        assert generation.seconds > 0
        assert generation.pdf.open("rb").read(5) == b"%PDF-"
    assert _files(year) == sorted(
        [f"RK9-{year}.pdf", f"RK9-{year}.xlsx", f"region-{year}.pdf", f"region-{year}.xlsx"]
    )


def test_a_task_delivered_twice_leaves_one_set_of_files(celery_worker_on_redis, people):
    year = _year()
    generation = generation_request(by=people["deanery"], year=year)
    # The same message again, as Redis redelivers it when a worker dies before acking.
    generate_report_task.apply_async(
        kwargs={"generation_id": generation.pk, "request_id": str(generation.request_id)}
    )
    assert wait_for(lambda: _done(generation.pk), timeout=TIMEOUT, failures=celery_worker_on_redis)
    # The duplicate runs after the first (one worker, one task at a time) and finds it done.
    assert wait_for(
        lambda: Generation.objects.get(pk=generation.pk).status == Generation.Status.DONE,
        timeout=TIMEOUT,
        failures=celery_worker_on_redis,
    )
    assert _files(year) == [f"region-{year}.pdf", f"region-{year}.xlsx"]
    assert Generation.objects.get(pk=generation.pk).attempts == 1


def test_with_redis_down_the_request_succeeds_and_the_sweeper_catches_up(people):
    from datetime import timedelta

    year = _year()
    with refusing_broker() as broker_url:
        with celery_configured(broker_url=broker_url, queue=unique_queue_name()):
            generation = generation_request(by=people["deanery"], year=year)
    assert Generation.objects.get(pk=generation.pk).status == Generation.Status.QUEUED
    Generation.objects.filter(pk=generation.pk).update(
        queued_at=timezone.now() - timedelta(minutes=30)
    )
    # Beat's sweeper, here with tasks in-process again: the files are made.
    assert generations_requeue_lost() == 1
    assert Generation.objects.get(pk=generation.pk).status == Generation.Status.DONE
