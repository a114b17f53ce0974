"""Fair access on a hand-computed fixture, trainees with no experience included; the
self-rating change and its suppression; who may see which Trust."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from opportunities.fairness import fair_access, gini, rating_changes
from opportunities.models import Application, ApplicationEvent, FairAccessSnapshot, Rating
from opportunities.models import ApplicationStatus as S
from opportunities.tasks import fair_access_snapshot_task
from trusts.models import Role

from ..conftest import client_for
from ..factories import OpportunityFactory, person

pytestmark = pytest.mark.django_db


def completed(trainee, opportunity, **fields) -> Application:
    return Application.objects.create(
        opportunity=opportunity,
        trainee=trainee,
        status=S.COMPLETED,
        completed_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def five_trainees(world):
    """World's Trust with five trainees holding 0, 0, 1, 1 and 3 confirmed experiences."""
    grades = ["F1", "ST4", "F2", "ST5", "non_training"]
    trainees = [world.trainee] + [person(Role.TRAINEE, world.trust) for _ in range(4)]
    for trainee, grade in zip(trainees, grades, strict=True):
        trainee.trainee_profile.grade = grade
        trainee.trainee_profile.specialty = "medical" if grade != "ST5" else "surgical"
        trainee.trainee_profile.save()
    opportunities = [OpportunityFactory(trust=world.trust, places=10) for _ in range(3)]
    completed(trainees[2], opportunities[0])
    completed(trainees[3], opportunities[0])
    for opportunity in opportunities:
        completed(trainees[4], opportunity)
    return trainees


def test_the_figures_match_the_hand_computation(world, five_trainees):
    result = fair_access(trust=world.trust)
    assert (result.trainees, result.experiences) == (5, 5)
    # Three of five trainees have at least one experience.
    assert (result.coverage.part, result.coverage.whole, result.coverage.percent) == (3, 5, 60.0)
    # Early: F1 (0) and F2 (1); late: ST4 (0) and ST5 (1); the non-training grade is neither.
    early, late = result.by_stage
    assert (early.part, early.whole, late.part, late.whole) == (1, 2, 1, 2)
    specialties = {s.label: (s.part, s.whole) for s in result.by_specialty}
    assert specialties == {"Medical specialties": (2, 4), "Surgical specialties": (1, 1)}
    # Sorted counts 0,0,1,1,3: sum of rank × count = 3 + 4 + 15 = 22;
    # Gini = 2 × 22 / (5 × 5) − 6/5 = 1.76 − 1.2 = 0.56.
    assert result.gini == 0.56
    # The top 10% of 5 trainees is ceil(0.5) = 1 trainee, holding 3 of the 5 experiences.
    assert (result.top_tenth.part, result.top_tenth.whole) == (3, 5)


def test_gini_edges():
    assert gini([]) is None
    assert gini([0, 0, 0]) is None
    assert gini([2, 2, 2]) == 0.0
    assert gini([0, 0, 0, 4]) == 0.75


def test_offer_rates_and_the_invitation_share(world):
    opportunity = OpportunityFactory(trust=world.trust, places=10)
    now = timezone.now()

    def decided(status, *, first, source="application", offered_before=False):
        application = Application.objects.create(
            opportunity=opportunity,
            trainee=person(Role.TRAINEE, world.other_trust),
            status=status,
            first_timer=first,
            source=source,
            decided_at=now,
        )
        if offered_before:
            ApplicationEvent.objects.create(
                application=application, from_status=S.SUBMITTED, to_status=S.OFFERED
            )
            ApplicationEvent.objects.create(
                application=application, from_status=S.OFFERED, to_status=status
            )

    decided(S.OFFERED, first=True)
    decided(S.UNSUCCESSFUL, first=True)
    decided(S.UNSUCCESSFUL, first=True, offered_before=True)  # a decision after an offer
    decided(S.ACCEPTED, first=False, source="invitation")
    decided(S.UNSUCCESSFUL, first=False)
    decided(S.ACCEPTED, first=False)
    result = fair_access(trust=world.trust)
    assert (result.first_timers.part, result.first_timers.whole) == (2, 3)
    assert (result.already_placed.part, result.already_placed.whole) == (2, 3)
    assert (result.by_invitation.part, result.by_invitation.whole) == (1, 2)
    # Trainees of another Trust applying here do not change this Trust's denominator.
    assert result.trainees == 1


def _rated(world, n: int) -> None:
    opportunity = OpportunityFactory(trust=world.trust, kind="qi_project", places=50)
    for i in range(n):
        application = completed(person(Role.TRAINEE, world.trust), opportunity)
        Rating.objects.create(application=application, moment="applying", leader=2, lead_change=3)
        Rating.objects.create(
            application=application, moment="completion", leader=4, lead_change=3 + i % 2
        )


