"""The activity log pages, as each role sees them. Views use the real date: data is relative."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.models import Activity, TrainingYear, training_year_start

from ..conftest import client_for
from ..factories import ActivityFactory, appointment_of, person
from .conftest import close_year, recent_day

LOG = reverse("mentors:log")
LOG_ACTIVITY = reverse("mentors:log_activity")
TIME = reverse("mentors:time")


def post_data(**overrides) -> dict:
    data = {
        "date": timezone.localdate().isoformat(),
        "responsibility": "buddying",
        "format": "mentoring",
        "hours": "1.5",
        "trainees_reached": "1",
        "notes": "Set up buddying with the Director of Operations.",
    }
    data.update(overrides)
    return data


def page(response) -> str:
    return response.content.decode()


def bulk_entries(appointment, n: int) -> None:
    """`n` entries spread over the last few weeks, written in one go."""
    Activity.objects.bulk_create(
        Activity(
            trust=appointment.trust,
            appointment=appointment,
            logged_by=appointment.user,
            date=recent_day(i % 60),
            responsibility="forum",
            format="forum",
            minutes=30 + i % 90,
            trainees_reached=i % 7,
            notes=f"Entry {i}",
        )
        for i in range(n)
    )


def last_year_day() -> date:
    """A day in the training year that ended last 31 July."""
    return date(training_year_start(timezone.localdate()).year - 1, 11, 15)


def last_year_label() -> str:
    """That year's label, as "2025/26"."""
    start = training_year_start(last_year_day()).year
    return f"{start}/{(start + 1) % 100:02d}"


@pytest.mark.django_db
class TestLogActivity:
    def test_it_logs_the_entry_and_returns_to_the_log(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data(), follow=True)
        assert response.redirect_chain[-1][0] == LOG
        assert (
            f"Logged 1.5 hours for buddying and shadowing on {timezone.localdate():%-d %B %Y}."
            in (page(response))
        )
        activity = Activity.objects.get()
        assert (activity.minutes, activity.trainees_reached) == (90, 1)

    @pytest.mark.parametrize(
        "hours, message",
        [
            ("0", "The time spent must be more than 0 hours."),
            ("-2", "The time spent must be more than 0 hours."),
            ("25", "The time spent must be 24 hours or less."),
        ],
    )
    def test_it_refuses_a_time_outside_0_to_24_hours(self, world, appointment, hours, message):
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data(hours=hours))
        assert response.context["form"].errors["hours"] == [message]
        assert message in page(response)
        assert not Activity.objects.exists()

    def test_a_date_before_the_appointment_is_an_error_on_the_date(self, world):
        appointment_of(world.clm, world.trust, starts_on=recent_day(10))
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data(date=recent_day(11)))
        expected = (
            "The date must be within your CLM appointment. "
            f"Your appointment started on {recent_day(10):%-d %B %Y}."
        )
        assert response.context["form"].errors["date"] == [expected]
        assert expected in page(response)
        assert not Activity.objects.exists()

    def test_it_refuses_a_future_date(self, world, appointment):
        response = client_for(world.clm).post(
            LOG_ACTIVITY, post_data(date=(timezone.localdate() + timedelta(days=1)).isoformat())
        )
        assert response.context["form"].errors["date"] == ["The date cannot be in the future."]
        assert not Activity.objects.exists()

    def test_it_requires_a_responsibility(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data(responsibility=""))
        assert "Choose the responsibility this activity was for." in page(response)
        assert not Activity.objects.exists()

    def test_it_refuses_a_date_in_a_closed_year_naming_the_year(self, world, appointment):
        day = last_year_day()
        close_year(training_year_start(day))
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data(date=day.isoformat()))
        message = f"The {last_year_label()} training year is closed: its entries are locked."
        assert response.context["form"].errors["date"] == [message]
        assert message in page(response)
        assert not Activity.objects.exists()

    def test_it_offers_the_trusts_trainees_to_name(self, world, appointment):
        form = client_for(world.clm).get(LOG_ACTIVITY).context["form"]
        assert list(form.fields["trainees"].queryset) == [world.trainee]

    def test_it_records_named_trainees(self, world, appointment):
        client_for(world.clm).post(LOG_ACTIVITY, post_data(trainees=[world.trainee.pk]))
        assert list(Activity.objects.get().trainees.all()) == [world.trainee]

    def test_it_refuses_a_trainee_of_another_trust(self, world, appointment):
        response = client_for(world.clm).post(
            LOG_ACTIVITY, post_data(trainees=[world.other_trainee.pk])
        )
        assert "trainees" in response.context["form"].errors
        assert not Activity.objects.exists()

    def test_it_does_not_send_the_clm_to_another_site(self, world, appointment):
        response = client_for(world.clm).post(
            LOG_ACTIVITY, post_data(next="https://evil.example.com/")
        )
        assert response.status_code == 302
        assert response["Location"] == LOG

    def test_a_clm_without_a_current_appointment_cannot_log(self, world, appointment):
        appointment.ends_on = recent_day(30)
        appointment.save()
        response = client_for(world.clm).post(LOG_ACTIVITY, post_data())
        assert "date" in response.context["form"].errors
        assert not Activity.objects.exists()


