"""Writes: rounds, answers, links, imports and exports."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from clm_portal.csvimport import MAX_ROWS
from clm_portal.queue import enqueue_on_commit
from mentors.models import training_year_start
from trusts.models import Role, Trust, User

from .analysis import instruments_for_roles, publish, round_items
from .models import (
    Channel,
    ExportRecord,
    ItemKind,
    Participation,
    Response,
    Round,
    SurveyLink,
    link_digest,
    new_link_token,
)
from .responses_csv import export_lines, parse_responses
from .tasks import survey_link_email_task

# Paths under /surveys/ that a round's slug would hide.
RESERVED_SLUGS = {"new", "thanks", "link"}


def _check_deanery(by: User) -> None:
    if not by.has_role(Role.DEANERY):
        raise PermissionDenied


def unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "round"
    slug, n = base, 1
    while Round.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def round_create(
    *,
    by: User | None,
    name: str,
    opens_on: date,
    closes_on: date,
    trusts,
    year: int | None = None,
    slug: str = "",
    threshold: int = 10,
) -> Round:
    if by is not None:
        _check_deanery(by)
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is used by the portal itself: choose another."})
    round_ = Round(
        name=name,
        slug=slug or unique_slug(name),
        year=year or training_year_start(opens_on).year,
        opens_on=opens_on,
        closes_on=closes_on,
        threshold=threshold,
        created_by=by,
    )
    round_.full_clean()
    round_.save()
    round_.instruments.set(instruments_for_roles().values())
    round_.trusts.set(trusts)
    return round_


@transaction.atomic
def round_close(*, by: User, round_: Round) -> Round:
    """Close a round now and publish its figures."""
    _check_deanery(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
    return publish(round_)


def rounds_publish_due(*, today: date | None = None) -> int:
    """Publish rounds whose closing date has passed since they were last published (beat)."""
    today = today or timezone.localdate()
    done = 0
    due = Round.objects.filter(closes_on__lt=today, closed_at__isnull=True).exclude(
        published_at__date__gt=F("closes_on")
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            publish(Round.objects.select_for_update().get(pk=pk))
        done += 1
    return done


# --- Answering -------------------------------------------------------------------------------------


def clean_answers(round_: Round, role: str, answers: dict) -> dict[str, int]:
    """Only the role's items, each with a value its kind allows; anything else is refused."""
    items = {item.code: item for item in round_items(round_)[role]}
    cleaned = {}
    for code, value in answers.items():
        item = items.get(code)
        allowed = range(1, 7) if item and item.kind == ItemKind.LIKERT else (0, 1)
        if item is None or not isinstance(value, int) or value not in allowed:
            raise ValidationError(f"'{value}' is not an answer to {code}.")
        cleaned[code] = value
    return cleaned


@transaction.atomic
def response_submit(
    *,
    round_: Round,
    trust: Trust,
    role: str,
    grade: str = "",
    specialty: str = "",
    answers: dict,
    user: User | None = None,
    link: SurveyLink | None = None,
) -> None:
    """Record one person's answers, keeping nothing that says who they are.

    Signed in: a Participation row stops a second answer. On a single-use link: the link is
    used up. Nothing returned, so no caller can hold the new response next to the person.
    """
    if not round_.is_open:
        raise ValidationError("This survey is closed.")
    if not round_.trusts.filter(pk=trust.pk).exists():
        raise ValidationError("This Trust is not taking part in this survey.")
    if role not in (Role.TRAINEE, Role.SUPERVISOR):
        raise ValidationError("Choose whether you are a trainee or an educational supervisor.")
    answers = clean_answers(round_, role, answers)
    if user is not None:
        try:
            with transaction.atomic():
                Participation.objects.create(user=user, round=round_)
        except IntegrityError as exc:
            raise ValidationError("You have already answered this survey.") from exc
        channel = Channel.HOME
    elif link is not None and link.kind == SurveyLink.Kind.PERSONAL:
        link = SurveyLink.objects.select_for_update().get(pk=link.pk)
        if link.used:
            raise ValidationError("This link has been used: each single-use link answers once.")
        link.used = True
        link.draft = {}
        link.save(update_fields=["used", "draft"])
        channel = Channel.PERSONAL_LINK
    elif link is not None:
        channel = Channel.TRUST_LINK
    else:
        raise ValidationError("Sign in or use a survey link to answer.")
    Response.objects.create(
        round=round_,
        trust=trust,
        role=role,
        grade=grade if role == Role.TRAINEE else "",
        specialty=specialty if role == Role.TRAINEE else "",
        channel=channel,
        answers=answers,
    )


