"""Making the report files (PDF and XLSX) in a Celery worker, with a status the page reads.

A request (`generation_request`) marks the Trust's (or the region's) `Generation` row queued
with a fresh request id and publishes the task after commit. The task (`generation_run`) is
safe to run twice or to be redelivered after a worker dies:
- it does nothing for a request that is already done, or that a newer request superseded;
- it writes its files under fixed names (`<ODS>-<YEAR>.pdf` …), replacing what was there, so
  there is only ever one set of files per Trust and year;
- it reads the report and never writes to it: a submitted report's files come from its
  snapshot.
A beat sweeper queues again any generation whose task was lost (Redis down) or whose worker
died mid-run.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from clm_portal.queue import enqueue_on_commit
from trusts.models import Trust, User

from .models import Generation, YearEndReport
from .tasks import generate_report_task

logger = logging.getLogger(__name__)

# A second request for the same files within this time of the last, still queued or
# running, is the same request (a double click), not a new one.
REPEAT_WINDOW = timedelta(seconds=30)
# When the sweeper treats a generation as lost: queued for this long (the task never
# arrived), or running for longer than the task's hard time limit (its worker died).
LOST_IF_QUEUED_FOR = timedelta(minutes=10)
LOST_IF_RUNNING_FOR = timedelta(minutes=20)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def generation_request(
    *,
    by: User | None,
    year: int,
    trust: Trust | None = None,
    check: bool = True,
    publish: bool = True,
) -> Generation:
    """Queue the making of a Trust's report files (`trust`) or of the regional compendium;
    `publish=False` only marks it queued, for a caller that runs it itself (`--sync`)."""
    if check and by is not None:
        perm = "reports.generate_trust" if trust else "reports.manage_cycle"
        if not by.has_perm(perm, trust):
            raise PermissionDenied
    kind = Generation.Kind.TRUST if trust else Generation.Kind.REGION
    now = timezone.now()
    with transaction.atomic():
        generation, created = Generation.objects.select_for_update().get_or_create(
            kind=kind, year=year, trust=trust, defaults={"queued_at": now, "requested_by": by}
        )
        if (
            publish
            and not created
            and generation.in_progress
            and now - generation.queued_at < REPEAT_WINDOW
        ):
            return generation
        if not created:
            generation.request_id = uuid.uuid4()
            generation.status = Generation.Status.QUEUED
            generation.queued_at = now
            generation.started_at = generation.finished_at = None
            generation.message = ""
            generation.attempts = 0
            generation.requested_by = by
            generation.save()
        if not publish:
            return generation
        enqueue_on_commit(
            generate_report_task,
            generation_id=generation.pk,
            request_id=str(generation.request_id),
        )
    return generation


def _claim(generation_id: int, request_id: str) -> Generation | None:
    """Mark the generation running for this request; None when there is nothing to do."""
    with transaction.atomic():
        generation = Generation.objects.select_for_update().filter(pk=generation_id).first()
        if generation is None or str(generation.request_id) != request_id:
            return None  # gone, or superseded by a newer request
        if generation.done_request_id is not None and str(generation.done_request_id) == request_id:
            return None  # already done: a duplicate or redelivered task
        generation.status = Generation.Status.RUNNING
        generation.started_at = timezone.now()
        generation.attempts += 1
        generation.save(update_fields=["status", "started_at", "attempts"])
    return generation


def build_files(generation: Generation) -> tuple[bytes, bytes, str]:
    """The PDF and XLSX for a generation, and what they were made from."""
    from .content import compendium_content, trust_document
    from .documents import compendium_pdf, compendium_xlsx, trust_pdf, trust_xlsx

    if generation.kind == Generation.Kind.REGION:
        compendium = compendium_content(year=generation.year)
        return compendium_pdf(compendium), compendium_xlsx(compendium), "the portal"
    report = YearEndReport.objects.filter(trust=generation.trust, year=generation.year).first()
    document = trust_document(trust=generation.trust, year=generation.year, report=report)
    return trust_pdf(document), trust_xlsx(document), document["status"]


def _store(field, name: str, data: bytes) -> None:
    """Replace the file at `name`: the one set of files for this Trust (or region) and year."""
    storage = field.storage
    full = field.field.generate_filename(field.instance, name)
    if field.name and field.name != full and storage.exists(field.name):
        storage.delete(field.name)
    if storage.exists(full):
        storage.delete(full)
    field.save(name, ContentFile(data), save=False)


def generation_run(*, generation_id: int, request_id: str) -> str:
    """The task's work: make and store the files for this request, once."""
    generation = _claim(generation_id, request_id)
    if generation is None:
        return "skipped"
    started = time.monotonic()
    pdf, xlsx, made_from = build_files(generation)
    with transaction.atomic():
        current = Generation.objects.select_for_update().get(pk=generation_id)
        if str(current.request_id) != request_id:
            return "superseded"
        _store(current.pdf, f"{current.basename}.pdf", pdf)
        _store(current.xlsx, f"{current.basename}.xlsx", xlsx)
        current.status = Generation.Status.DONE
        current.finished_at = timezone.now()
        current.seconds = round(time.monotonic() - started, 2)
        current.done_request_id = current.request_id
        current.made_from = made_from
        current.message = ""
        current.save()
    logger.info("Made %s in %.1f s", current, current.seconds)
    return "done"


def generation_fail(*, generation_id: int, request_id: str, message: str) -> None:
    """Record that this request failed, saying why (unless a newer request replaced it)."""
    Generation.objects.filter(pk=generation_id, request_id=request_id).update(
        status=Generation.Status.FAILED,
        finished_at=timezone.now(),
        message=message[:2000],
    )


def generation_note_retry(*, generation_id: int, request_id: str, message: str) -> None:
    Generation.objects.filter(pk=generation_id, request_id=request_id).update(
        status=Generation.Status.QUEUED, message=message[:2000]
    )


def generations_requeue_lost(*, now=None) -> int:
    """Queue again the generations whose task was lost or whose worker died (beat)."""
    from .selectors import stale_generations

    now = now or timezone.now()
    count = 0
    for generation in stale_generations(
        now=now, queued_for=LOST_IF_QUEUED_FOR, running_for=LOST_IF_RUNNING_FOR
    ):
        with transaction.atomic():
            Generation.objects.filter(pk=generation.pk).update(
                status=Generation.Status.QUEUED, queued_at=now
            )
            enqueue_on_commit(
                generate_report_task,
                generation_id=generation.pk,
                request_id=str(generation.request_id),
            )
        count += 1
    return count