@pytest.mark.django_db
class TestLogAnotherLikeThis:
    @pytest.fixture
    def source(self, appointment):
        return ActivityFactory(
            appointment=appointment,
            date=recent_day(9),
            responsibility="induction",
            format="induction_talk",
            minutes=75,
            trainees_reached=40,
            notes="Talk at the changeover induction.",
        )

    def test_it_copies_the_entry_into_the_form(self, world, source):
        form = client_for(world.clm).get(LOG_ACTIVITY, {"like": source.pk}).context["form"]
        assert (
            form["responsibility"].value(),
            form["format"].value(),
            Decimal(form["hours"].value()),
            form["notes"].value(),
        ) == ("induction", "induction_talk", Decimal("1.25"), "Talk at the changeover induction.")

    def test_the_date_is_today(self, world, source):
        form = client_for(world.clm).get(LOG_ACTIVITY, {"like": source.pk}).context["form"]
        assert form["date"].value() == timezone.localdate()

    def test_the_page_shows_the_copied_values(self, world, source):
        html = page(client_for(world.clm).get(LOG_ACTIVITY, {"like": source.pk}))
        assert 'value="1.25"' in html
        assert "Talk at the changeover induction.</textarea>" in html

    def test_a_long_entry_copies_its_hours_as_a_plain_number(self, world, appointment):
        source = ActivityFactory(appointment=appointment, date=recent_day(2), minutes=600)
        html = page(client_for(world.clm).get(LOG_ACTIVITY, {"like": source.pk}))
        assert 'name="hours" value="10"' in html

    def test_another_trusts_entry_is_404(self, world, other_appointment):
        theirs = ActivityFactory(appointment=other_appointment, date=recent_day(2))
        assert client_for(world.clm).get(LOG_ACTIVITY, {"like": theirs.pk}).status_code == 404

    def test_the_log_links_each_entry_to_a_copy(self, world, source):
        html = page(client_for(world.clm).get(LOG))
        assert f"{LOG_ACTIVITY}?like={source.pk}" in html


