"""Answering: once per person per round signed in, a single-use link works once (and resumes
a partial answer), a Trust's open link, a closed round refused; rounds publish when they
close; the results page's queries do not grow with the responses."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.analysis import publish
from surveys.models import Channel, Participation, Response, Round, SurveyLink

from ..conftest import client_for
from .support import add_responses, make_round

pytestmark = pytest.mark.django_db


def answer_all(client, base: str, *, about: dict, sections: dict[str, dict]) -> object:
    """Walk the pages: about, each section, then send from the check page."""
    response = client.post(f"{base}about/", about)
    assert response.status_code == 302, response.content[:2000]
    for section, answers in sections.items():
        response = client.post(f"{base}{section}/", answers)
        assert response.status_code == 302
    return client.post(f"{base}check/")


def test_a_trainee_answers_from_home_once(world):
    round_ = make_round([world.trust])
    client = client_for(world.trainee)
    home = client.get(reverse("home")).content.decode()
    answer_url = reverse("surveys:answer", args=[round_.slug, "about"])
    assert answer_url in home
    base = answer_url.removesuffix("about/")
    response = answer_all(
        client,
        base,
        about={"grade": "ST4", "specialty": "medical"},
        sections={
            "leadership": {"t_leader": "5", "t_need": "2"},
            "mentor": {"c_know": "6"},
            "activities": {"done_qi": "1", "interest_rca": "0"},
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("surveys:thanks")
    saved = Response.objects.get()
    assert (saved.role, saved.grade, saved.specialty, saved.channel) == (
        "trainee",
        "ST4",
        "medical",
        Channel.HOME,
    )
    assert saved.answers == {
        "t_leader": 5,
        "t_need": 2,
        "c_know": 6,
        "done_qi": 1,
        "interest_rca": 0,
    }
    assert Participation.objects.filter(user=world.trainee, round=round_).exists()
    # Once per round: the home page no longer offers it, and answering again is refused.
    assert answer_url not in client.get(reverse("home")).content.decode()
    page = client.get(answer_url)
    assert b"You have answered this survey" in page.content
    with pytest.raises(ValidationError, match="already answered"):
        services.response_submit(
            round_=round_, trust=world.trust, role="trainee", answers={}, user=world.trainee
        )
    assert Response.objects.count() == 1


def test_a_supervisor_is_not_asked_the_trainees_items(world):
    round_ = make_round([world.trust])
    client = client_for(world.supervisor)
    base = reverse("surveys:answer", args=[round_.slug, "about"]).removesuffix("about/")
    assert client.get(f"{base}usefulness/").status_code in (200, 302)
    response = client.post(f"{base}leadership/", {"t_leader": "5", "e_discuss": "4"})
    assert response.status_code == 302
    client.post(f"{base}check/")
    assert Response.objects.get().answers == {"e_discuss": 4}


def test_an_answer_out_of_range_is_a_form_error_and_saves_nothing(world):
    round_ = make_round([world.trust])
    client = client_for(world.trainee)
    base = reverse("surveys:answer", args=[round_.slug, "about"]).removesuffix("about/")
    client.post(f"{base}about/", {"grade": "F1"})
    response = client.post(f"{base}leadership/", {"t_leader": "9"})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not Response.objects.exists()
    with pytest.raises(ValidationError):
        services.response_submit(
            round_=round_,
            trust=world.trust,
            role="trainee",
            answers={"t_leader": 7},
            user=world.trainee,
        )
    with pytest.raises(ValidationError):
        services.response_submit(
            round_=round_,
            trust=world.trust,
            role="trainee",
            answers={"e_discuss": 4},
            user=world.trainee,
        )
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_a_trusts_open_link_needs_no_account_and_asks_the_role(world, client):
    round_ = make_round([world.trust])
    link = services.open_link_for(round_=round_, trust=world.trust)
    assert services.open_link_for(round_=round_, trust=world.trust) == link
    base = reverse("surveys:link_start", args=[link.token])
    refused = client.post(f"{base}about/", {})
    assert refused.status_code == 400 and b"Choose whether you are a trainee" in refused.content
    response = answer_all(
        client, base, about={"role": "supervisor"}, sections={"usefulness": {"u_fora": "6"}}
    )
    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.role, saved.channel, saved.trust) == (
        "supervisor",
        Channel.TRUST_LINK,
        world.trust,
    )
    assert not Participation.objects.exists()


def test_a_single_use_link_resumes_a_partial_answer_and_works_once(
    world, client, django_capture_on_commit_callbacks
):
    round_ = make_round([world.trust])
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.personal_links_issue(
            by=world.deanery,
            round_=round_,
            trust=world.trust,
            role="trainee",
            emails=["one@example.com"],
            base_url="https://portal.example/surveys/link/",
        )
    assert sent == 1 and len(mail.outbox) == 1
    url = re.search(r"https://portal\.example/surveys/link/(\S+)/", mail.outbox[0].body).group(0)
    token = url.rstrip("/").rsplit("/", 1)[1]
    # The address is not kept anywhere.
    assert "one@example.com" not in str(list(SurveyLink.objects.values()))
    base = reverse("surveys:link_start", args=[token])
    client.post(f"{base}about/", {"grade": "ST6"})
    client.post(f"{base}leadership/", {"t_leader": "4"})
    # Another device, the same link: the partial answer is there.
    other = client_for(None)
    page = other.get(f"{base}leadership/").content.decode()
    assert re.search(r'value="4"\s+checked', page)
    assert other.post(f"{base}check/").status_code == 302
    saved = Response.objects.get()
    assert (saved.channel, saved.grade, saved.answers) == (
        Channel.PERSONAL_LINK,
        "ST6",
        {"t_leader": 4},
    )
    used = SurveyLink.objects.get(kind="personal")
    assert used.used and used.draft == {}
    again = client.get(f"{base}about/")
    assert again.status_code == 410 and b"This link has been used" in again.content
    assert client.post(f"{base}check/").status_code == 410
    assert Response.objects.count() == 1


def test_a_closed_round_takes_no_answers(world, client):
    round_ = make_round([world.trust], open_=False)
    link = services.open_link_for(round_=round_, trust=world.trust)
    assert client.get(reverse("surveys:link_start", args=[link.token])).status_code == 410
    assert (
        client_for(world.trainee)
        .get(reverse("surveys:answer", args=[round_.slug, "about"]))
        .status_code
        == 404
    )
    with pytest.raises(ValidationError, match="closed"):
        services.response_submit(
            round_=round_, trust=world.trust, role="trainee", answers={}, link=link
        )


def test_results_are_published_when_the_round_closes_not_while_answers_arrive(world):
    round_ = make_round([world.trust])
    add_responses(round_, world.trust, "supervisor", [{"e_discuss": 5}] * 12)
    client = client_for(world.deanery)
    page = client.get(reverse("surveys:results", args=[round_.slug]))
    assert b"Results are published when the round closes" in page.content
    response = client.post(reverse("surveys:close", args=[round_.slug]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.closed_at and round_.published_at and round_.state == Round.State.CLOSED
    page = client.get(
        reverse("surveys:results", args=[round_.slug]) + "?role=supervisor&item=e_discuss"
    )
    assert b"100.0%" in page.content


def test_published_again_the_results_page_shows_the_new_figures(world):
    round_ = make_round([world.trust], open_=False)
    add_responses(round_, world.trust, "supervisor", [{"e_discuss": 5}] * 12)
    publish(round_)
    client = client_for(world.deanery)
    url = reverse("surveys:results", args=[round_.slug]) + "?role=supervisor&item=e_discuss"
    assert b"100.0%" in client.get(url).content
    # Late answers imported and the round published again (as an import or the admin does).
    add_responses(round_, world.trust, "supervisor", [{"e_discuss": 2}] * 12)
    publish(Round.objects.get(pk=round_.pk))
    page = client.get(url).content
    assert b"50.0%" in page and b"100.0%" not in page


def test_a_round_past_its_closing_date_is_published_by_the_beat_task(world):
    round_ = make_round([world.trust], open_=False)
    add_responses(round_, world.trust, "trainee", [{"t_leader": 5}] * 11)
    assert services.rounds_publish_due() == 1
    round_.refresh_from_db()
    assert round_.results["view"] and round_.published_at
    assert services.rounds_publish_due() == 0  # published after it closed: done


def test_the_deanery_sets_up_a_round_and_a_reserved_slug_is_refused(world):
    client = client_for(world.deanery)
    today = timezone.localdate()
    data = {
        "name": "Spring 2027",
        "slug": "new",
        "year": 2026,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "threshold": 10,
        "trusts": [world.trust.pk],
    }
    refused = client.post(reverse("surveys:create"), data)
    assert refused.status_code == 400 and not Round.objects.exists()
    data["slug"] = "spring-2027"
    assert client.post(reverse("surveys:create"), data).status_code == 302
    round_ = Round.objects.get()
    assert list(round_.trusts.all()) == [world.trust] and round_.instruments.count() == 2
    data.update(slug="backwards", closes_on=(today - timedelta(days=1)).isoformat())
    assert client.post(reverse("surveys:create"), data).status_code == 400


@pytest.mark.parametrize("responses", [100, 10_000])
def test_the_results_pages_queries_do_not_grow_with_responses(
    world, responses, django_assert_max_num_queries
):
    round_ = make_round([world.trust, world.other_trust])
    half = responses // 2
    add_responses(
        round_,
        world.trust,
        "trainee",
        [{"t_leader": 5, "done_qi": 1}] * half,
        grade="ST4",
        specialty="medical",
    )
    add_responses(round_, world.other_trust, "supervisor", [{"e_discuss": 2}] * (responses - half))
    publish(round_)
    clients = {who: client_for(getattr(world, who)) for who in ("deanery", "clm", "trainee")}
    url = reverse("surveys:results", args=[round_.slug])
    for who, client in clients.items():
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200, who


@pytest.mark.parametrize("trusts", [2, 20])
def test_the_round_page_and_the_list_take_fixed_queries(
    world, trusts, django_assert_max_num_queries
):
    from ..factories import TrustFactory

    extra = [TrustFactory() for _ in range(trusts - 2)]
    for n in range(3):
        make_round([world.trust, world.other_trust, *extra], name=f"Round {n}")
    round_ = Round.objects.first()
    client = client_for(world.deanery)
    client.get(reverse("surveys:round", args=[round_.slug]))  # makes the open links
    with django_assert_max_num_queries(12):
        page = client.get(reverse("surveys:round", args=[round_.slug]))
    assert page.content.decode().count("/surveys/link/") == trusts
    with django_assert_max_num_queries(8):
        assert client.get(reverse("surveys:list")).status_code == 200