def test_the_rating_change_is_suppressed_at_ten(world):
    _rated(world, 10)
    (change,) = rating_changes(Application.objects.all())
    assert (change.n, change.suppressed, change.leader, change.lead_change) == (
        10,
        True,
        None,
        None,
    )


def test_the_rating_change_is_shown_at_eleven(world):
    _rated(world, 11)
    (change,) = rating_changes(Application.objects.all())
    assert (change.n, change.suppressed, change.leader) == (11, False, 2.0)
    assert change.lead_change == round(5 / 11, 2)
    page = client_for(world.clm).get(reverse("opportunities:fair_access"))
    assert "+2.00" in page.content.decode()


def test_every_trusts_table_and_picker_escape_a_trusts_name(world, five_trainees):
    from trusts.models import Trust

    Trust.objects.filter(pk=world.trust.pk).update(name='<b>Plymouth</b> & "Devon"')
    page = client_for(world.deanery).get(reverse("opportunities:fair_access")).content.decode()
    escaped = "&lt;b&gt;Plymouth&lt;/b&gt; &amp; &quot;Devon&quot;"
    assert f'<option value="RK9">{escaped}</option>' in page
    assert '<a href="?trust=RK9&amp;year=' in page and f">{escaped}</a></th>" in page
    assert "<b>Plymouth</b>" not in page
    picked = client_for(world.deanery).get(reverse("opportunities:fair_access"), {"trust": "RK9"})
    assert f'<option value="RK9" selected>{escaped}</option>' in picked.content.decode()


def test_each_reader_sees_only_their_trusts(world, five_trainees):
    url = reverse("opportunities:fair_access")
    assert client_for(world.other_clm).get(url, {"trust": world.trust.ods_code}).status_code == 404
    page = client_for(world.clm).get(url)
    assert page.context["trust"] == world.trust
    assert "60.0%" in page.content.decode()
    deanery = client_for(world.deanery).get(url)
    assert {r["trust__ods_code"] for r in deanery.context["region_rows"]} == {"RK9", "REF"}
    one = client_for(world.deanery).get(url, {"trust": world.trust.ods_code, "year": "²"})
    assert one.status_code == 200 and one.context["result"].coverage.part == 3


@pytest.mark.parametrize("size", [10, 1000])
def test_a_fixed_number_of_queries(world, size, django_assert_max_num_queries):
    trainees = [person(Role.TRAINEE, world.trust) for _ in range(20)]
    opportunities = [
        OpportunityFactory(trust=world.trust, places=500) for _ in range(size // 20 or 1)
    ]
    Application.objects.bulk_create(
        Application(
            opportunity=opportunity,
            trainee=trainee,
            status=S.COMPLETED,
            completed_at=timezone.now(),
            decided_at=timezone.now(),
        )
        for opportunity in opportunities
        for trainee in trainees
    )
    clm, deanery = client_for(world.clm), client_for(world.deanery)
    with django_assert_max_num_queries(14):
        assert clm.get(reverse("opportunities:fair_access")).status_code == 200
    # Every Trust: the first view computes the snapshot, later ones read it.
    with django_assert_max_num_queries(18):
        assert deanery.get(reverse("opportunities:fair_access")).status_code == 200
    with django_assert_max_num_queries(10):
        assert deanery.get(reverse("opportunities:fair_access")).status_code == 200


def test_every_trusts_figures_come_from_an_hourly_snapshot(world, five_trainees):
    url = reverse("opportunities:fair_access")
    client = client_for(world.deanery)
    first = client.get(url)
    snapshot = FairAccessSnapshot.objects.get()
    assert "worked out every hour" in first.content.decode()
    rk9 = next(r for r in first.context["region_rows"] if r["trust__ods_code"] == "RK9")
    assert (rk9["covered"], rk9["trainees"]) == (3, 5)
    # A new experience shows on the Trust's own page at once, on the overview after a refresh.
    completed(world.trainee, OpportunityFactory(trust=world.trust))
    again = client.get(url)
    assert (
        next(r for r in again.context["region_rows"] if r["trust__ods_code"] == "RK9")["covered"]
        == 3
    )
    assert FairAccessSnapshot.objects.get().computed_at == snapshot.computed_at
    fair_access_snapshot_task()
    refreshed = client.get(url)
    assert (
        next(r for r in refreshed.context["region_rows"] if r["trust__ods_code"] == "RK9")[
            "covered"
        ]
        == 4
    )
    # A snapshot the beat job left stale is recomputed by the page itself.
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        client.get(url)
        assert FairAccessSnapshot.objects.get().computed_at > snapshot.computed_at + timedelta(
            hours=2
        )