@pytest.mark.django_db
class TestQuickLogFromTheHomePage:
    def quick(self, **overrides) -> dict:
        data = {"quick": "1", "next": "/", **post_data(), **overrides}
        data.pop("trainees", None)
        return data

    def test_the_home_page_has_the_quick_form_and_this_weeks_hours(self, world, appointment):
        html = page(client_for(world.clm).get("/"))
        assert 'name="quick" value="1"' in html
        assert "<strong>0 hours</strong> of 2 hours" in html

    def test_it_logs_the_entry_and_returns_home(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, self.quick())
        assert (response.status_code, response["Location"]) == (302, "/")
        assert Activity.objects.get().minutes == 90

    def test_the_home_page_then_shows_this_weeks_hours_with_it(self, world, appointment):
        ActivityFactory(appointment=appointment, date=timezone.localdate(), minutes=60)
        client = client_for(world.clm)
        response = client.post(LOG_ACTIVITY, self.quick(), follow=True)
        assert "<strong>2.5 hours</strong> of 2 hours" in page(response)
        assert "That is 0.5 hours over the allocation." in page(response)

    def test_the_home_page_then_offers_to_log_another_like_it(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, self.quick(), follow=True)
        assert f"?like={Activity.objects.get().pk}" in page(response)

    def test_a_bad_quick_form_stays_on_the_home_page_with_its_errors(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, self.quick(hours="0"))
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == "home/clm.html"
        assert "gpc_domains" not in response.context["quick_form"].fields
        assert "nhsuk-error-summary" in page(response)
        assert "The time spent must be more than 0 hours." in page(response)
        assert not Activity.objects.exists()

    def test_it_keeps_what_was_typed(self, world, appointment):
        response = client_for(world.clm).post(
            LOG_ACTIVITY, self.quick(hours="0", notes="Grand round on handover")
        )
        assert "Grand round on handover" in page(response)

    def test_a_refused_date_shows_its_error_on_the_home_page(self, world):
        appointment_of(world.clm, world.trust, starts_on=timezone.localdate())
        response = client_for(world.clm).post(
            LOG_ACTIVITY, self.quick(date=recent_day(1).isoformat())
        )
        form = response.context["quick_form"]
        assert "within your CLM appointment" in form.errors["date"][0]
        assert [t.name for t in response.templates][0] == "home/clm.html"
        assert not Activity.objects.exists()

    def test_the_log_another_link_comes_after_the_form(self, world, appointment):
        client = client_for(world.clm)
        client.post(LOG_ACTIVITY, self.quick())
        html = page(client.get("/"))
        # Not between the heading and the first field: it must not shift the form's tab order.
        assert html.index("Log another like this") > html.index("</form>")

    def test_the_quick_date_is_one_text_box(self, world, appointment):
        html = page(client_for(world.clm).get("/"))
        assert 'type="date"' not in html
        assert f'value="{timezone.localdate():%d/%m/%Y}"' in html

    def test_it_accepts_the_date_as_typed_on_the_home_page(self, world, appointment):
        day = recent_day(1)
        client_for(world.clm).post(LOG_ACTIVITY, self.quick(date=f"{day:%d/%m/%Y}"))
        assert Activity.objects.get().date == day


@pytest.mark.django_db
class TestEditActivity:
    @pytest.fixture
    def mine(self, appointment):
        return ActivityFactory(appointment=appointment, date=recent_day(5), minutes=60)

    def url(self, activity) -> str:
        return reverse("mentors:edit_activity", args=[activity.pk])

    def test_it_shows_the_entry(self, world, mine):
        form = client_for(world.clm).get(self.url(mine)).context["form"]
        assert Decimal(form["hours"].value()) == 1

    def test_it_saves_the_change(self, world, mine):
        response = client_for(world.clm).post(
            self.url(mine), post_data(date=mine.date.isoformat(), hours="2.25")
        )
        assert response["Location"] == LOG
        mine.refresh_from_db()
        assert (mine.minutes, mine.responsibility) == (135, "buddying")

    def test_it_refuses_zero_hours(self, world, mine):
        response = client_for(world.clm).post(self.url(mine), post_data(hours="0"))
        assert "The time spent must be more than 0 hours." in page(response)
        mine.refresh_from_db()
        assert mine.minutes == 60

    def test_it_refuses_an_entry_in_a_closed_year(self, world, appointment):
        day = last_year_day()
        old = ActivityFactory(appointment=appointment, date=day)
        close_year(training_year_start(day))
        response = client_for(world.clm).post(
            self.url(old), post_data(date=day.isoformat()), follow=True
        )
        assert f"The {last_year_label()} training year is closed" in page(response)
        old.refresh_from_db()
        assert old.minutes == 60

    def test_it_offers_no_form_for_an_entry_in_a_closed_year(self, world, appointment):
        day = last_year_day()
        old = ActivityFactory(appointment=appointment, date=day)
        close_year(training_year_start(day))
        response = client_for(world.clm).get(self.url(old))
        assert (response.status_code, response["Location"]) == (302, LOG)

    def test_another_trusts_entry_is_404(self, world, other_appointment):
        theirs = ActivityFactory(appointment=other_appointment, date=recent_day(2))
        assert client_for(world.clm).get(self.url(theirs)).status_code == 404
        assert client_for(world.clm).post(self.url(theirs), post_data()).status_code == 404

    def test_the_trust_administrator_may_not_edit(self, world, mine):
        assert client_for(world.trust_admin).get(self.url(mine)).status_code == 403

    def test_another_clm_of_the_trust_may_not_edit(self, world, mine):
        second = person("clm", world.trust)
        assert client_for(second).post(self.url(mine), post_data()).status_code == 403


