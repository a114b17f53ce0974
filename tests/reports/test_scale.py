"""The reports' part of `manage.py seed_scale` at a tiny size: a window for every training
year, past years' reports with snapshots shaped like `report_content`, this year's drafts,
the regional figures of every year, and RK9's last year topped up for the benchmark."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mentors.models import Activity, Responsibility, TrainingYear
from reports import scale
from reports.content import report_content
from reports.models import RegionalSnapshot, ReportStatus, ReportWindow, YearEndReport
from reports.regional import year_bounds
from reports.selectors import entries_changed_since
from reports.services import submission_problems
from trusts.models import Role, Trust

# Three training years: two past ones with reports, and this one with drafts.
TINY = {"trainees": 200, "trusts": 4, "years": 3, "no_progress": True}
HOME_ENTRIES = 1_500  # RK9's last year at the tiny size, instead of 25,000 at 50,000 trainees

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One tiny seed for the module (the tests only read it), rolled back at the end."""
    home = HOME_ENTRIES * scale.NATIONAL_TRAINEES // TINY["trainees"]
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setattr(scale, "HOME_TRUST_ENTRIES", home)
        with transaction.atomic():
            call_command("seed_scale", **TINY)
            yield [y.starts_on.year for y in TrainingYear.objects.order_by("starts_on")]
            transaction.set_rollback(True)


def submitted_reports():
    return YearEndReport.objects.exclude(status=ReportStatus.DRAFT).select_related("trust")


class TestTheReportsSeed:
    def test_every_training_year_has_a_window_in_june_and_july_after_it(self, seeded):
        assert len(seeded) == 3
        windows = {w.year: (w.opens_on, w.due_on) for w in ReportWindow.objects.all()}
        assert windows == {y: (date(y + 1, 6, 1), date(y + 1, 7, 31)) for y in seeded}

    def test_past_years_have_reports_with_snapshots_of_all_nine_responsibilities(self, seeded):
        past = seeded[:-1]
        reports = list(submitted_reports())
        assert {r.year for r in reports} == set(past)
        assert YearEndReport.objects.filter(trust__ods_code="RK9", year__in=past).count() == 2
        keys = set(report_content(trust=Trust.objects.get(ods_code="RK9"), year=past[-1]))
        for report in reports:
            content = report.snapshot["content"]
            assert set(report.snapshot) == {
                "content",
                "narratives",
                "overview",
                "submitted_at",
                "submitted_by",
            }
            assert set(content) == keys
            assert [s["code"] for s in content["responsibilities"]] == Responsibility.values
            assert content["trust"]["ods"] == report.trust.ods_code
            assert report.snapshot_entries == content["entries"]

    def test_a_snapshot_holds_the_entries_logged_before_it_was_submitted(self, seeded):
        for report in submitted_reports():
            start, end = year_bounds(report.year)
            entries = Activity.objects.filter(trust=report.trust, date__gte=start, date__lte=end)
            before = entries.filter(created_at__lte=report.submitted_at).count()
            assert report.snapshot_entries == before
            if report.is_frozen:
                assert entries_changed_since(report) == entries.count() - before

    def test_the_bulk_figures_are_report_contents(self, seeded):
        today = timezone.localdate()
        trusts = list(Trust.objects.order_by("ods_code"))
        for year in seeded:
            bulk = scale.contents_for_year(year=year, trusts=trusts, today=today)
            for trust in trusts:
                one = report_content(trust=trust, year=year, today=today)
                assert json.loads(json.dumps(bulk[trust.pk])) == json.loads(json.dumps(one))

    def test_submitted_narratives_say_nothing_only_where_nothing_was_logged(self, seeded):
        for report in submitted_reports():
            assert submission_problems(report, report.snapshot["content"]) == []
            assert report.narratives == report.snapshot["narratives"]

    def test_the_cycles_dates_follow_each_other_and_none_is_in_the_future(self, seeded):
        now = timezone.now()
        for report in submitted_reports():
            assert report.first_submitted_at <= report.submitted_at < now
            if report.status == ReportStatus.ACCEPTED:
                assert report.submitted_at < report.accepted_at < now
                assert report.accepted_by.has_role(Role.DEANERY)
            if report.status == ReportStatus.RETURNED:
                assert report.submitted_at < report.returned_at < now
                assert report.return_reason
            assert report.submitted_by_id in {
                a.user_id
                for a in report.trust.clm_appointments.all()
                if a.covers(timezone.localtime(report.submitted_at).date())
            }

    def test_this_year_has_drafts_without_snapshots(self, seeded):
        this_year = YearEndReport.objects.filter(year=seeded[-1])
        assert this_year.filter(trust__ods_code="RK9").exists()
        assert not this_year.exclude(status=ReportStatus.DRAFT).exists()
        assert not this_year.filter(snapshot__isnull=False).exists()

    def test_every_year_has_its_regional_figures_with_the_reports_statuses(self, seeded):
        snapshots = {s.year: s.figures for s in RegionalSnapshot.objects.all()}
        assert set(snapshots) == set(seeded)
        rk9 = snapshots[seeded[-2]]["trusts"]["RK9"]
        report = YearEndReport.objects.get(trust__ods_code="RK9", year=seeded[-2])
        assert rk9["report"]["status"] == report.status
        assert len(snapshots[seeded[-1]]["trusts"]) == 4


class TestRK9sBigYear:
    def test_its_last_complete_year_holds_the_benchmarks_entries(self, seeded):
        start, end = year_bounds(seeded[-2])
        entries = Activity.objects.filter(trust__ods_code="RK9", date__gte=start, date__lte=end)
        assert entries.count() == HOME_ENTRIES
        assert entries.values("responsibility").distinct().count() == 9

    def test_the_added_entries_keep_the_logs_rules(self, seeded):
        entries = Activity.objects.filter(trust__ods_code="RK9")
        assert not entries.exclude(appointment__trust=F("trust")).exists()
        assert not entries.exclude(logged_by=F("appointment__user")).exists()
        assert not entries.filter(date__lt=F("appointment__starts_on")).exists()
        assert not entries.filter(date__gt=F("appointment__ends_on")).exists()
        assert not entries.filter(date__gt=timezone.localdate()).exists()
        links = Activity.trainees.through.objects.filter(activity__trust__ods_code="RK9")
        assert links.exists()
        assert not links.exclude(
            user__memberships__role=Role.TRAINEE, user__memberships__trust=F("activity__trust")
        ).exists()
