"""CLM appointments: recording one gives the CLM role, ending one leaves a vacancy."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mentors.models import Activity, Appointment
from mentors.selectors import appointment_candidates, time_summary, week_summary
from mentors.services import appointment_cancel, appointment_create, appointment_end
from trusts.models import Membership, Role
from trusts.services import membership_add, membership_remove

from ..conftest import client_for
from ..factories import ActivityFactory, UserFactory, appointment_of
from .conftest import log, recent_day


def is_clm(user, trust) -> bool:
    return Membership.objects.filter(user=user, role=Role.CLM, trust=trust).exists()


@pytest.mark.django_db
class TestAppointmentCreate:
    def test_it_records_the_appointment(self, world):
        appointment = appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=date(2025, 1, 6),
            hours_per_week=Decimal("2"),
            confirm_second=True,  # the world's CLM is appointed too
        )
        assert (appointment.user, appointment.starts_on, appointment.ends_on) == (
            world.supervisor,
            date(2025, 1, 6),
            None,
        )

    def test_it_gives_the_clm_role(self, world):
        appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=date(2025, 1, 6),
            hours_per_week=Decimal("2"),
            confirm_second=True,  # the world's CLM is appointed too
        )
        assert is_clm(world.supervisor, world.trust)

    def test_the_new_clm_can_log_from_the_start_date(self, world):
        appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=date(2025, 1, 6),
            hours_per_week=Decimal("2"),
            confirm_second=True,  # the world's CLM is appointed too
        )
        activity = log(world, by=world.supervisor, date=date(2025, 1, 6))
        assert activity.logged_by == world.supervisor

    def test_it_starts_no_second_appointment_through_the_role(self, world):
        appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=date(2025, 1, 6),
            hours_per_week=Decimal("2"),
            confirm_second=True,  # the world's CLM is appointed too
        )
        assert Appointment.objects.filter(user=world.supervisor).count() == 1

    def test_it_refuses_an_appointment_overlapping_the_persons_current_one(self, world):
        with pytest.raises(ValidationError) as caught:
            appointment_create(
                by=world.trust_admin,
                trust=world.trust,
                user=world.clm,
                starts_on=timezone.localdate(),
                hours_per_week=Decimal("2"),
            )
        assert "user" in caught.value.message_dict

    def test_it_refuses_an_appointment_starting_before_the_persons_current_one(
        self, world, appointment
    ):
        with pytest.raises(ValidationError) as caught:
            appointment_create(
                by=world.trust_admin,
                trust=world.trust,
                user=world.clm,
                starts_on=date(2024, 1, 8),
                hours_per_week=Decimal("2"),
            )
        assert "user" in caught.value.message_dict
        assert Appointment.objects.filter(user=world.clm).count() == 1

    def test_it_records_a_new_appointment_after_the_last_one_ended(self, world, appointment):
        appointment.ends_on = date(2025, 6, 30)
        appointment.save()
        appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.clm,
            starts_on=date(2025, 9, 1),
            hours_per_week=Decimal("2"),
        )
        assert Appointment.objects.filter(user=world.clm).count() == 2

    def test_it_refuses_hours_per_week_of_zero(self, world):
        with pytest.raises(ValidationError) as caught:
            appointment_create(
                by=world.trust_admin,
                trust=world.trust,
                user=world.supervisor,
                starts_on=date(2025, 1, 6),
                hours_per_week=Decimal("0"),
            )
        assert "hours_per_week" in caught.value.message_dict

    def test_it_refuses_another_trusts_administrator(self, world):
        with pytest.raises(PermissionDenied):
            appointment_create(
                by=world.other_admin,
                trust=world.trust,
                user=world.supervisor,
                starts_on=date(2025, 1, 6),
                hours_per_week=Decimal("2"),
            )

    def test_it_refuses_the_clm(self, world):
        with pytest.raises(PermissionDenied):
            appointment_create(
                by=world.clm,
                trust=world.trust,
                user=world.supervisor,
                starts_on=date(2025, 1, 6),
                hours_per_week=Decimal("2"),
            )


@pytest.mark.django_db
class TestAppointmentEnd:
    def test_it_ends_the_appointment(self, world, appointment):
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        appointment.refresh_from_db()
        assert appointment.ends_on == date(2025, 6, 30)

    def test_it_takes_away_the_clm_role(self, world, appointment):
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        assert not is_clm(world.clm, world.trust)

    def test_it_keeps_the_clms_entries(self, world, appointment):
        entry = log(world, date=date(2025, 3, 3))
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        assert Activity.objects.get() == entry

    def test_the_vacancy_has_no_allocation(self, world, appointment):
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        assert week_summary(trust=world.trust, today=date(2025, 7, 9)).allocation == 0

    def test_it_refuses_a_last_day_before_the_start(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2024, 8, 4))
        assert "ends_on" in caught.value.message_dict
        assert is_clm(world.clm, world.trust)

    def test_deanery_staff_may_end_it(self, world, appointment):
        appointment_end(by=world.deanery, appointment=appointment, ends_on=date(2025, 6, 30))
        assert not is_clm(world.clm, world.trust)

    def test_the_clm_may_not_end_it(self, world, appointment):
        with pytest.raises(PermissionDenied):
            appointment_end(by=world.clm, appointment=appointment, ends_on=date(2025, 6, 30))


@pytest.mark.django_db
class TestTheClmRoleAndAppointments:
    def test_giving_the_clm_role_starts_an_appointment_today(self, world):
        newcomer = UserFactory()
        membership_add(user=newcomer, role=Role.CLM, trust=world.trust, by=world.trust_admin)
        appointment = Appointment.objects.get(user=newcomer)
        assert (appointment.trust, appointment.starts_on, appointment.ends_on) == (
            world.trust,
            timezone.localdate(),
            None,
        )

    def test_it_allocates_the_standard_2_hours_a_week(self, world):
        newcomer = UserFactory()
        membership_add(user=newcomer, role=Role.CLM, trust=world.trust, by=world.trust_admin)
        assert Appointment.objects.get(user=newcomer).hours_per_week == Decimal("2")

    def test_giving_another_role_starts_no_appointment(self, world):
        membership_add(user=UserFactory(), role=Role.SUPERVISOR, trust=world.trust)
        assert Appointment.objects.count() == 2  # the world's two CLMs

    def test_taking_the_clm_role_away_ends_the_appointment_today(self, world, appointment):
        membership = Membership.objects.get(user=world.clm, role=Role.CLM)
        membership_remove(membership=membership, by=world.trust_admin)
        appointment.refresh_from_db()
        assert appointment.ends_on == timezone.localdate()

    def test_taking_the_role_away_keeps_the_entries(self, world, appointment):
        log(world, date=date(2025, 3, 3))
        membership = Membership.objects.get(user=world.clm, role=Role.CLM)
        membership_remove(membership=membership, by=world.trust_admin)
        assert Activity.objects.count() == 1

    def test_giving_the_role_back_starts_a_new_appointment(self, world, appointment):
        appointment.ends_on = date(2025, 6, 30)
        appointment.save()
        Membership.objects.filter(user=world.clm, role=Role.CLM).delete()
        membership_add(user=world.clm, role=Role.CLM, trust=world.trust, by=world.trust_admin)
        assert list(
            Appointment.objects.filter(user=world.clm)
            .order_by("starts_on")
            .values_list("starts_on", "ends_on")
        ) == [(date(2024, 8, 5), date(2025, 6, 30)), (timezone.localdate(), None)]


@pytest.mark.django_db
class TestHoursPerWeek:
    def test_the_allocation_uses_the_appointments_hours(self, world):
        appointment_of(
            world.clm, world.trust, starts_on=date(2024, 9, 2), hours_per_week=Decimal("3")
        )
        assert week_summary(trust=world.trust, today=date(2024, 9, 11)).allocation == 3

    def test_the_year_allocation_uses_the_appointments_hours(self, world):
        appointment_of(
            world.clm, world.trust, starts_on=date(2024, 8, 1), hours_per_week=Decimal("1.5")
        )
        summary = time_summary(trust=world.trust, today=date(2024, 8, 28))
        assert summary.year.allocation == Decimal("6.86")  # 32 days, to Sunday 1 September


@pytest.mark.django_db
class TestAppointmentsPage:
    def url(self, world) -> str:
        return reverse("mentors:appointments", args=[world.trust.ods_code])

    def test_the_trust_administrator_records_an_appointment(self, world):
        response = client_for(world.trust_admin).post(
            self.url(world),
            {
                "user": world.supervisor.pk,
                "confirm_second": "on",  # the world's CLM is appointed too
                "starts_on": recent_day(7).isoformat(),
                "hours_per_week": "3",
            },
            follow=True,
        )
        assert "Appointment recorded." in response.content.decode()
        appointment = Appointment.objects.get(user=world.supervisor)
        assert (appointment.starts_on, appointment.hours_per_week) == (recent_day(7), 3)
        assert is_clm(world.supervisor, world.trust)

    def test_the_new_clm_can_open_the_log_form(self, world):
        client_for(world.trust_admin).post(
            self.url(world),
            {
                "user": world.supervisor.pk,
                "confirm_second": "on",  # the world's CLM is appointed too
                "starts_on": recent_day(7).isoformat(),
                "hours_per_week": "2",
            },
        )
        assert client_for(world.supervisor).get(reverse("mentors:log_activity")).status_code == 200

    def test_it_offers_only_people_of_the_trust(self, world):
        form = client_for(world.trust_admin).get(self.url(world)).context["form"]
        assert world.other_trainee not in form.fields["user"].queryset
        assert world.supervisor in form.fields["user"].queryset

    def test_it_lists_past_clms(self, world, appointment):
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        html = client_for(world.trust_admin).get(self.url(world)).content.decode()
        assert "Chris Mentor" in html and "30 Jun 2025" in html

    def test_it_says_when_the_post_is_vacant(self, world, appointment):
        appointment_end(by=world.trust_admin, appointment=appointment, ends_on=date(2025, 6, 30))
        html = client_for(world.trust_admin).get(self.url(world)).content.decode()
        assert "The post is vacant" in html

    def test_it_does_not_call_a_filled_post_vacant(self, world, appointment):
        html = client_for(world.trust_admin).get(self.url(world)).content.decode()
        assert "vacant" not in html

    def test_another_trusts_administrator_gets_404(self, world):
        assert client_for(world.other_admin).get(self.url(world)).status_code == 404

    def test_the_clm_is_refused(self, world):
        assert client_for(world.clm).get(self.url(world)).status_code == 403


@pytest.mark.django_db
class TestEndAppointmentPage:
    def url(self, appointment) -> str:
        return reverse("mentors:end_appointment", args=[appointment.pk])

    def test_ending_it_leaves_a_vacancy(self, world, appointment):
        response = client_for(world.trust_admin).post(
            self.url(appointment), {"ends_on": timezone.localdate().isoformat()}
        )
        assert response["Location"] == reverse("mentors:appointments", args=["RK9"])
        assert not is_clm(world.clm, world.trust)

    def test_the_former_clm_can_no_longer_log(self, world, appointment):
        client_for(world.trust_admin).post(self.url(appointment), {"ends_on": timezone.localdate()})
        assert client_for(world.clm).get(reverse("mentors:log_activity")).status_code == 403

    def test_their_entries_stay_in_the_log(self, world, appointment):
        ActivityFactory(appointment=appointment, date=recent_day(3), notes="Before leaving")
        client_for(world.trust_admin).post(self.url(appointment), {"ends_on": timezone.localdate()})
        html = client_for(world.trust_admin).get(reverse("mentors:log")).content.decode()
        assert "Before leaving" in html

    def test_it_refuses_a_last_day_in_the_future(self, world, appointment):
        response = client_for(world.trust_admin).post(
            self.url(appointment),
            {"ends_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
        )
        assert "End an appointment on or after its last day." in response.content.decode()
        assert is_clm(world.clm, world.trust)

    def test_another_trusts_appointment_is_404(self, world, other_appointment):
        assert client_for(world.trust_admin).get(self.url(other_appointment)).status_code == 404


@pytest.mark.django_db
class TestAppointmentCandidates:
    def names(self, world) -> list[str]:
        return [u.name for u in appointment_candidates(trust=world.trust)]

    def test_it_offers_the_trusts_supervisors_and_administrators(self, world):
        assert world.supervisor.name in self.names(world)
        assert world.trust_admin.name in self.names(world)

    def test_it_offers_no_trainee(self, world):
        assert world.trainee.name not in self.names(world)

    def test_it_offers_no_one_who_is_already_a_current_clm_there(self, world):
        assert world.clm.name not in self.names(world)

    def test_it_offers_no_one_from_another_trust(self, world):
        assert world.other_admin.name not in self.names(world)

    def test_the_form_offers_only_them(self, world):
        url = reverse("mentors:appointments", args=[world.trust.ods_code])
        form = client_for(world.trust_admin).get(url).context["form"]
        offered = set(form.fields["user"].queryset)
        assert world.trainee not in offered and world.clm not in offered
        assert world.supervisor in offered

    def test_the_service_refuses_a_trainee(self, world):
        with pytest.raises(ValidationError) as caught:
            appointment_create(
                by=world.trust_admin,
                trust=world.trust,
                user=world.trainee,
                starts_on=recent_day(1),
                hours_per_week=Decimal("2"),
                confirm_second=True,
            )
        assert caught.value.message_dict["user"] == ["A trainee cannot be appointed CLM."]


@pytest.mark.django_db
class TestASecondCurrentClm:
    def url(self, world) -> str:
        return reverse("mentors:appointments", args=[world.trust.ods_code])

    def post(self, world, **extra):
        return client_for(world.trust_admin).post(
            self.url(world),
            {
                "user": world.supervisor.pk,
                "starts_on": recent_day(0).isoformat(),
                "hours_per_week": "2",
                **extra,
            },
        )

    def test_it_warns_and_records_nothing(self, world):
        response = self.post(world)
        html = response.content.decode()
        assert f"The Trust already has a current CLM ({world.clm})" in html
        assert "Yes, record a second current CLM in this Trust" in html
        assert not Appointment.objects.filter(user=world.supervisor).exists()

    def test_it_records_it_once_confirmed(self, world):
        response = self.post(world, confirm_second="on")
        assert response.status_code == 302
        assert Appointment.objects.filter(user=world.supervisor).exists()

    def test_no_warning_once_the_current_one_has_ended(self, world):
        Appointment.objects.filter(user=world.clm).update(
            starts_on=recent_day(30), ends_on=recent_day(1)
        )
        assert self.post(world).status_code == 302


@pytest.mark.django_db
class TestRecordingAnAppointmentTwice:
    def record(self, world):
        return appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=recent_day(0),
            hours_per_week=Decimal("2"),
            confirm_second=True,
        )

    def test_a_double_click_records_one_appointment(self, world):
        first, second = self.record(world), self.record(world)
        assert first.pk == second.pk
        assert Appointment.objects.filter(user=world.supervisor).count() == 1

    def test_the_page_posted_twice_records_one(self, world):
        client = client_for(world.trust_admin)
        data = {
            "user": world.supervisor.pk,
            "starts_on": recent_day(0).isoformat(),
            "hours_per_week": "2",
            "confirm_second": "on",
        }
        url = reverse("mentors:appointments", args=[world.trust.ods_code])
        assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
        assert Appointment.objects.filter(user=world.supervisor).count() == 1

    def test_much_later_it_is_an_overlap_again(self, world):
        self.record(world)
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            with pytest.raises(ValidationError):
                self.record(world)


@pytest.mark.django_db
class TestCancelAppointment:
    @pytest.fixture
    def mistaken(self, world):
        return appointment_create(
            by=world.trust_admin,
            trust=world.trust,
            user=world.supervisor,
            starts_on=recent_day(0),
            hours_per_week=Decimal("2"),
            confirm_second=True,
        )

    def url(self, appointment) -> str:
        return reverse("mentors:cancel_appointment", args=[appointment.pk])

    def test_it_asks_first(self, world, mistaken):
        html = client_for(world.trust_admin).get(self.url(mistaken)).content.decode()
        assert "Cancel this appointment" in html
        assert Appointment.objects.filter(pk=mistaken.pk).exists()

    def test_it_deletes_the_appointment_and_the_clm_role(self, world, mistaken):
        response = client_for(world.trust_admin).post(self.url(mistaken))
        assert response.status_code == 302
        assert not Appointment.objects.filter(pk=mistaken.pk).exists()
        assert not is_clm(world.supervisor, world.trust)
        assert is_clm(world.clm, world.trust)

    def test_both_are_in_the_history(self, world, mistaken):
        appointment_cancel(by=world.trust_admin, appointment=mistaken)
        deleted = Appointment.history.get(id=mistaken.pk, history_type="-")
        assert deleted.history_user == world.trust_admin
        assert Membership.history.filter(
            user_id=world.supervisor.pk, role=Role.CLM, history_type="-"
        ).exists()

    def test_it_refuses_an_appointment_with_logged_activity(self, world, appointment):
        ActivityFactory(appointment=appointment, date=recent_day(1))
        with pytest.raises(ValidationError):
            appointment_cancel(by=world.trust_admin, appointment=appointment)
        assert Appointment.objects.filter(pk=appointment.pk).exists()

    def test_the_page_offers_cancel_only_without_activity(self, world, appointment, mistaken):
        ActivityFactory(appointment=appointment, date=recent_day(1))
        url = reverse("mentors:appointments", args=[world.trust.ods_code])
        html = client_for(world.trust_admin).get(url).content.decode()
        assert self.url(mistaken) in html
        assert self.url(appointment) not in html

    def test_another_trusts_administrator_cannot(self, world, mistaken):
        with pytest.raises(PermissionDenied):
            appointment_cancel(by=world.other_admin, appointment=mistaken)
        assert client_for(world.other_admin).post(self.url(mistaken)).status_code == 404