@pytest.mark.django_db
class TestDeleteActivity:
    def url(self, activity) -> str:
        return reverse("mentors:delete_activity", args=[activity.pk])

    def test_it_asks_first(self, world, appointment):
        mine = ActivityFactory(appointment=appointment, date=recent_day(5))
        assert "Delete this entry?" in page(client_for(world.clm).get(self.url(mine)))
        assert Activity.objects.exists()

    def test_it_deletes_the_entry(self, world, appointment):
        mine = ActivityFactory(appointment=appointment, date=recent_day(5))
        response = client_for(world.clm).post(self.url(mine), follow=True)
        assert "Entry deleted." in page(response)
        assert not Activity.objects.exists()

    def test_it_refuses_an_entry_in_a_closed_year(self, world, appointment):
        day = last_year_day()
        old = ActivityFactory(appointment=appointment, date=day)
        close_year(training_year_start(day))
        response = client_for(world.clm).post(self.url(old), follow=True)
        assert f"The {last_year_label()} training year is closed" in page(response)
        assert Activity.objects.filter(pk=old.pk).exists()

    def test_another_trusts_entry_is_404(self, world, other_appointment):
        theirs = ActivityFactory(appointment=other_appointment, date=recent_day(2))
        assert client_for(world.clm).post(self.url(theirs)).status_code == 404
        assert Activity.objects.filter(pk=theirs.pk).exists()

    def test_the_trust_administrator_may_not_delete(self, world, appointment):
        mine = ActivityFactory(appointment=appointment, date=recent_day(5))
        assert client_for(world.trust_admin).post(self.url(mine)).status_code == 403
        assert Activity.objects.exists()


@pytest.mark.django_db
class TestActivityLog:
    @pytest.fixture
    def entries(self, appointment, other_appointment):
        return [
            ActivityFactory(
                appointment=appointment,
                date=recent_day(1),
                responsibility="forum",
                notes="RK9 forum",
                minutes=120,
            ),
            ActivityFactory(
                appointment=appointment,
                date=recent_day(2),
                responsibility="safety_qi",
                notes="RK9 QI clinic",
                minutes=30,
            ),
            ActivityFactory(
                appointment=other_appointment, date=recent_day(1), notes="REF induction"
            ),
        ]

    def notes(self, response) -> list[str]:
        return [row.record.notes for row in response.context["table"].paginated_rows]

    def test_a_clm_sees_their_own_trusts_entries_only(self, world, entries):
        response = client_for(world.clm).get(LOG)
        assert self.notes(response) == ["RK9 forum", "RK9 QI clinic"]
        assert "REF induction" not in page(response)

    def test_a_clm_can_change_their_entries_from_the_log(self, world, entries):
        html = page(client_for(world.clm).get(LOG))
        assert reverse("mentors:edit_activity", args=[entries[0].pk]) in html

    def test_the_trust_administrator_reads_the_log(self, world, entries):
        response = client_for(world.trust_admin).get(LOG)
        assert response.status_code == 200
        assert self.notes(response) == ["RK9 forum", "RK9 QI clinic"]

    def test_the_trust_administrator_gets_no_change_links(self, world, entries):
        html = page(client_for(world.trust_admin).get(LOG))
        assert reverse("mentors:edit_activity", args=[entries[0].pk]) not in html
        assert "Log an activity" not in html

    def test_deanery_staff_read_every_trusts_entries(self, world, entries):
        response = client_for(world.deanery).get(LOG)
        assert sorted(self.notes(response)) == ["REF induction", "RK9 QI clinic", "RK9 forum"]
        assert "<th" in page(response) and ">Trust<" in page(response)

    def test_deanery_staff_filter_by_trust(self, world, entries):
        response = client_for(world.deanery).get(LOG, {"trust": world.other_trust.pk})
        assert self.notes(response) == ["REF induction"]

    @pytest.mark.parametrize("role", ["trainee", "supervisor"])
    def test_trainees_and_supervisors_are_refused(self, world, entries, role):
        assert client_for(getattr(world, role)).get(LOG).status_code == 403

    def test_it_filters_by_responsibility(self, world, entries):
        response = client_for(world.clm).get(LOG, {"responsibility": "safety_qi"})
        assert self.notes(response) == ["RK9 QI clinic"]
        assert "1 entry." in page(response)

    def test_it_filters_by_date(self, world, entries):
        response = client_for(world.clm).get(LOG, {"date_to": recent_day(2).isoformat()})
        assert self.notes(response) == ["RK9 QI clinic"]

    def test_it_sorts_by_hours(self, world, entries):
        response = client_for(world.clm).get(LOG, {"sort": "hours"})
        assert self.notes(response) == ["RK9 QI clinic", "RK9 forum"]

    def test_it_shows_hours_without_trailing_zeros(self, world, entries):
        html = page(client_for(world.clm).get(LOG))
        assert "Hours </span>0.5</td>" in html
        assert ">0.50<" not in html

    def test_it_pages_25_entries_at_a_time(self, world, appointment):
        bulk_entries(appointment, 30)
        response = client_for(world.clm).get(LOG, {"page": 2})
        assert len(self.notes(response)) == 5
        assert "30 entries." in page(response)

    def test_the_download_links_keep_the_filters(self, world, entries):
        html = page(client_for(world.clm).get(LOG, {"responsibility": "forum", "page": "1"}))
        assert "?responsibility=forum&amp;_export=csv" in html

    @pytest.mark.parametrize("n", [10, 1000])
    def test_it_runs_a_fixed_number_of_queries(
        self, world, appointment, django_assert_max_num_queries, n
    ):
        bulk_entries(appointment, n)
        client = client_for(world.clm)
        client.get(LOG)  # sessions and sign-in bookkeeping settle on the first request
        # 10, the closed years (no Change in them) and the header's unread notifications
        with django_assert_max_num_queries(12):
            response = client.get(LOG)
        assert len(self.notes(response)) == min(n, 25)

    @pytest.mark.parametrize("n", [10, 1000])
    def test_deanery_staff_see_it_in_a_fixed_number_of_queries(
        self, world, appointment, django_assert_max_num_queries, n
    ):
        bulk_entries(appointment, n)
        client = client_for(world.deanery)
        client.get(LOG)
        with django_assert_max_num_queries(10):
            client.get(LOG)


