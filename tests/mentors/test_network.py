"""The mentor network: case studies shared between CLMs, and network days."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mentors.models import CaseStudy, NetworkDay
from mentors.selectors import case_studies_search
from mentors.services import (
    case_study_create,
    case_study_update,
    network_day_create,
    network_day_record_attendance,
)

from ..conftest import client_for
from ..factories import CaseStudyFactory, NetworkDayFactory

CASE_STUDIES = reverse("mentors:case_studies")
NETWORK_DAYS = reverse("mentors:network_days")


def study_data(**overrides) -> dict:
    data = {
        "title": "Buddying trainees with executive directors",
        "responsibility": "buddying",
        "context": "A mental health Trust with about 90 trainees across the county.",
        "what_was_done": "Each trainee is paired with an executive director for six months.",
        "what_worked": "Open by application, so it reached trainees who were not known.",
        "contact": "Chris Mentor, chris@example.com",
    }
    data.update(overrides)
    return data


def titles(response) -> list[str]:
    return [s.title for s in response.context["case_studies"]]


@pytest.mark.django_db
class TestCaseStudyServices:
    def test_a_clm_publishes_for_their_trust(self, world):
        study = case_study_create(by=world.clm, **study_data())
        assert (study.author, study.trust) == (world.clm, world.trust)

    def test_deanery_staff_do_not_publish(self, world):
        with pytest.raises(PermissionDenied):
            case_study_create(by=world.deanery, **study_data())

    def test_only_the_author_changes_it(self, world):
        study = case_study_create(by=world.clm, **study_data())
        with pytest.raises(PermissionDenied):
            case_study_update(case_study=study, by=world.other_clm, title="Mine now")
        study.refresh_from_db()
        assert study.title == "Buddying trainees with executive directors"

    def test_search_needs_every_word(self, world):
        CaseStudyFactory(author=world.clm, trust=world.trust, title="RCA training for all")
        CaseStudyFactory(
            author=world.clm,
            trust=world.trust,
            title="RCA panel",
            what_was_done="Trainees on an investigation panel.",
        )
        assert [s.title for s in case_studies_search(query="rca training")] == [
            "RCA training for all"
        ]


@pytest.mark.django_db
class TestCaseStudyPages:
    @pytest.fixture
    def published(self, world):
        client_for(world.clm).post(reverse("mentors:publish_case_study"), study_data())
        CaseStudyFactory(
            author=world.other_clm,
            trust=world.other_trust,
            title="Grand rounds on leadership",
            responsibility="forum",
            what_was_done="A monthly grand round with the Chief Executive.",
        )
        return CaseStudy.objects.get(author=world.clm)

    def test_a_clm_publishes_a_case_study(self, world):
        response = client_for(world.clm).post(
            reverse("mentors:publish_case_study"), study_data(), follow=True
        )
        study = CaseStudy.objects.get()
        assert response.redirect_chain[-1][0] == reverse("mentors:case_study", args=[study.pk])
        assert "Case study published to the mentor network." in response.content.decode()

    def test_publishing_needs_a_title(self, world):
        response = client_for(world.clm).post(
            reverse("mentors:publish_case_study"), study_data(title="")
        )
        assert "title" in response.context["form"].errors
        assert not CaseStudy.objects.exists()

    def test_another_clm_finds_it_by_search_words(self, world, published):
        response = client_for(world.other_clm).get(CASE_STUDIES, {"q": "executive buddying"})
        assert titles(response) == ["Buddying trainees with executive directors"]
        assert "1 result" in response.content.decode()

    def test_search_reads_what_was_done(self, world, published):
        response = client_for(world.other_clm).get(CASE_STUDIES, {"q": "six months"})
        assert titles(response) == ["Buddying trainees with executive directors"]

    def test_search_finds_the_trust_by_name(self, world, published):
        response = client_for(world.clm).get(CASE_STUDIES, {"q": "cornwall"})
        assert titles(response) == ["Grand rounds on leadership"]

    def test_another_clm_finds_it_by_responsibility(self, world, published):
        response = client_for(world.other_clm).get(CASE_STUDIES, {"responsibility": "buddying"})
        assert titles(response) == ["Buddying trainees with executive directors"]

    def test_no_match_says_so(self, world, published):
        response = client_for(world.clm).get(CASE_STUDIES, {"q": "helicopter"})
        assert "No case studies match." in response.content.decode()

    def test_another_clm_reads_it(self, world, published):
        response = client_for(world.other_clm).get(
            reverse("mentors:case_study", args=[published.pk])
        )
        html = response.content.decode()
        assert "Each trainee is paired with an executive director" in html
        assert "Change this case study" not in html

    def test_the_author_may_change_it(self, world, published):
        response = client_for(world.clm).post(
            reverse("mentors:edit_case_study", args=[published.pk]),
            study_data(title="Executive buddying, year two"),
        )
        assert response.status_code == 302
        published.refresh_from_db()
        assert published.title == "Executive buddying, year two"

    def test_another_clm_may_not_change_it(self, world, published):
        url = reverse("mentors:edit_case_study", args=[published.pk])
        client = client_for(world.other_clm)
        assert client.get(url).status_code == 403
        assert client.post(url, study_data(title="Taken over")).status_code == 403
        published.refresh_from_db()
        assert published.title == "Buddying trainees with executive directors"

    def test_deanery_staff_read_case_studies(self, world, published):
        client = client_for(world.deanery)
        assert len(titles(client.get(CASE_STUDIES))) == 2
        assert client.get(reverse("mentors:case_study", args=[published.pk])).status_code == 200

    def test_deanery_staff_are_not_offered_to_publish(self, world, published):
        html = client_for(world.deanery).get(CASE_STUDIES).content.decode()
        assert "Share a case study" not in html

    @pytest.mark.parametrize("role", ["trust_admin", "trainee", "supervisor"])
    def test_others_are_refused(self, world, published, role):
        client = client_for(getattr(world, role))
        assert client.get(CASE_STUDIES).status_code == 403
        assert client.get(reverse("mentors:case_study", args=[published.pk])).status_code == 403


@pytest.mark.django_db
class TestNetworkDayServices:
    def test_deanery_staff_add_a_day(self, world):
        day = network_day_create(
            by=world.deanery, date=date(2025, 9, 18), title="Network day", location="Exeter"
        )
        assert day.created_by == world.deanery

    def test_a_clm_cannot_add_a_day(self, world):
        with pytest.raises(PermissionDenied):
            network_day_create(by=world.clm, date=date(2025, 9, 18), title="Network day")

    def test_a_clm_cannot_record_attendance(self, world):
        day = NetworkDayFactory()
        with pytest.raises(PermissionDenied):
            network_day_record_attendance(day=day, by=world.clm, attendees=[world.clm])
        assert day.attendees.count() == 0


@pytest.mark.django_db
class TestNetworkDayPages:
    def test_deanery_staff_add_a_day_then_record_attendance(self, world):
        client = client_for(world.deanery)
        response = client.post(
            reverse("mentors:add_network_day"),
            {"date": "2025-09-18", "title": "Autumn network day", "location": "Exeter"},
        )
        day = NetworkDay.objects.get()
        assert response["Location"] == reverse("mentors:network_day", args=[day.pk])
        client.post(response["Location"], {"attendees": [world.clm.pk, world.other_clm.pk]})
        assert set(day.attendees.all()) == {world.clm, world.other_clm}

    def test_the_attendance_form_lists_every_clm_with_their_trust(self, world):
        day = NetworkDayFactory()
        html = (
            client_for(world.deanery)
            .get(reverse("mentors:network_day", args=[day.pk]))
            .content.decode()
        )
        assert "Chris Mentor, University Hospitals Plymouth NHS Trust" in html
        assert "Olly Othermentor, Royal Cornwall Hospitals NHS Trust" in html
        assert "Tara Trainee" not in html

    def test_clms_see_the_attendance_count(self, world):
        day = NetworkDayFactory()
        day.attendees.set([world.clm, world.other_clm])
        response = client_for(world.clm).get(NETWORK_DAYS)
        assert [d.attendance for d in response.context["days"]] == [2]
        assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>' in (
            response.content.decode()
        )

    def test_a_clm_sees_that_they_came(self, world):
        NetworkDayFactory().attendees.set([world.clm])
        assert "You came" in client_for(world.clm).get(NETWORK_DAYS).content.decode()

    def test_a_clm_who_did_not_come_is_not_told_they_came(self, world):
        NetworkDayFactory().attendees.set([world.other_clm])
        assert "You came" not in client_for(world.clm).get(NETWORK_DAYS).content.decode()

    def test_a_clm_sees_who_came(self, world):
        day = NetworkDayFactory()
        day.attendees.set([world.other_clm])
        html = (
            client_for(world.clm)
            .get(reverse("mentors:network_day", args=[day.pk]))
            .content.decode()
        )
        assert "Who came (1)" in html and "Olly Othermentor" in html
        assert 'type="submit"' not in html.split("<main", 1)[1].split("</main>", 1)[0]

    def test_a_clm_cannot_record_attendance(self, world):
        day = NetworkDayFactory()
        response = client_for(world.clm).post(
            reverse("mentors:network_day", args=[day.pk]), {"attendees": [world.clm.pk]}
        )
        assert response.status_code == 403
        assert day.attendees.count() == 0

    def test_a_clm_cannot_add_a_day(self, world):
        response = client_for(world.clm).post(
            reverse("mentors:add_network_day"), {"date": "2025-09-18", "title": "Mine"}
        )
        assert response.status_code == 403
        assert not NetworkDay.objects.exists()

    @pytest.mark.parametrize("role", ["trust_admin", "trainee"])
    def test_others_are_refused(self, world, role):
        assert client_for(getattr(world, role)).get(NETWORK_DAYS).status_code == 403

    def test_the_list_runs_a_fixed_number_of_queries(self, world, django_assert_max_num_queries):
        for _ in range(10):
            NetworkDayFactory().attendees.set([world.clm, world.other_clm])
        client = client_for(world.clm)
        client.get(NETWORK_DAYS)
        with django_assert_max_num_queries(10):
            client.get(NETWORK_DAYS)
