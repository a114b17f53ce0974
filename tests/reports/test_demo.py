"""The demo year-end reports: last year's cycle done (17 of 19 submitted, one returned, the
vacant Trust never started), this year's drafts, and safe to run twice."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from mentors.demo import VACANT, seed_activity
from mentors.models import Responsibility
from reports.demo import CENSUS, LATE, RETURNED, seed_reports
from reports.models import (
    RegionalSnapshot,
    ReportStatus,
    ReportWindow,
    TraineeCount,
    YearEndReport,
)
from reports.selectors import submissions_overview
from trusts.demo import HOME_TRUST, seed_people
from trusts.reference import trusts_load

TODAY = date(2026, 12, 7)  # in the 2026/27 training year: last year is 2025/26
LAST, THIS = 2025, 2026


@pytest.fixture
def pinned():
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=UTC), tick=False):
        yield


def seed(only: list[str] | None) -> int:
    trusts_load()
    seed_people(password="x", training_year_start=date(THIS, 8, 1), only=only)
    # Activity for two Trusts is enough: the others say "nothing this year" throughout.
    seed_activity(today=TODAY, only=[HOME_TRUST, RETURNED])
    return seed_reports(today=TODAY, only=only)


@pytest.fixture
def seeded(db, pinned) -> int:
    """Every Trust."""
    return seed(None)


@pytest.fixture
def some(db, pinned) -> int:
    """A few Trusts (quicker): the home Trust, the census Trust, the returned, a late and an
    awaiting one."""
    return seed([HOME_TRUST, CENSUS, RETURNED, "RA4", "RH5"])


def report(ods: str, year: int) -> YearEndReport:
    return YearEndReport.objects.get(trust__ods_code=ods, year=year)


@pytest.mark.django_db
class TestSeedReports:
    def test_last_year_17_of_19_expected_trusts_submitted_and_one_was_returned(self, seeded):
        overview = submissions_overview(year=LAST)
        assert (overview.expected, overview.submitted, overview.returned) == (19, 17, 1)
        assert overview.on_time == 17 - len(LATE)
        assert 12 <= overview.accepted < 17
        assert report(RETURNED, LAST).return_reason.startswith("Thank you")
        assert not YearEndReport.objects.filter(trust__ods_code=VACANT, year=LAST).exists()
        assert ReportWindow.objects.get(year=LAST).due_on == date(2026, 7, 31)
        assert ReportWindow.objects.get(year=THIS).opens_on == date(2027, 6, 1)
        region = RegionalSnapshot.objects.get(year=LAST).figures["region"]
        assert region["reports"] == {"expected": 19, "submitted": 17}

    def test_the_home_trusts_accepted_report_holds_every_section_and_its_words(self, some):
        accepted = report(HOME_TRUST, LAST)
        assert accepted.status == ReportStatus.ACCEPTED
        assert accepted.accepted_by.email == "deanery@example.com"
        assert accepted.submitted_at < accepted.accepted_at < datetime(2026, 10, 1, tzinfo=UTC)
        snapshot = accepted.snapshot
        sections = snapshot["content"]["responsibilities"]
        assert [s["code"] for s in sections] == Responsibility.values
        assert snapshot["narratives"] == accepted.narratives
        assert all(accepted.narratives[s["code"]]["text"] for s in sections if s["activities"])
        assert snapshot["content"]["prepared_on"].startswith("2026-07")
        assert accepted.snapshot_entries == snapshot["content"]["entries"] > 0
        assert snapshot["overview"] == accepted.overview != ""

    def test_sections_with_nothing_logged_say_nothing_this_year(self, some):
        quiet = YearEndReport.objects.filter(year=LAST, status=ReportStatus.ACCEPTED).exclude(
            trust__ods_code__in=[HOME_TRUST, RETURNED]
        )[0]  # the census Trust, or the late one: no activity seeded
        assert all(words == {"text": "", "nothing": True} for words in quiet.narratives.values())

    def test_this_years_reports_are_drafts_with_some_sections_written(self, seeded):
        drafts = YearEndReport.objects.filter(year=THIS)
        assert drafts.count() == 19 and seeded == 18 + 19
        assert set(drafts.values_list("status", flat=True)) == {ReportStatus.DRAFT}
        assert not drafts.filter(snapshot__isnull=False).exists()
        written = [w for w in report(HOME_TRUST, THIS).narratives.values() if w["text"]]
        assert 0 < len(written) < len(Responsibility.values)

    def test_the_deanerys_census_and_the_regional_figures_are_stored(self, some):
        for year in (LAST, THIS):
            census = TraineeCount.objects.get(
                trust__ods_code=CENSUS, year=year, source=TraineeCount.Source.DEANERY
            )
            assert census.note.startswith("HEE trainee census")
            figures = RegionalSnapshot.objects.get(year=year).figures
            assert figures["trusts"][CENSUS]["trainees"] == census.trainees

    def test_seeding_again_adds_and_changes_nothing(self, some):
        before = list(YearEndReport.objects.order_by("pk").values())
        computed = list(RegionalSnapshot.objects.values_list("computed_at", flat=True))
        assert seed_reports(today=TODAY) == 0
        assert list(YearEndReport.objects.order_by("pk").values()) == before
        assert list(RegionalSnapshot.objects.values_list("computed_at", flat=True)) == computed
        assert ReportWindow.objects.count() == 2


@pytest.mark.django_db
def test_seed_demo_seeds_only_the_trusts_asked_for(settings, capsys, pinned):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins", "--only", HOME_TRUST)
    assert "year-end reports added: 2;" in capsys.readouterr().out
    assert set(YearEndReport.objects.values_list("trust__ods_code", flat=True)) == {HOME_TRUST}
    assert ReportWindow.objects.count() == 2
    call_command("seed_demo", "--quiet-logins", "--only", HOME_TRUST)
    assert "year-end reports added: 0;" in capsys.readouterr().out