@pytest.mark.django_db
class TestTimeView:
    def test_it_shows_hours_over_the_allocation_plainly(self, world, appointment):
        ActivityFactory(appointment=appointment, date=timezone.localdate(), minutes=210)
        html = page(client_for(world.clm).get(TIME))
        assert "<strong>3.5 hours</strong> of 2 hours allocated" in html
        assert "That is 1.5 hours over the allocation." in html

    def test_it_shows_hours_under_the_allocation(self, world, appointment):
        ActivityFactory(appointment=appointment, date=timezone.localdate(), minutes=30)
        html = page(client_for(world.clm).get(TIME))
        assert "That is 1.5 hours under the allocation." in html

    def test_it_shows_the_year_to_date(self, world, appointment):
        ActivityFactory(appointment=appointment, date=timezone.localdate(), minutes=30)
        summary = client_for(world.clm).get(TIME).context["summary"]
        assert summary.year.start == training_year_start(timezone.localdate())
        assert summary.year.hours == Decimal("0.5")

    def test_it_shows_hours_per_responsibility(self, world, appointment):
        ActivityFactory(
            appointment=appointment,
            date=timezone.localdate(),
            responsibility="forum",
            minutes=90,
            trainees_reached=33,
        )
        response = client_for(world.clm).get(TIME)
        assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">33</td>' in page(response)

    def test_the_chart_shows_each_weeks_hours_against_the_allocation(self, world, appointment):
        ActivityFactory(appointment=appointment, date=timezone.localdate(), minutes=90)
        chart = client_for(world.clm).get(TIME).context["chart"]
        assert (chart["hours"][-1], chart["allocation"][-1]) == (1.5, 2.0)
        assert len(chart["labels"]) == len(chart["hours"]) == len(chart["allocation"])

    def test_the_trust_administrator_reads_their_trusts_time(self, world, appointment):
        response = client_for(world.trust_admin).get(TIME)
        assert (response.status_code, response.context["trust"]) == (200, world.trust)

    def test_deanery_staff_choose_the_trust(self, world, other_appointment):
        ActivityFactory(appointment=other_appointment, date=timezone.localdate(), minutes=45)
        response = client_for(world.deanery).get(TIME, {"trust": "REF"})
        assert response.context["summary"].this_week.hours == Decimal("0.75")

    def test_a_clm_cannot_see_another_trusts_time(self, world, appointment):
        assert client_for(world.clm).get(TIME, {"trust": "REF"}).status_code == 404

    def test_it_shows_an_earlier_training_year(self, world, appointment):
        day = last_year_day()
        ActivityFactory(appointment=appointment, date=day, minutes=45)
        response = client_for(world.clm).get(TIME, {"year": training_year_start(day).year})
        assert response.context["summary"].year.hours == Decimal("0.75")

    @pytest.mark.parametrize("role", ["trainee", "supervisor"])
    def test_trainees_and_supervisors_are_refused(self, world, role):
        assert client_for(getattr(world, role)).get(TIME).status_code == 403

    @pytest.mark.parametrize("n", [10, 1000])
    def test_it_runs_a_fixed_number_of_queries(
        self, world, appointment, django_assert_max_num_queries, n
    ):
        bulk_entries(appointment, n)
        client = client_for(world.clm)
        client.get(TIME)
        with django_assert_max_num_queries(13):  # with the header's unread notifications
            client.get(TIME)


