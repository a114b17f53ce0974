"""Writes for the CLM activity log, appointments, training years and the mentor network."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clm_portal.emails import send_templated_email
from clm_portal.queue import enqueue_on_commit
from trusts.models import Role, Trust, User
from trusts.services import membership_add, membership_remove

from .models import (
    Activity,
    Appointment,
    CaseStudy,
    NetworkDay,
    NudgeSent,
    TrainingYear,
    training_year_start,
    week_start,
)
from .selectors import (
    appointment_for,
    appointment_has_entries,
    is_locked,
    nudges_due_again,
    trainees_of,
    week_summary,
)
from .tasks import weekly_nudge_send_task

logger = logging.getLogger(__name__)


# --- The activity log ----------------------------------------------------------------------------


def _check_unlocked(day: date, field: str = "date") -> None:
    if is_locked(day):
        year = training_year_start(day)
        raise ValidationError(
            {
                field: f"The {year.year}/{(year.year + 1) % 100:02d} training year is closed: "
                "its entries are locked."
            }
        )


def _check_not_future(day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"date": "The date cannot be in the future."})


def _appointment_covering(*, by: User, trust: Trust, day: date) -> Appointment:
    appointment = appointment_for(user=by, trust=trust, on=day)
    if appointment is None:
        current = appointment_for(user=by, trust=trust)
        since = f" Your appointment started on {current.starts_on:%-d %B %Y}." if current else ""
        raise ValidationError({"date": f"The date must be within your CLM appointment.{since}"})
    return appointment


def _check_trainees(trust: Trust, trainees: list[User]) -> None:
    if not trainees:
        return
    allowed = set(
        trainees_of(trust=trust)
        .filter(pk__in=[t.pk for t in trainees])
        .values_list("pk", flat=True)
    )
    if any(t.pk not in allowed for t in trainees):
        raise ValidationError({"trainees": "Choose trainees of your own Trust."})


def _check_opportunity(trust: Trust, opportunity) -> None:
    if opportunity is not None and opportunity.trust_id != trust.pk:
        raise ValidationError({"opportunity": "Choose an opportunity of your own Trust."})


def _apply(activity: Activity, fields: dict) -> None:
    trainees = fields.pop("trainees", None)
    domains = fields.pop("gpc_domains", None)
    for name, value in fields.items():
        setattr(activity, name, value)
    if trainees is not None:
        activity.trainees_reached = max(activity.trainees_reached, len(trainees))
    activity.full_clean(exclude=["trainees", "gpc_domains"])
    activity.save()
    if trainees is not None:
        activity.trainees.set(trainees)
    if domains is not None:
        activity.gpc_domains.set(domains)


@transaction.atomic
def activity_create(*, by: User, trust: Trust, submission_key=None, **fields) -> Activity:
    """Log an activity for `by`, a CLM of `trust`, on a day inside their appointment.

    Idempotent per `submission_key` (the form's hidden key): the same form sent twice (a double
    click, a resent POST) returns the entry the first one logged instead of logging another.
    """
    if not by.has_perm("mentors.log_activity", trust):
        raise PermissionDenied("Only the Trust's CLM can log its activity.")
    if submission_key is not None:
        earlier = Activity.objects.filter(submission_key=submission_key, logged_by=by).first()
        if earlier is not None:
            return earlier
    _check_not_future(fields["date"])
    _check_unlocked(fields["date"])
    appointment = _appointment_covering(by=by, trust=trust, day=fields["date"])
    _check_trainees(trust, fields.get("trainees") or [])
    _check_opportunity(trust, fields.get("opportunity"))
    activity = Activity(
        trust=trust, appointment=appointment, logged_by=by, submission_key=submission_key
    )
    try:
        with transaction.atomic():
            _apply(activity, dict(fields))
    except ValidationError as error:
        # Two copies at once: the unique key lets one through; the other returns it.
        if submission_key is not None and "submission_key" in getattr(error, "error_dict", {}):
            return Activity.objects.get(submission_key=submission_key)
        raise
    except IntegrityError:
        if submission_key is None:
            raise
        return Activity.objects.get(submission_key=submission_key)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by: User, **fields) -> Activity:
    """Correct one's own entry; neither its old nor its new date may be in a closed year."""
    fields.pop("submission_key", None)
    if not by.has_perm("mentors.change_activity", activity):
        raise PermissionDenied("You can change only the entries you logged.")
    _check_unlocked(activity.date)
    _check_not_future(fields["date"])
    _check_unlocked(fields["date"])
    activity.appointment = _appointment_covering(by=by, trust=activity.trust, day=fields["date"])
    _check_trainees(activity.trust, fields.get("trainees") or [])
    _check_opportunity(activity.trust, fields.get("opportunity"))
    _apply(activity, dict(fields))
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by: User) -> None:
    if not by.has_perm("mentors.change_activity", activity):
        raise PermissionDenied("You can delete only the entries you logged.")
    _check_unlocked(activity.date)
    activity.delete()


