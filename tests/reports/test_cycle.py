"""The year-end report cycle: draft → submitted → returned (with a reason) → accepted; a
submitted report is a snapshot that later edits to the log leave alone, with the count of
entries changed since; "x of N expected" with a Trust that merged during the year."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mentors.services import activity_create, activity_delete, activity_update
from reports import services
from reports.content import report_content, trust_document
from reports.models import Generation, ReportStatus, ReportWindow, YearEndReport
from reports.selectors import entries_changed_since, submissions_overview
from trusts.models import Role

from ..factories import TrustFactory, appointment_of, person
from .conftest import every_section

pytestmark = pytest.mark.django_db


def _log(world, day, minutes=90, responsibility="safety_qi"):
    return activity_create(
        by=world.clm,
        trust=world.trust,
        date=day,
        responsibility=responsibility,
        format="meeting",
        minutes=minutes,
        trainees_reached=4,
        notes="QI clinic",
    )


@pytest.fixture
def written(world, cycle, last_year):
    """A report with every section written or marked "nothing", one entry logged."""
    entry = _log(world, date(last_year, 10, 1))
    report = services.report_get_or_start(trust=world.trust, year=last_year)
    services.report_save_draft(
        by=world.clm,
        report=report,
        narratives=every_section(safety_qi="Monthly QI clinic with the Trust QI lead."),
        overview="A steady year.",
    )
    report.refresh_from_db()
    return report, entry


class TestDraft:
    def test_the_clm_and_the_trust_administrator_both_draft(self, world, cycle, last_year):
        report = services.report_get_or_start(trust=world.trust, year=last_year)
        for author in (world.clm, world.trust_admin):
            services.report_save_draft(
                by=author, report=report, narratives=every_section(forum=f"By {author.name}")
            )
        report.refresh_from_db()
        assert report.narratives["forum"]["text"] == f"By {world.trust_admin.name}"
        assert report.status == ReportStatus.DRAFT

    def test_deanery_and_another_trust_may_not_write(self, world, cycle, last_year):
        report = services.report_get_or_start(trust=world.trust, year=last_year)
        for outsider in (world.deanery, world.other_clm, world.other_admin, world.trainee):
            with pytest.raises(PermissionDenied):
                services.report_save_draft(by=outsider, report=report, narratives={})

    def test_a_narrative_over_the_limit_is_refused_and_nothing_saved(self, world, cycle, last_year):
        report = services.report_get_or_start(trust=world.trust, year=last_year)
        with pytest.raises(ValidationError) as error:
            services.report_save_draft(
                by=world.clm, report=report, narratives=every_section(forum="x" * 5001)
            )
        assert "text_forum" in error.value.message_dict
        report.refresh_from_db()
        assert report.narratives == {}


class TestSubmit:
    def test_it_stores_the_figures_and_words_and_only_the_clm_submits(self, world, written):
        report, _ = written
        with pytest.raises(PermissionDenied):
            services.report_submit(by=world.trust_admin, report=report)
        with pytest.raises(PermissionDenied):
            services.report_submit(by=world.other_clm, report=report)
        services.report_submit(by=world.clm, report=report)
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED
        section = next(
            s for s in report.snapshot["content"]["responsibilities"] if s["code"] == "safety_qi"
        )
        assert (section["activities"], section["hours"], section["contacts"]) == (1, 1.5, 4)
        assert report.snapshot["narratives"]["safety_qi"]["text"].startswith("Monthly QI clinic")
        assert report.snapshot_entries == 1
        assert report.first_submitted_at == report.submitted_at

    def test_editing_the_log_afterwards_leaves_it_unchanged_and_counts_the_changes(
        self, world, written, last_year
    ):
        report, entry = written
        services.report_submit(by=world.clm, report=report)
        report.refresh_from_db()
        assert entries_changed_since(report) == 0
        activity_update(activity=entry, by=world.clm, date=entry.date, minutes=300)
        _log(world, date(last_year, 11, 1), responsibility="forum")
        report.refresh_from_db()
        document = trust_document(trust=world.trust, year=last_year, report=report)
        qi = next(s for s in document["sections"] if s["code"] == "safety_qi")
        assert qi["hours"] == 1.5 and document["frozen"]
        assert document["content"]["entries"] == 1
        live = report_content(trust=world.trust, year=last_year)
        assert live["hours"] == 6.5  # 5 hours and 1.5, now in the log
        assert entries_changed_since(report) == 2
        activity_delete(activity=entry, by=world.clm)
        assert entries_changed_since(report) == 2  # the changed entry is now a removed one

    def test_removing_an_entry_counts_as_a_change(self, world, written):
        report, entry = written
        services.report_submit(by=world.clm, report=report)
        activity_delete(activity=entry, by=world.clm)
        report.refresh_from_db()
        assert entries_changed_since(report) == 1

    def test_moving_an_entry_out_of_the_year_counts_once(self, world, written, last_year):
        report, entry = written
        services.report_submit(by=world.clm, report=report)
        report.refresh_from_db()
        activity_update(activity=entry, by=world.clm, date=date(last_year + 1, 10, 1), minutes=90)
        assert entries_changed_since(report) == 1
        # Logged in the year since: added to it.
        _log(world, date(last_year, 12, 1))
        assert entries_changed_since(report) == 2

    def test_a_section_with_neither_words_nor_nothing_is_refused(self, world, cycle, last_year):
        report = services.report_get_or_start(trust=world.trust, year=last_year)
        words = every_section()
        words["induction"] = {"text": "", "nothing": False}
        services.report_save_draft(by=world.clm, report=report, narratives=words)
        with pytest.raises(ValidationError) as error:
            services.report_submit(by=world.clm, report=report)
        assert any("Leadership at Trust induction" in m for m in error.value.messages)
        report.refresh_from_db()
        assert report.status == ReportStatus.DRAFT and report.snapshot is None

    def test_nothing_this_year_over_logged_work_is_refused(self, world, cycle, last_year):
        _log(world, date(last_year, 9, 3), responsibility="forum")
        report = services.report_get_or_start(trust=world.trust, year=last_year)
        services.report_save_draft(by=world.clm, report=report, narratives=every_section())
        with pytest.raises(ValidationError) as error:
            services.report_submit(by=world.clm, report=report)
        assert any("1 activities are logged" in m for m in error.value.messages)

    def test_it_waits_for_the_window(self, world, written, last_year):
        report, _ = written
        ReportWindow.objects.filter(year=last_year).update(
            opens_on=timezone.localdate() + timedelta(days=3),
            due_on=timezone.localdate() + timedelta(days=30),
        )
        with pytest.raises(ValidationError, match="has not opened"):
            services.report_submit(by=world.clm, report=report)

    def test_a_submitted_report_cannot_be_changed(self, world, written):
        report, _ = written
        services.report_submit(by=world.clm, report=report)
        with pytest.raises(ValidationError, match="after the deanery returns it"):
            services.report_save_draft(by=world.clm, report=report, narratives={})
        with pytest.raises(ValidationError, match="already been submitted"):
            services.report_submit(by=world.clm, report=report)


class TestReturnAndAccept:
    def test_returned_with_a_reason_resubmitted_then_accepted(
        self, world, written, django_capture_on_commit_callbacks
    ):
        report, _ = written
        services.report_submit(by=world.clm, report=report)
        with pytest.raises(ValidationError):
            services.report_return(by=world.deanery, report=report, reason="  ")
        with pytest.raises(PermissionDenied):
            services.report_return(by=world.clm, report=report, reason="No")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.report_return(
                by=world.deanery, report=report, reason="Add the induction talk."
            )
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED
        assert report.return_reason == "Add the induction talk."
        assert [m.to for m in mail.outbox] == [[world.clm.email]]
        assert "Add the induction talk." in mail.outbox[0].body
        first = report.first_submitted_at
        services.report_submit(by=world.clm, report=report)
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED and report.first_submitted_at == first
        services.report_accept(by=world.deanery, report=report)
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED and report.accepted_by == world.deanery

    def test_a_draft_cannot_be_accepted_or_returned(self, world, written):
        report, _ = written
        with pytest.raises(ValidationError):
            services.report_accept(by=world.deanery, report=report)
        with pytest.raises(ValidationError):
            services.report_return(by=world.deanery, report=report, reason="Why")

    def test_only_deanery_staff_accept(self, world, written):
        report, _ = written
        services.report_submit(by=world.clm, report=report)
        for user in (world.clm, world.trust_admin, world.other_admin):
            with pytest.raises(PermissionDenied):
                services.report_accept(by=user, report=report)


@pytest.fixture
def merger(last_year):
    """Weston (RA3) merged into RA7 in April of last year, whose window is June to July."""
    successor = TrustFactory(ods_code="RA7", name="University Hospitals Bristol and Weston")
    merged = TrustFactory(
        ods_code="RA3",
        name="Weston Area Health NHS Trust",
        is_active=False,
        closed_on=date(last_year + 1, 4, 1),
        merged_into=successor,
    )
    ReportWindow.objects.create(
        year=last_year, opens_on=date(last_year + 1, 6, 1), due_on=date(last_year + 1, 7, 31)
    )
    return successor, merged


def _submitted(trust, year: int, when: datetime, status=ReportStatus.SUBMITTED) -> None:
    """A report of `trust` for `year` first submitted at `when` (a local time)."""
    when = timezone.make_aware(when)
    YearEndReport.objects.create(
        trust=trust,
        year=year,
        status=status,
        snapshot={"content": {}, "narratives": {}},
        submitted_at=when,
        first_submitted_at=when,
    )


class TestExpected:
    def test_a_trust_that_merged_during_the_year_is_not_expected(self, world, last_year, merger):
        successor, merged = merger
        gone_before = TrustFactory(
            ods_code="RBA", is_active=False, closed_on=date(last_year - 1, 4, 1)
        )
        on_time = datetime(last_year + 1, 7, 20, 12)
        late = datetime(last_year + 1, 8, 20, 12)
        for trust, when in ((world.trust, on_time), (successor, late), (merged, on_time)):
            _submitted(trust, last_year, when)
        overview = submissions_overview(year=last_year)
        # RK9, REF and RA7 are expected; Weston merged in April; RBA closed the year before.
        assert overview.expected == 3
        assert (overview.submitted, overview.on_time) == (2, 1)
        names = {row.trust.ods_code: row.expected for row in overview.rows}
        assert names == {"RK9": True, "REF": True, "RA7": True, "RA3": False}
        assert gone_before.ods_code not in names
        # The year before the merger, Weston was expected.
        assert submissions_overview(year=last_year - 1).expected == 4

    def test_the_overview_page_has_a_row_per_trust_with_its_clm_state_date_and_files(
        self, world, last_year, merger, deanery_client
    ):
        successor, merged = merger
        # A Trust that is not expected appears only with a report (here a draft begun before
        # its merger).
        YearEndReport.objects.create(trust=merged, year=last_year, status=ReportStatus.DRAFT)
        appointment_of(world.clm, world.trust, starts_on=date(last_year, 8, 1))
        _submitted(
            world.trust, last_year, datetime(last_year + 1, 7, 20, 12), ReportStatus.ACCEPTED
        )
        _submitted(successor, last_year, datetime(last_year + 1, 8, 31, 12))
        files = Generation.objects.create(
            kind="trust", year=last_year, trust=world.trust, status="done", queued_at=timezone.now()
        )
        Generation.objects.create(
            kind="trust",
            year=last_year,
            trust=successor,
            status="running",
            queued_at=timezone.now(),
        )
        page = deanery_client.get(reverse("reports:year_end", args=[last_year])).content.decode()
        rows = {
            ods: next(r for r in page.split('<tr class="nhsuk-table__row">') if f"/{ods}/" in r)
            for ods in ("RK9", "RA7", "RA3", "REF")
        }
        mine = rows["RK9"]
        assert "Chris Mentor" in mine and "Accepted" in mine and "(on time)" in mine
        assert f"20 Jul {last_year + 1}" in mine
        assert (
            f"/reports/files/{files.pk}/pdf/" in mine and f"/reports/files/{files.pk}/xlsx/" in mine
        )
        assert "Submitted" in rows["RA7"] and "(late)" in rows["RA7"] and "Running" in rows["RA7"]
        assert "(not expected: merged)" in rows["RA3"] and "Draft" in rows["RA3"]
        assert "Vacant" in rows["REF"] and "Not started" in rows["REF"]


class TestPages:
    def test_the_clm_writes_previews_and_submits_in_the_browser_flow(
        self, world, cycle, last_year, clm_client
    ):
        _log(world, date(last_year, 10, 1))
        edit = reverse("reports:edit_report", args=[last_year, "RK9"])
        page = clm_client.get(edit)
        assert page.status_code == 200
        assert "Logged this year: 1 activity, 1.5 hours" in page.content.decode()
        data = {f"nothing_{code}": "on" for code in every_section()}
        del data["nothing_safety_qi"]
        data["text_safety_qi"] = "QI clinic <b>monthly</b>"
        data["preview"] = "1"
        response = clm_client.post(edit, data)
        preview = reverse("reports:preview_report", args=[last_year, "RK9"])
        assert response.status_code == 302 and response["Location"] == preview
        content = clm_client.get(preview).content.decode()
        assert "QI clinic &lt;b&gt;monthly&lt;/b&gt;" in content
        assert "Submit the report to the deanery" in content
        response = clm_client.post(reverse("reports:submit_report", args=[last_year, "RK9"]))
        assert response.status_code == 302
        assert YearEndReport.objects.get().status == ReportStatus.SUBMITTED

    def test_both_text_and_nothing_is_a_form_error_and_saves_nothing(
        self, world, cycle, last_year, clm_client
    ):
        edit = reverse("reports:edit_report", args=[last_year, "RK9"])
        response = clm_client.post(edit, {"text_forum": "A forum", "nothing_forum": "on"})
        assert response.status_code == 400
        assert "either describe what was done or say there was nothing" in response.content.decode()
        assert not YearEndReport.objects.exists()

    def test_submitting_with_gaps_lists_them_and_changes_nothing(
        self, world, cycle, last_year, clm_client
    ):
        services.report_get_or_start(trust=world.trust, year=last_year)
        response = clm_client.post(
            reverse("reports:submit_report", args=[last_year, "RK9"]), follow=True
        )
        assert "write what was done, or say there was nothing" in response.content.decode()
        assert YearEndReport.objects.get().status == ReportStatus.DRAFT

    def test_the_deanery_must_give_a_reason_to_return(self, world, written, deanery_client):
        report, _ = written
        services.report_submit(by=world.clm, report=report)
        url = reverse("reports:return_report", args=[report.year, "RK9"])
        assert deanery_client.post(url, {"reason": ""}).status_code == 400
        assert deanery_client.post(url, {"reason": "Add the forum."}).status_code == 302
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED

    def test_the_report_page_shows_the_changed_count(self, world, written, clm_client, last_year):
        report, entry = written
        services.report_submit(by=world.clm, report=report)
        activity_update(activity=entry, by=world.clm, date=entry.date, minutes=30)
        content = clm_client.get(reverse("reports:report", args=[last_year, "RK9"])).content
        assert "1 entry has been added, changed or removed since it was submitted" in (
            content.decode()
        )

    def test_the_overview_counts_against_the_expected_trusts(self, world, written, deanery_client):
        report, _ = written
        services.report_submit(by=world.clm, report=report)
        content = deanery_client.get(reverse("reports:year_end", args=[report.year])).content
        assert "<strong>1 of 2</strong> expected Trusts have submitted, 0 on time" in (
            content.decode()
        )

    @pytest.mark.parametrize("extra", [0, 18])
    def test_the_overview_runs_a_fixed_number_of_queries(
        self, world, last_year, deanery_client, extra, django_assert_max_num_queries
    ):
        for _ in range(extra):
            trust = TrustFactory()
            person(Role.CLM, trust)
        with django_assert_max_num_queries(14):
            page = deanery_client.get(reverse("reports:year_end", args=[last_year]))
        assert page.status_code == 200


class TestHome:
    def test_the_clm_home_asks_for_an_open_report_until_it_is_submitted(
        self, world, written, clm_client, trust_admin_client, other_trust_clm_client
    ):
        report, _ = written
        label = report.label
        assert f"Year-end report {label}" in clm_client.get("/").content.decode()
        assert f"Year-end report {label}" in trust_admin_client.get("/").content.decode()
        # The other Trust's CLM is asked for their own Trust's report, not this one's.
        other = other_trust_clm_client.get("/").content.decode()
        assert "/reports/year-end/" in other and "/RK9/" not in other
        services.report_submit(by=world.clm, report=report)
        assert f"Year-end report {label}" not in clm_client.get("/").content.decode()


@pytest.mark.parametrize("entries", [1, 40])
def test_the_report_page_runs_a_fixed_number_of_queries(
    world, cycle, last_year, clm_client, entries, django_assert_max_num_queries
):
    from ..factories import ActivityFactory

    for n in range(entries):
        activity = ActivityFactory(
            appointment=cycle,
            date=date(last_year, 9, 1) + timedelta(days=n),
            responsibility=["forum", "safety_qi", "induction"][n % 3],
        )
        activity.trainees.set([world.trainee])
    with django_assert_max_num_queries(28):
        page = clm_client.get(reverse("reports:report", args=[last_year, "RK9"]))
    assert page.status_code == 200
    assert f"{entries} entr" in page.content.decode()
