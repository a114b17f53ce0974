"""Notifications: a row per message (listed in the portal with an unread count), emailed by a
Celery task after commit. Each row records whether its email was sent or failed; a beat sweep
queues again any email still pending after 10 minutes (the queue lost it), up to 6 attempts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clm_portal.emails import send_templated_email
from clm_portal.queue import enqueue_on_commit
from trusts.models import Role, User

from .models import Application, Notification, Opportunity
from .models import ApplicationStatus as S

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 6
Kind = Notification.Kind


def notify(user: User, kind: str, subject: str, body: str, link: str = "") -> Notification:
    """Record a notification for `user` and email it once the transaction commits."""
    from .tasks import notification_email_task

    # One line: a title with a line break in it must not break the email's Subject header.
    subject = " ".join(subject.split())[:200]
    notification = Notification.objects.create(
        user=user, kind=kind, subject=subject, body=body, link=link
    )
    enqueue_on_commit(notification_email_task, notification_id=notification.pk)
    return notification


def send_notification_email(notification_id: int) -> bool:
    """Email one notification; True if sent now. A failure is recorded on the row (attempts,
    error) and left pending for the sweeper, which tries again every 10 minutes; after
    MAX_EMAIL_ATTEMPTS the row says failed."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.email_attempts += 1
        try:
            send_templated_email(
                "notification",
                {
                    "notification": notification,
                    "name": notification.user.get_short_name(),
                    "url": f"{settings.SITE_URL}{notification.link}" if notification.link else "",
                    "site_url": settings.SITE_URL,
                },
                to=[notification.user.email],
            )
        except Exception as error:
            notification.email_error = f"{type(error).__name__}: {error}"[:500]
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_status = Notification.EmailStatus.FAILED
            notification.save(update_fields=["email_attempts", "email_error", "email_status"])
            logger.warning("Notification %s email failed: %s", notification_id, error)
            return False
        notification.email_status = Notification.EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.email_error = ""
        notification.save(
            update_fields=["email_attempts", "email_error", "email_status", "emailed_at"]
        )
    return True


def notifications_sweep(now=None) -> int:
    """Queue again the emails still pending after 10 minutes; returns how many."""
    from .tasks import notification_email_task

    now = now or timezone.now()
    due = list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING,
            created_at__lte=now - timedelta(minutes=10),
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        enqueue_on_commit(notification_email_task, notification_id=pk)
    return len(due)


def _application_link(application: Application) -> str:
    return reverse("opportunities:application", kwargs={"pk": application.pk})


def _staff_link(application: Application) -> str:
    return reverse("opportunities:applications", kwargs={"pk": application.opportunity_id})


def staff_of(opportunity: Opportunity) -> list[User]:
    """Who hears about an opportunity's applications: its Trust's CLMs (its administrators
    when there is no CLM); for a region-wide one, the deanery staff who posted it."""
    if opportunity.trust_id is None:
        return [opportunity.created_by] if opportunity.created_by else []
    people = list(
        User.objects.filter(
            memberships__trust_id=opportunity.trust_id, memberships__role=Role.CLM, is_active=True
        ).distinct()
    )
    if not people:
        people = list(
            User.objects.filter(
                memberships__trust_id=opportunity.trust_id,
                memberships__role=Role.TRUST_ADMIN,
                is_active=True,
            ).distinct()
        )
    return people


def notify_application_received(application: Application) -> None:
    opportunity = application.opportunity
    for person in staff_of(opportunity):
        notify(
            person,
            Kind.APPLICATION_RECEIVED,
            f"New application: {opportunity.title}",
            f"{application.trainee} applied for {opportunity.title}.",
            _staff_link(application),
        )