# --- Training years --------------------------------------------------------------------------------


@transaction.atomic
def training_year_close(*, by: User, starts_on: date) -> TrainingYear:
    """Lock a training year's entries for the year-end report (deanery staff only)."""
    if not by.has_perm("mentors.close_training_year"):
        raise PermissionDenied
    if starts_on != training_year_start(starts_on):
        raise ValidationError("A training year starts on 1 August.")
    if date(starts_on.year + 1, 7, 31) >= timezone.localdate():
        raise ValidationError("A training year can be closed only after it ends on 31 July.")
    year, _ = TrainingYear.objects.select_for_update().get_or_create(starts_on=starts_on)
    if year.is_closed:
        raise ValidationError(f"The {year.label} training year is already closed.")
    year.closed_at, year.closed_by = timezone.now(), by
    year.save()
    return year


@transaction.atomic
def training_year_reopen(*, by: User, year: TrainingYear) -> TrainingYear:
    """Unlock a closed year, e.g. to let a late report be corrected. Recorded in its history."""
    if not by.has_perm("mentors.close_training_year"):
        raise PermissionDenied
    year.closed_at = year.closed_by = None
    year.save()
    return year


# --- Appointments --------------------------------------------------------------------------------


DUPLICATE_WINDOW = timedelta(minutes=2)


def _just_recorded(mine, *, by: User, starts_on: date, hours_per_week) -> Appointment | None:
    """The same appointment recorded by the same person moments ago (a double click)."""
    created = Appointment.history.filter(
        history_type="+",
        history_user=by,
        history_date__gte=timezone.now() - DUPLICATE_WINDOW,
    ).values("id")
    return (
        mine.filter(starts_on=starts_on, hours_per_week=hours_per_week, ends_on__isnull=True)
        .filter(pk__in=created)
        .first()
    )


@transaction.atomic
def appointment_create(
    *,
    by: User,
    trust: Trust,
    user: User,
    starts_on: date,
    hours_per_week,
    confirm_second: bool = False,
) -> Appointment:
    """Record a CLM appointment, giving the person the CLM role in the Trust.

    Idempotent: the same appointment recorded again by the same person within two minutes (a
    double click) returns the first instead of an error. A second current CLM in the Trust is
    refused with code "second_clm" unless `confirm_second`.
    """
    if not by.has_perm("mentors.manage_appointments", trust):
        raise PermissionDenied
    # Serialise appointments in one Trust, so that two copies at once cannot both pass.
    Trust.objects.select_for_update().filter(pk=trust.pk).first()
    mine = Appointment.objects.filter(user=user, trust=trust)
    if earlier := _just_recorded(mine, by=by, starts_on=starts_on, hours_per_week=hours_per_week):
        return earlier
    if user.has_role(Role.TRAINEE):
        raise ValidationError({"user": "A trainee cannot be appointed CLM."})
    # The new appointment is open-ended: any of theirs here from its start on overlaps it.
    if mine.overlapping(starts_on, date.max).exists():
        raise ValidationError({"user": f"{user} already has an appointment here on that date."})
    appointment = Appointment(
        user=user, trust=trust, starts_on=starts_on, hours_per_week=hours_per_week
    )
    appointment.full_clean()
    # Another CLM's appointment that is open, or ends on or after this one starts.
    others = (
        Appointment.objects.filter(trust=trust)
        .overlapping(starts_on, date.max)
        .exclude(user=user)
        .select_related("user")
    )
    if not confirm_second and others.exists():
        names = ", ".join(str(a.user) for a in others)
        raise ValidationError(
            {
                NON_FIELD_ERRORS: ValidationError(
                    f"The Trust already has a current CLM ({names}). Tick the box to record a "
                    "second one, or end the current appointment first.",
                    code="second_clm",
                )
            }
        )
    appointment._history_user = by
    appointment.save()
    membership_add(user=user, role=Role.CLM, trust=trust, by=by)
    return appointment


