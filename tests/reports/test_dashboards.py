"""The dashboards' figures on known data: trainee numbers entered by the deanery or counted
from the portal (and said which), activities per responsibility, opportunities offered and
filled by kind, the year-end report status, the comparison with Trusts of the same kind; the
Trust dashboard over the years; downloads without formulas."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mentors.models import Responsibility, training_year_start
from opportunities.models import Application
from opportunities.models import ApplicationStatus as S
from reports import services
from reports.denominators import denominators, trainee_counts_record
from reports.funnel import FunnelPoint
from reports.models import ReportStatus, TraineeCount, YearEndReport
from reports.regional import regional_summary
from trusts.models import Role, Trust

from ..factories import ActivityFactory, OpportunityFactory, TrustFactory, appointment_of, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> int:
    return training_year_start(timezone.localdate()).year


@pytest.fixture
def logged(world, year):
    appointment = appointment_of(world.clm, world.trust, starts_on=date(year, 8, 1))
    today = timezone.localdate()
    for responsibility, n in (("forum", 3), ("induction", 1)):
        for _ in range(n):
            ActivityFactory(appointment=appointment, date=today, responsibility=responsibility)
    return appointment


class TestDenominators:
    def test_an_entered_number_wins_and_the_figures_say_so(self, world, year, logged):
        services.trainee_count_enter(
            by=world.deanery, trust=world.trust, year=year, trainees=40, note="HEE census"
        )
        rk9 = regional_summary(year=year)["trusts"]["RK9"]
        assert (rk9["trainees"], rk9["trainees_source"]) == (40, "deanery")
        assert rk9["indicators"]["reach"]["denominator"] == 40
        ref = regional_summary(year=year)["trusts"]["REF"]
        assert (ref["trainees"], ref["trainees_source"]) == (1, "portal")
        found = denominators(year=year, trust_ids=[world.trust.pk], today=timezone.localdate())
        assert found[world.trust.pk].says.startswith("entered by the deanery on ")

    def test_a_number_below_the_portals_own_is_refused(self, world, year):
        with pytest.raises(ValidationError, match="already holds 1 trainees"):
            services.trainee_count_enter(by=world.deanery, trust=world.trust, year=year, trainees=0)
        assert not TraineeCount.objects.exists()

    def test_only_the_deanery_enters_numbers(self, world, year):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.trainee_count_enter(by=world.clm, trust=world.trust, year=year, trainees=9)

    def test_a_past_year_keeps_its_last_count(self, world, year):
        last = year - 1
        trainee_counts_record(year=last, trust_ids=[world.trust.pk], today=date(last + 1, 7, 1))
        person(Role.TRAINEE, world.trust)  # arrives after that year ended
        found = denominators(year=last, trust_ids=[world.trust.pk], today=timezone.localdate())
        assert found[world.trust.pk].trainees == 1
        assert found[world.trust.pk].counted_on == date(last + 1, 7, 1)
        live = denominators(year=year, trust_ids=[world.trust.pk], today=timezone.localdate())
        assert live[world.trust.pk].trainees == 2

    def test_the_page_saves_all_or_nothing(self, world, year, deanery_client):
        url = reverse("reports:denominators", args=[year])
        ok, bad = world.other_trust, world.trust
        response = deanery_client.post(url, {f"trust_{ok.pk}": "30", f"trust_{bad.pk}": "0"})
        assert response.status_code == 400
        assert "already holds 1 trainees" in response.content.decode()
        assert not TraineeCount.objects.filter(source="deanery").exists()
        response = deanery_client.post(
            url, {f"trust_{ok.pk}": "30", f"trust_{bad.pk}": "", "note": "Census"}
        )
        assert response.status_code == 302
        assert TraineeCount.objects.get(source="deanery").trust == ok
        response = deanery_client.post(url, {f"trust_{ok.pk}": "thirty"})
        assert "Enter a whole number" in response.content.decode()


class TestRegionalFigures:
    def test_activities_per_responsibility_and_contacts(self, world, year, logged):
        rk9 = regional_summary(year=year)["trusts"]["RK9"]
        assert rk9["by_responsibility"]["forum"]["entries"] == 3
        assert rk9["by_responsibility"]["induction"]["entries"] == 1
        assert "buddying" not in rk9["by_responsibility"]
        assert rk9["contacts"] == 12  # 3 unnamed trainees reached a time

    def test_opportunities_offered_and_filled_by_kind(self, world, year):
        opportunity = OpportunityFactory(trust=world.trust, places=3, kind="rca")
        OpportunityFactory(trust=world.trust, places=2, kind="course")
        others = [person(Role.TRAINEE, world.trust) for _ in range(3)]
        for trainee, status in zip(others, (S.ACCEPTED, S.COMPLETED, S.SUBMITTED), strict=True):
            Application.objects.create(opportunity=opportunity, trainee=trainee, status=status)
        found = regional_summary(year=year)["trusts"]["RK9"]["opportunities"]
        assert found["by_kind"]["rca"] == {
            "offered": 1,
            "places": 3,
            "filled": 2,
            "applications": 3,
        }
        assert (found["offered"], found["places"], found["filled"]) == (2, 5, 2)

    def test_the_year_end_report_status_is_on_each_row(self, world, year):
        YearEndReport.objects.create(trust=world.trust, year=year, status=ReportStatus.DRAFT)
        got = regional_summary(year=year)
        assert got["trusts"]["RK9"]["report"]["status"] == "draft"
        assert got["trusts"]["REF"]["report"] is None
        assert got["region"]["reports"] == {"expected": 2, "submitted": 0}

    def test_each_trust_is_also_compared_with_trusts_of_its_kind(self, world, year, logged):
        mental = TrustFactory(ods_code="RWV", kind=Trust.Kind.MENTAL_HEALTH)
        for _ in range(4):
            person(Role.TRAINEE, mental)
        got = regional_summary(year=year)
        for ods, trust in got["trusts"].items():
            same_kind = [t for t in got["trusts"].values() if t["kind"] == trust["kind"]]
            pooled = sum(t["indicators"]["reach"]["numerator"] for t in same_kind) / sum(
                t["indicators"]["reach"]["denominator"] for t in same_kind
            )
            reach = trust["indicators"]["reach"]
            expected = FunnelPoint(reach["numerator"], reach["denominator"], pooled)
            assert reach["kind"]["flag"] == expected.flag, ods
            assert reach["kind"]["p0"] == pytest.approx(100 * pooled, abs=1e-3)
        assert set(got["region"]["by_kind"]) == {"acute", "mental_health"}


class TestPages:
    def test_the_region_shows_the_heat_map_and_downloads_hold_no_formula(
        self, world, year, logged, deanery_client
    ):
        Trust.objects.filter(pk=world.trust.pk).update(name="=cmd|' /C calc'!A0")
        page = deanery_client.get(reverse("reports:region")).content.decode()
        assert "clm-heat-4" in page and "Activities per responsibility, every Trust" in page
        workbook = load_workbook(
            BytesIO(deanery_client.get(reverse("reports:region_xlsx")).content)
        )
        sheet = workbook["Region"]
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]
        csv_text = deanery_client.get(reverse("reports:region_csv")).content.decode()
        assert "RK9,'=cmd" in csv_text
        header = csv_text.splitlines()[0].lstrip("\ufeff").split(",")
        assert {"trainees_source", "experiences_gini", "forum_activities", "reach_flag"} <= set(
            header
        )

    def test_the_region_shows_each_refresh_not_what_was_built_before_it(
        self, world, year, logged, deanery_client
    ):
        from reports.regional import regional_snapshot

        def forum_and_induction():
            page = deanery_client.get(reverse("reports:region")).content.decode()
            heat = page.split("Activities per responsibility, every Trust")[1]
            row = heat.split(f'scope="row">{world.trust.name}</th>')[1].split("</tr>")[0]
            counts = [int(n) for n in re.findall(r">(\d+)</td>", row)]
            return counts[codes.index("forum")], counts[codes.index("induction")]

        codes = list(Responsibility.values)
        assert forum_and_induction() == (3, 1)
        ActivityFactory(appointment=logged, date=timezone.localdate(), responsibility="forum")
        # Within the hour the page shows the figures as worked out; a refresh shows the new.
        assert forum_and_induction() == (3, 1)
        regional_snapshot(year=year, refresh=True)
        assert forum_and_induction() == (4, 1)

    def test_comparing_with_the_same_kind_draws_the_funnel_around_it(
        self, world, year, logged, deanery_client
    ):
        page = deanery_client.get(
            reverse("reports:region"), {"kind": "acute", "compare": "kind"}
        ).content.decode()
        assert "the pooled figure of acute Trusts" in page
        # Without a kind chosen the comparison is with the region.
        page = deanery_client.get(reverse("reports:region"), {"compare": "kind"}).content.decode()
        assert "the region&#x27;s figure" in page or "the region's figure" in page

    def test_the_trust_dashboard_sets_the_trust_beside_the_medians(
        self, world, year, logged, clm_client
    ):
        page = clm_client.get(reverse("reports:trust", args=["RK9"]))
        content = page.content.decode()
        assert page.status_code == 200
        assert "Median acute Trust" in content and "Region's median" in content
        assert "Forum for clinicians and trainees" in content
        assert f"Year-end report {year}/{(year + 1) % 100:02d}" in content

    @pytest.mark.parametrize("years", [2, 6])
    def test_the_trust_dashboard_runs_fixed_queries_however_many_years(
        self, world, year, logged, clm_client, years, django_assert_max_num_queries
    ):
        from reports.regional import regional_snapshot

        for back in range(years):
            regional_snapshot(year=year - back)
        with django_assert_max_num_queries(10):
            assert clm_client.get(reverse("reports:trust", args=["RK9"])).status_code == 200

    def test_reports_in_the_header_lead_each_role_to_their_part(
        self, clm_client, deanery_client, trust_admin_client
    ):
        assert clm_client.get(reverse("reports:index"))["Location"] == "/reports/trusts/RK9/"
        assert trust_admin_client.get(reverse("reports:index"))["Location"] == (
            "/reports/trusts/RK9/"
        )
        assert deanery_client.get(reverse("reports:index"))["Location"] == "/reports/region/"

    def test_a_past_year_dashboard_is_not_worked_out_again_within_a_day(
        self, world, year, deanery_client
    ):
        import time_machine

        from reports.models import RegionalSnapshot

        deanery_client.get(reverse("reports:region"), {"year": year - 1})
        first = RegionalSnapshot.objects.get(year=year - 1).computed_at
        with time_machine.travel(timezone.now() + timedelta(hours=5)):
            deanery_client.get(reverse("reports:region"), {"year": year - 1})
        assert RegionalSnapshot.objects.get(year=year - 1).computed_at == first