def notify_offer(application: Application, *, from_waiting_list: bool = False) -> None:
    opportunity = application.opportunity
    hold = (
        f"{application.offer_expires_at:%-d %B %Y at %H:%M}" if application.offer_expires_at else ""
    )
    intro = (
        "A place has come free and you are next on the waiting list"
        if from_waiting_list
        else "You have been offered a place"
    )
    notify(
        application.trainee,
        Kind.OFFER,
        f"Offer of a place: {opportunity.title}",
        f"{intro} on {opportunity.title}. The place is held for you until {hold}: accept or "
        "decline it before then, or it passes to the next person.",
        _application_link(application),
    )


def notify_invitation(application: Application) -> None:
    opportunity = application.opportunity
    hold = (
        f"{application.offer_expires_at:%-d %B %Y at %H:%M}" if application.offer_expires_at else ""
    )
    notify(
        application.trainee,
        Kind.INVITATION,
        f"You are invited: {opportunity.title}",
        f"Your Clinical Leadership Mentor invites you to take part in {opportunity.title}. "
        f"A place is held for you until {hold}: accept or decline it before then.",
        _application_link(application),
    )


def notify_decision(application: Application) -> None:
    opportunity = application.opportunity
    last = application.events.order_by("-at", "-pk").first()
    reason = f" Reason: {last.reason}" if last and last.reason else ""
    if application.status == S.WAITLISTED:
        text = f"You are on the waiting list for {opportunity.title}."
    else:
        text = f"Your application for {opportunity.title} is now: {application.get_status_display().lower()}.{reason}"
    notify(
        application.trainee,
        Kind.DECISION,
        f"Your application: {opportunity.title}",
        text,
        _application_link(application),
    )


def notify_offer_expired(application: Application) -> None:
    opportunity = application.opportunity
    notify(
        application.trainee,
        Kind.DECISION,
        f"Offer expired: {opportunity.title}",
        f"The place held for you on {opportunity.title} was not accepted in time and has "
        "passed to the next person.",
        _application_link(application),
    )


def notify_recommendation(recommendation) -> None:
    opportunity = recommendation.opportunity
    note = f' They wrote: "{recommendation.note}"' if recommendation.note else ""
    notify(
        recommendation.trainee,
        Kind.RECOMMENDATION,
        f"{recommendation.supervisor} recommends: {opportunity.title}",
        f"Your educational supervisor thinks {opportunity.title} would suit you.{note}",
        reverse("opportunities:detail", kwargs={"pk": opportunity.pk}),
    )


def notify_reflection(application: Application) -> None:
    opportunity = application.opportunity
    for person in staff_of(opportunity):
        notify(
            person,
            Kind.REFLECTION,
            f"Reflection to confirm: {opportunity.title}",
            f"{application.trainee} recorded what they did on {opportunity.title}. Confirm it "
            "so that it counts as evidence in their leadership record.",
            reverse("opportunities:confirm", kwargs={"pk": application.pk}),
        )


def notify_confirmed(application: Application) -> None:
    opportunity = application.opportunity
    notify(
        application.trainee,
        Kind.CONFIRMED,
        f"Experience confirmed: {opportunity.title}",
        f"Your experience on {opportunity.title} is confirmed and is in your leadership record.",
        reverse("opportunities:record"),
    )


# --- Scheduled reminders and the supervisors' digest (beat: opportunities.tasks) -------------


def _sent_since(user: User, kind: str, link: str, since) -> bool:
    return Notification.objects.filter(
        user=user, kind=kind, link=link, created_at__gte=since
    ).exists()