def needs_second_clm_confirmation(error: ValidationError) -> bool:
    """Whether `appointment_create` refused only for want of confirming a second CLM."""
    errors = getattr(error, "error_dict", {}).get(NON_FIELD_ERRORS, [])
    return any(e.code == "second_clm" for e in errors)


@transaction.atomic
def appointment_cancel(*, by: User, appointment: Appointment) -> None:
    """Undo a mistaken appointment: delete it and the CLM role it gave (both in the history).

    Only an appointment with no logged activity: one with entries is ended instead.
    """
    if not by.has_perm("mentors.manage_appointments", appointment.trust):
        raise PermissionDenied
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment_has_entries(appointment=appointment):
        raise ValidationError(
            "This appointment has logged activity, so it cannot be cancelled. End it instead."
        )
    user, trust = appointment.user, appointment.trust
    appointment._history_user = by
    appointment.delete()
    if not Appointment.objects.filter(user=user, trust=trust).exists():
        for membership in user.memberships.filter(role=Role.CLM, trust=trust):
            membership_remove(membership=membership, by=by)


@transaction.atomic
def appointment_end(*, by: User, appointment: Appointment, ends_on: date) -> Appointment:
    """End a CLM appointment. The Trust then has a vacancy until the next is recorded."""
    if not by.has_perm("mentors.manage_appointments", appointment.trust):
        raise PermissionDenied
    if ends_on < appointment.starts_on:
        raise ValidationError({"ends_on": "The last day cannot be before the appointment began."})
    appointment.ends_on = ends_on
    appointment.full_clean()
    appointment.save()
    still_appointed = (
        Appointment.objects.filter(user=appointment.user, trust=appointment.trust)
        .current(timezone.localdate() + timedelta(days=1))
        .exists()
    )
    if not still_appointed:
        for membership in appointment.user.memberships.filter(
            role=Role.CLM, trust=appointment.trust
        ):
            membership_remove(membership=membership, by=by)
    return appointment


def appointment_start_for_new_clm(*, user: User, trust: Trust) -> Appointment | None:
    """A CLM role given without an appointment (e.g. by invitation) starts one today."""
    today = timezone.localdate()
    open_or_future = Appointment.objects.filter(user=user, trust=trust).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    if open_or_future.exists():
        return None
    return Appointment.objects.create(user=user, trust=trust, starts_on=today)


def appointment_close_for_removed_clm(*, user: User, trust: Trust) -> None:
    """The CLM role was taken away: their open appointment there ends today."""
    today = timezone.localdate()
    for appointment in Appointment.objects.filter(user=user, trust=trust).current(today):
        appointment.ends_on = max(today, appointment.starts_on)
        appointment.save(update_fields=["ends_on"])


@transaction.atomic
def appointment_set_nudge(*, appointment: Appointment, by: User, weekly_nudge: bool) -> None:
    if appointment.user_id != by.pk:
        raise PermissionDenied
    appointment.weekly_nudge = weekly_nudge
    appointment.save(update_fields=["weekly_nudge"])


# --- Weekly nudges ---------------------------------------------------------------------------------


NUDGE_RETRY_AFTER = timedelta(minutes=30)
NUDGE_MAX_ATTEMPTS = 6