def has_answered(*, user: User, slug: str) -> bool:
    return Participation.objects.filter(user=user, round__slug=slug).exists()


def link_save_draft(*, link: SurveyLink, draft: dict) -> None:
    """Keep a partial answer on a single-use link that is not used up."""
    SurveyLink.objects.filter(pk=link.pk, used=False).update(draft=draft)


def open_link_for(*, round_: Round, trust: Trust) -> SurveyLink:
    """The Trust's open link for the round (made the first time it is asked for)."""
    return open_links_for(round_=round_, trusts=[trust])[trust.pk]


def open_links_for(*, round_: Round, trusts) -> dict[int, SurveyLink]:
    """Each Trust's open link (trust id → link), made for those that have none yet; a fixed
    number of queries however many Trusts."""
    trusts = list(trusts)
    existing = {
        link.trust_id: link
        for link in SurveyLink.objects.filter(
            round=round_, kind=SurveyLink.Kind.OPEN, trust__in=trusts
        )
    }
    missing = []
    for trust in trusts:
        if trust.pk not in existing:
            token = new_link_token()
            missing.append(
                SurveyLink(
                    round=round_,
                    trust=trust,
                    kind=SurveyLink.Kind.OPEN,
                    token=token,
                    token_digest=link_digest(token),
                )
            )
    if missing:
        SurveyLink.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            link.trust_id: link
            for link in SurveyLink.objects.filter(
                round=round_, kind=SurveyLink.Kind.OPEN, trust__in=trusts
            )
        }
    return existing


def link_find(token: str) -> SurveyLink | None:
    return (
        SurveyLink.objects.select_related("round", "trust")
        .filter(token_digest=link_digest(token))
        .first()
    )


def personal_links_issue(
    *, by: User, round_: Round, trust: Trust, role: str, emails: list[str], base_url: str
) -> int:
    """Email each address its own single-use link. The addresses are not stored, so the
    link (and whatever is answered on it) cannot be traced back to the person."""
    _check_deanery(by)
    if not round_.trusts.filter(pk=trust.pk).exists():
        raise ValidationError("This Trust is not taking part in this round.")
    sends = []
    with transaction.atomic():
        for email in emails:
            token = new_link_token()
            SurveyLink.objects.create(
                round=round_,
                trust=trust,
                kind=SurveyLink.Kind.PERSONAL,
                role=role,
                token_digest=link_digest(token),
            )
            sends.append((email, f"{base_url}{token}/"))
        for email, url in sends:
            # The address travels in the task's message only, and is forgotten once sent.
            enqueue_on_commit(
                survey_link_email_task, email=email, url=url, round_id=round_.pk, trust_id=trust.pk
            )
    return len(sends)


# --- Import and export -----------------------------------------------------------------------------


def _save_parsed(round_: Round, parsed: list[dict]) -> int:
    Response.objects.bulk_create(
        [Response(round=round_, channel=Channel.IMPORT, **fields) for fields in parsed],
        batch_size=2000,
    )
    publish(round_)
    return len(parsed)


@transaction.atomic
def responses_import(*, by: User | None, round_: Round, upload, max_rows: int = MAX_ROWS) -> int:
    """Add a file's responses to the round, all or none, and publish its figures."""
    if by is not None:
        _check_deanery(by)
    parsed = parse_responses(round_, upload, max_rows=max_rows)
    return _save_parsed(round_, parsed)


@transaction.atomic
def round_create_from_file(*, name: str, upload, max_rows: int = MAX_ROWS) -> tuple[Round, int]:
    """A new round for the current training year and the Trusts in the file, with its
    responses; nothing is kept if the file has a problem."""
    today = timezone.localdate()
    start = training_year_start(today)
    round_ = round_create(
        by=None, name=name, opens_on=start, closes_on=max(today, start), trusts=[]
    )
    parsed = parse_responses(round_, upload, trusts_from_file=True, max_rows=max_rows)
    round_.trusts.set({fields["trust"] for fields in parsed})
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_at"])
    return round_, _save_parsed(round_, parsed)


def responses_export(*, by: User, round_: Round):
    """The round's raw responses as CSV lines; the export is recorded in the audit log."""
    _check_deanery(by)
    ExportRecord.objects.create(round=round_, by=by, rows=round_.responses.count())
    return export_lines(round_)