@pytest.mark.django_db
class TestTrainingYears:
    URL = reverse("mentors:training_years")

    def close_url(self, year: int) -> str:
        return reverse("mentors:close_year", args=[year])

    def test_deanery_staff_close_an_ended_year(self, world, appointment):
        day = last_year_day()
        entry = ActivityFactory(appointment=appointment, date=day)
        response = client_for(world.deanery).post(
            self.close_url(training_year_start(day).year), follow=True
        )
        assert f"The {last_year_label()} training year is closed" in page(response)
        assert TrainingYear.objects.get(starts_on=training_year_start(day)).is_closed
        # Its entries are now locked.
        client_for(world.clm).post(reverse("mentors:delete_activity", args=[entry.pk]))
        assert Activity.objects.filter(pk=entry.pk).exists()

    def test_the_current_year_cannot_be_closed(self, world):
        current = training_year_start(timezone.localdate()).year
        response = client_for(world.deanery).post(self.close_url(current), follow=True)
        assert "A training year can be closed only after it ends on 31 July." in page(response)
        assert not TrainingYear.objects.filter(closed_at__isnull=False).exists()

    def test_deanery_staff_reopen_a_closed_year(self, world):
        close_year(date(2024, 8, 1))
        response = client_for(world.deanery).post(
            reverse("mentors:reopen_year", args=[2024]), follow=True
        )
        assert "The 2024/25 training year is open again." in page(response)
        assert not TrainingYear.objects.get(starts_on=date(2024, 8, 1)).is_closed

    @pytest.mark.parametrize("year", [0, 1999, 99999])
    def test_a_year_out_of_range_is_404(self, world, year):
        client = client_for(world.deanery)
        assert client.post(self.close_url(year)).status_code == 404
        assert client.post(reverse("mentors:reopen_year", args=[year])).status_code == 404

    def test_the_page_lists_years_with_their_state(self, world):
        close_year(date(2024, 8, 1), by=world.deanery)
        html = page(client_for(world.deanery).get(self.URL))
        assert "Closed</strong>" in html and "by Dana Deanery" in html
        assert "Current</strong>" in html

    @pytest.mark.parametrize("role", ["clm", "trust_admin"])
    def test_others_cannot_close_a_year(self, world, role):
        response = client_for(getattr(world, role)).post(self.close_url(2024))
        assert response.status_code == 403
        assert not TrainingYear.objects.exists()

    def test_a_clm_cannot_reopen_a_year(self, world):
        close_year(date(2024, 8, 1))
        assert (
            client_for(world.clm).post(reverse("mentors:reopen_year", args=[2024])).status_code
            == 403
        )
        assert TrainingYear.objects.get().is_closed


@pytest.mark.django_db
class TestClosingAYearAsksFirst:
    def test_the_list_links_to_a_confirmation_page_not_a_button(self, world):
        html = page(client_for(world.deanery).get(reverse("mentors:training_years")))
        assert reverse("mentors:confirm_close_year", args=[2024]) in html
        assert f'action="{reverse("mentors:close_year", args=[2024])}"' not in html

    def test_the_confirmation_page_closes_nothing(self, world):
        response = client_for(world.deanery).get(reverse("mentors:confirm_close_year", args=[2024]))
        assert "Close the 2024/25 training year?" in page(response)
        assert f'action="{reverse("mentors:close_year", args=[2024])}"' in page(response)
        assert not TrainingYear.objects.filter(closed_at__isnull=False).exists()

    def test_an_impossible_year_is_404(self, world):
        url = reverse("mentors:confirm_close_year", args=[99999])
        assert client_for(world.deanery).get(url).status_code == 404