@transaction.atomic
def weekly_nudges_queue(*, today: date | None = None) -> int:
    """Record last week's summary email as due for every current CLM who wants one, then queue
    them once that record is committed (so a lost queue loses nothing: see the sweeper)."""
    today = today or timezone.localdate()
    last_monday = week_start(today) - timedelta(days=7)
    ids = list(
        Appointment.objects.current(today).filter(weekly_nudge=True).values_list("pk", flat=True)
    )
    known = set(
        NudgeSent.objects.filter(appointment_id__in=ids, week_starts_on=last_monday).values_list(
            "appointment_id", flat=True
        )
    )
    NudgeSent.objects.bulk_create(
        [NudgeSent(appointment_id=pk, week_starts_on=last_monday) for pk in ids if pk not in known],
        ignore_conflicts=True,
    )
    for pk in ids:
        enqueue_on_commit(
            weekly_nudge_send_task, appointment_id=pk, week_starts_on=last_monday.isoformat()
        )
    return len(ids)


@transaction.atomic
def weekly_nudges_sweep(*, now=None) -> int:
    """Queue again the weekly emails recorded as due but not sent after NUDGE_RETRY_AFTER."""
    now = now or timezone.now()
    due = list(nudges_due_again(before=now - NUDGE_RETRY_AFTER, max_attempts=NUDGE_MAX_ATTEMPTS))
    for nudge in due:
        nudge.queued_at = now
        nudge.save(update_fields=["queued_at"])
        enqueue_on_commit(
            weekly_nudge_send_task,
            appointment_id=nudge.appointment_id,
            week_starts_on=nudge.week_starts_on.isoformat(),
        )
    return len(due)


def weekly_nudge_send(*, appointment_id: int, week_starts_on: date) -> bool:
    """Email one CLM their week in figures. Safe to run twice: sends once per week."""
    appointment = (
        Appointment.objects.select_related("user", "trust").filter(pk=appointment_id).first()
    )
    if appointment is None or not appointment.weekly_nudge:
        return False
    nudge, _ = NudgeSent.objects.get_or_create(
        appointment=appointment, week_starts_on=week_starts_on
    )
    if nudge.sent_at is not None:
        return False  # already sent for that week
    NudgeSent.objects.filter(pk=nudge.pk).update(attempts=F("attempts") + 1)
    with transaction.atomic():
        nudge = NudgeSent.objects.select_for_update().get(pk=nudge.pk)
        if nudge.sent_at is not None:
            return False  # another worker sent it meanwhile
        context = {
            "appointment": appointment,
            "week": week_summary(trust=appointment.trust, today=week_starts_on),
            "log_url": settings.SITE_URL + reverse("mentors:log_activity"),
            "settings_url": settings.SITE_URL + reverse("mentors:time"),
        }
        # Sent inside the transaction: if sending fails, the row stays unsent for a retry.
        send_templated_email("weekly_nudge", context, to=[appointment.user.email])
        nudge.sent_at = timezone.now()
        nudge.save(update_fields=["sent_at"])
    return True


# --- The mentor network ------------------------------------------------------------------------------


def _clm_trust(user: User) -> Trust:
    trusts = user.trusts_for(Role.CLM)
    if not trusts:
        raise PermissionDenied("Only CLMs publish case studies.")
    return trusts[0]


@transaction.atomic
def case_study_create(*, by: User, **fields) -> CaseStudy:
    if not by.has_perm("mentors.publish_case_study"):
        raise PermissionDenied
    case_study = CaseStudy(author=by, trust=_clm_trust(by), **fields)
    case_study.full_clean()
    case_study.save()
    return case_study


@transaction.atomic
def case_study_update(*, case_study: CaseStudy, by: User, **fields) -> CaseStudy:
    if not by.has_perm("mentors.change_case_study", case_study):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(case_study, name, value)
    case_study.full_clean()
    case_study.save()
    return case_study


@transaction.atomic
def network_day_create(*, by: User, **fields) -> NetworkDay:
    if not by.has_perm("mentors.manage_network_days"):
        raise PermissionDenied
    day = NetworkDay(created_by=by, **fields)
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def network_day_record_attendance(*, day: NetworkDay, by: User, attendees: list[User]) -> None:
    if not by.has_perm("mentors.manage_network_days"):
        raise PermissionDenied
    day.attendees.set(attendees)
