"""National-scale data, the opportunities part: about 0.6 opportunities per trainee over the
years (30,000 for 50,000 trainees) with about five applications each (150,000), written with
COPY like the other stages (see trusts/scale.py).

Opportunities finished before today are closed, with their places completed (a reflection,
confirmed, for each) and the other applicants unsuccessful, withdrawn or declined; current
ones are open or filled, with applications in every live state and waiting lists. Each
opportunity's `places_held` is the number of its applications holding a place, never above
its places. A share of completed applications carry both self-ratings.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from trusts.models import Trust
from trusts.scale import ScaleContext

from .demo import CATALOGUE, HOSTS
from .models import (
    HOLDS_PLACE,
    Application,
    ApplicationEvent,
    Opportunity,
    Rating,
    Reflection,
)
from .models import ApplicationStatus as S

OPPORTUNITIES_PER_TRAINEE = 0.6
APPLICANTS = (2, 8)  # applications per opportunity, uniformly
RATED_SHARE = 0.4  # completed applications with both self-ratings
PAST = [S.UNSUCCESSFUL, S.WITHDRAWN, S.DECLINED, S.OFFER_EXPIRED]
LIVE_UNPLACED = [S.SUBMITTED, S.SUBMITTED, S.SHORTLISTED, S.WAITLISTED]


def _at(day) -> datetime:
    return datetime.combine(day, time(9), UTC)


def stage_opportunities(ctx: ScaleContext) -> None:
    rng = ctx.rng
    regions = dict(Trust.objects.values_list("id", "region_id"))
    keys = list(CATALOGUE)
    span = (ctx.today - ctx.first_year).days
    totals = {"opportunities": 0, "applications": 0}
    for trust in ctx.progress(ctx.trust_rows, desc="opportunities", unit="Trust"):
        trainees = ctx.people[trust["id"]]["trainee"]
        clm = ctx.people[trust["id"]]["clm"][0]
        if len(trainees) < 2:
            continue
        count = max(1, round(OPPORTUNITIES_PER_TRAINEE * len(trainees)))
        opportunities, applications, events, reflections, ratings = [], [], [], [], []
        for _ in range(count):
            key = rng.choice(keys)
            kind, title, tier, _gpc, description = CATALOGUE[key]
            host, role = rng.choice(HOSTS)
            starts = ctx.first_year + timedelta(days=rng.randint(0, span + 120))
            ends = starts + timedelta(days=rng.choice([0, 0, 30, 90, 180]))
            places = rng.choice([1, 1, 2, 3, 4, 6])
            past = ends < ctx.today
            pk = ctx.ids.take(Opportunity)
            published = _at(starts - timedelta(days=40))
            chosen = rng.sample(trainees, k=min(len(trainees), rng.randint(*APPLICANTS)))
            held = 0
            for i, trainee in enumerate(chosen):
                if past:
                    status = S.COMPLETED if i < places else rng.choice(PAST)
                elif i < places and rng.random() < 0.7:
                    status = rng.choice([S.OFFERED, S.ACCEPTED, S.ACCEPTED])
                else:
                    status = rng.choice(LIVE_UNPLACED)
                held += status in HOLDS_PLACE
                app_pk = ctx.ids.take(Application)
                applied = published + timedelta(days=rng.randint(1, 30))
                decided = applied + timedelta(days=rng.randint(2, 10))
                applications.append(
                    {
                        "id": app_pk,
                        "opportunity_id": pk,
                        "trainee_id": trainee,
                        "source": "invitation" if rng.random() < 0.15 else "application",
                        "statement": "I would like to learn how decisions are made here.",
                        "availability": "",
                        "status": status,
                        "waitlisted_at": decided if status == S.WAITLISTED else None,
                        "offer_expires_at": _at(ctx.today) + timedelta(hours=30)
                        if status == S.OFFERED
                        else None,
                        "first_timer": rng.random() < 0.6,
                        "created_at": applied,
                        "updated_at": decided,
                        "decided_at": None if status == S.SUBMITTED else decided,
                        "completed_at": _at(ends + timedelta(days=7))
                        if status == S.COMPLETED
                        else None,
                    }
                )
                events.append(
                    {
                        "id": ctx.ids.take(ApplicationEvent),
                        "application_id": app_pk,
                        "from_status": "",
                        "to_status": status,
                        "by_id": None,
                        "by_label": "",
                        "reason": "",
                        "at": decided,
                    }
                )
                if status == S.COMPLETED:
                    reflections.append(
                        {
                            "id": ctx.ids.take(Reflection),
                            "application_id": app_pk,
                            "what_i_did": f"Took part in {title.lower()}.",
                            "what_i_learned": "How decisions are made, and who to ask.",
                            "submitted_at": _at(ends + timedelta(days=2)),
                            "confirmed_at": _at(ends + timedelta(days=7)),
                            "confirmed_by_id": clm,
                            "confirmed_by_host": "",
                            "host_token_digest": None,
                            "host_link_sent_at": None,
                        }
                    )
                    if rng.random() < RATED_SHARE:
                        before = rng.randint(1, 5)
                        for moment, value in (("applying", before), ("completion", None)):
                            value = value or min(6, before + rng.randint(0, 2))
                            ratings.append(
                                {
                                    "id": ctx.ids.take(Rating),
                                    "application_id": app_pk,
                                    "moment": moment,
                                    "leader": value,
                                    "lead_change": value,
                                }
                            )
            if past:
                status = "closed"
            elif held >= places:
                status = "filled"
            else:
                status = rng.choice(["open"] * 9 + ["draft"]) if held == 0 else "open"
            opportunities.append(
                {
                    "id": pk,
                    "trust_id": trust["id"],
                    "region_id": regions[trust["id"]],
                    "kind": kind,
                    "title": title,
                    "description": description,
                    "host_name": host,
                    "host_role": role,
                    "host_email": f"host{pk}@nhs.example",
                    "site_id": None,
                    "tier": tier,
                    "eligible_grades": "",
                    "time_commitment": "One day" if ends == starts else "A few hours a month",
                    "flexible_dates": False,
                    "starts_on": starts,
                    "ends_on": ends,
                    "deadline": starts - timedelta(days=7),
                    "places": places,
                    "places_held": held,
                    "booking": "application",
                    "status": status,
                    "created_by_id": clm,
                    "created_at": published,
                    "updated_at": published,
                    "published_at": None if status == "draft" else published,
                    "reminded_at": None,
                }
            )
        # Drafts take no applications: theirs go.
        drafts = {o["id"] for o in opportunities if o["status"] == "draft"}
        if drafts:
            dropped = {a["id"] for a in applications if a["opportunity_id"] in drafts}
            applications = [a for a in applications if a["id"] not in dropped]
            events = [e for e in events if e["application_id"] not in dropped]
        ctx.writer.write(Opportunity, opportunities)
        ctx.writer.write(Application, applications)
        ctx.writer.write(ApplicationEvent, events)
        if reflections:
            ctx.writer.write(Reflection, reflections)
        if ratings:
            ctx.writer.write(Rating, ratings)
        totals["opportunities"] += len(opportunities)
        totals["applications"] += len(applications)
    ctx.counts.update(totals)


def stages() -> list[tuple[str, object]]:
    return [("opportunities", stage_opportunities)]