@pytest.mark.django_db
class TestClosedYearsOfferNoChange:
    @pytest.fixture
    def old(self, world, appointment):
        day = last_year_day()
        entry = ActivityFactory(appointment=appointment, date=day, notes="Old entry")
        close_year(training_year_start(day))
        return entry

    def test_the_log_has_no_change_link_for_it(self, world, old):
        html = page(client_for(world.clm).get(LOG))
        assert reverse("mentors:edit_activity", args=[old.pk]) not in html

    def test_the_log_still_has_change_links_for_open_years(self, world, old, appointment):
        recent = ActivityFactory(appointment=appointment, date=recent_day(1))
        html = page(client_for(world.clm).get(LOG))
        assert reverse("mentors:edit_activity", args=[recent.pk]) in html

    def test_its_delete_page_sends_back_to_the_log(self, world, old):
        response = client_for(world.clm).get(
            reverse("mentors:delete_activity", args=[old.pk]), follow=True
        )
        assert response.redirect_chain[-1][0] == LOG
        assert f"The {last_year_label()} training year is closed" in page(response)


@pytest.mark.django_db
class TestTheDeaneryLogNamesTrusts:
    def test_the_log_shows_trust_names(self, world, appointment, other_appointment):
        ActivityFactory(appointment=appointment, date=recent_day(1))
        ActivityFactory(appointment=other_appointment, date=recent_day(1))
        html = page(client_for(world.deanery).get(LOG))
        assert f"{world.trust.name} ({world.trust.ods_code})" in html
        assert f"{world.other_trust.name} ({world.other_trust.ods_code})" in html


@pytest.mark.django_db
class TestOnePhoneFriendlyLog:
    def test_each_cell_carries_its_heading_for_the_stacked_layout(self, world, appointment):
        ActivityFactory(appointment=appointment, date=recent_day(1))
        html = page(client_for(world.clm).get(LOG))
        assert 'class="nhsuk-table-responsive"' in html
        assert (
            '<span class="nhsuk-table-responsive__heading" aria-hidden="true">Date </span>' in html
        )


@pytest.mark.django_db
class TestOneAllocationFigure:
    def test_the_year_figure_is_the_weekly_tables_total(self, world, appointment):
        summary = client_for(world.clm).get(TIME).context["summary"]
        assert summary.year.allocation == summary.weeks[0].allocation_to_date
        exact = sum(w.allocation for w in summary.weeks)
        assert abs(summary.year.allocation - exact) < Decimal("0.01") * len(summary.weeks)

    def test_the_current_year_says_so_far(self, world, appointment):
        html = page(client_for(world.clm).get(TIME))
        assert "Training year so far" in html
        assert "to date" not in html

    def test_a_closed_year_is_not_to_date(self, world, appointment):
        year = training_year_start(timezone.localdate()).year - 1
        close_year(date(year, 8, 1))
        html = page(client_for(world.clm).get(TIME, {"year": year}))
        assert "Training year so far" not in html and "to date" not in html
        assert f"Training year {year}/{(year + 1) % 100:02d}" in html
        assert "Closed" in html


@pytest.mark.django_db
class TestNamedTraineesAreCheckboxes:
    def test_the_full_form_lists_the_trusts_trainees_as_checkboxes(self, world, appointment):
        html = page(client_for(world.clm).get(LOG_ACTIVITY))
        assert "<select" not in html.split('name="trainees"')[0].rsplit("<div", 1)[-1]
        assert re.search(
            r'<input class="nhsuk-checkboxes__input" id="id_trainees_\d+" name="trainees" type="checkbox"',
            html,
        )
        assert world.trainee.name in html
        assert world.other_trainee.name not in html

    def test_the_filter_box_is_hidden_until_the_script_runs(self, world, appointment):
        html = page(client_for(world.clm).get(LOG_ACTIVITY))
        assert (
            '<div class="nhsuk-form-group nhsuk-u-margin-bottom-3" data-trainee-filter hidden>'
            in html
        )
        assert 'src="/static/js/mentors-trainees.js"' in html

    def test_ticked_trainees_are_saved(self, world, appointment):
        client_for(world.clm).post(LOG_ACTIVITY, {**post_data(), "trainees": [world.trainee.pk]})
        assert list(Activity.objects.get().trainees.all()) == [world.trainee]