def remind_before_start(now=None) -> int:
    """Daily: each trainee with an accepted place starting in the next two days, once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Application.objects.filter(
        status=S.ACCEPTED,
        opportunity__starts_on__gte=today,
        opportunity__starts_on__lte=today + timedelta(days=2),
    ).select_related("opportunity", "trainee")
    sent = 0
    for application in due:
        link = _application_link(application)
        if Notification.objects.filter(
            user=application.trainee, kind=Kind.REMINDER, link=link
        ).exists():
            continue
        opportunity = application.opportunity
        with transaction.atomic():
            notify(
                application.trainee,
                Kind.REMINDER,
                f"Starting soon: {opportunity.title}",
                f"{opportunity.title} starts on {opportunity.starts_on:%A %-d %B}. The host is "
                f"{opportunity.host_name}"
                f"{', ' + opportunity.host_role if opportunity.host_role else ''}.",
                link,
            )
        sent += 1
    return sent


def remind_undecided(now=None) -> int:
    """Daily: applications waiting 7 days or more for a decision, one message per opportunity
    to its staff, at most once a week."""
    from django.db.models import Count, Q

    now = now or timezone.now()
    week_ago = now - timedelta(days=7)
    waiting = Opportunity.objects.annotate(
        waiting=Count(
            "applications",
            filter=Q(
                applications__status__in=(S.SUBMITTED, S.SHORTLISTED),
                applications__created_at__lte=week_ago,
            ),
        )
    ).filter(waiting__gt=0)
    sent = 0
    for opportunity in waiting:
        link = reverse("opportunities:applications", kwargs={"pk": opportunity.pk})
        for person in staff_of(opportunity):
            if _sent_since(person, Kind.UNDECIDED, link, week_ago):
                continue
            with transaction.atomic():
                notify(
                    person,
                    Kind.UNDECIDED,
                    f"Waiting for a decision: {opportunity.title}",
                    f"{opportunity.waiting} application{'s' if opportunity.waiting != 1 else ''}"
                    f" to {opportunity.title} {'have' if opportunity.waiting != 1 else 'has'} "
                    "waited a week or more for a decision.",
                    link,
                )
            sent += 1
    return sent


def supervisor_digests(now=None) -> int:
    """Weekly: each supervisor (unless they turned it off) hears of opportunities published in
    the last 7 days that are open to at least one of their current trainees."""
    from .models import OpportunityStatus

    now = now or timezone.now()
    since = now - timedelta(days=7)
    fresh = list(
        Opportunity.objects.filter(
            published_at__gte=since,
            status__in=(OpportunityStatus.OPEN, OpportunityStatus.FILLED),
        ).select_related("trust")
    )
    if not fresh:
        return 0
    supervisors = User.objects.filter(
        memberships__role=Role.SUPERVISOR,
        is_active=True,
        supervisor_profile__opportunity_digest=True,
    ).distinct()
    link = reverse("opportunities:list")
    sent = 0
    for supervisor in supervisors:
        trainees = list(
            User.objects.supervised_by(supervisor)
            .select_related("trainee_profile")
            .prefetch_related("memberships__trust")
        )
        if not trainees or _sent_since(supervisor, Kind.DIGEST, link, now - timedelta(days=6)):
            continue
        places = {
            (m.trust_id, m.trust.region_id)
            for t in trainees
            for m in t.memberships.all()
            if m.role == Role.TRAINEE
        }
        grades = {t.trainee_profile.grade for t in trainees if hasattr(t, "trainee_profile")}
        matching = [
            o
            for o in fresh
            if any(
                (o.trust_id == trust_id) or (o.trust_id is None and o.region_id == region_id)
                for trust_id, region_id in places
            )
            and (not o.eligible_grades or any(o.is_open_to(g) for g in grades))
        ]
        if not matching:
            continue
        lines = "; ".join(
            f"{o.title} ({o.trust.name if o.trust else 'region-wide'}"
            f"{', apply by ' + format(o.deadline, '%-d %B') if o.deadline else ''})"
            for o in matching[:10]
        )
        more = f" and {len(matching) - 10} more" if len(matching) > 10 else ""
        with transaction.atomic():
            notify(
                supervisor,
                Kind.DIGEST,
                f"New leadership opportunities for your trainees ({len(matching)})",
                f"Published this week and open to your trainees: {lines}{more}. You can turn "
                "this weekly email off on your profile.",
                link,
            )
        sent += 1
    return sent
