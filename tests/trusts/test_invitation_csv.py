"""Inviting people from a CSV file: everyone in the file, or no one, with every problem named."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clm_portal.csvimport import CSVImportError
from trusts.models import Invitation, Role
from trusts.services import invitations_import_csv

from ..factories import InvitationFactory, person

HEADER = "name,email,role,grade,specialty,gmc_number"
GOOD_ROWS = [
    "Ada Lovelace,ada@example.com,trainee,F2,medical,1234567",
    "Ben Baker,ben@example.com,supervisor,,surgical,2345678",
    "Cleo Carter,cleo@example.com,trainee,ST4,anaesthetics,3456789",
]


def csv_file(*lines: str, encoding: str = "utf-8", bom: bool = False) -> SimpleUploadedFile:
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile("people.csv", data, content_type="text/csv")


def import_errors(world, *lines: str, by=None) -> list[tuple[int | None, str, str]]:
    with pytest.raises(CSVImportError) as caught:
        invitations_import_csv(
            invited_by=by or world.trust_admin, trust=world.trust, upload=csv_file(*lines)
        )
    return [(e.row, e.column, e.message) for e in caught.value.errors]


@pytest.mark.django_db
class TestInvitationsImportCsv:
    def test_it_creates_an_invitation_for_every_row(self, world):
        created = invitations_import_csv(
            invited_by=world.trust_admin, trust=world.trust, upload=csv_file(HEADER, *GOOD_ROWS)
        )
        assert sorted(i.email for i in created) == [
            "ada@example.com",
            "ben@example.com",
            "cleo@example.com",
        ]
        ada = Invitation.objects.get(email="ada@example.com")
        assert (ada.role, ada.trust, ada.grade, ada.specialty, ada.gmc_number) == (
            Role.TRAINEE,
            world.trust,
            "F2",
            "medical",
            "1234567",
        )
        assert ada.invited_by == world.trust_admin

    def test_it_emails_each_invitation_once_the_file_is_saved(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitations_import_csv(
                invited_by=world.trust_admin,
                trust=world.trust,
                upload=csv_file(HEADER, *GOOD_ROWS),
            )
        assert sorted(m.to[0] for m in mail.outbox) == [
            "ada@example.com",
            "ben@example.com",
            "cleo@example.com",
        ]
        assert Invitation.objects.filter(sent_at__isnull=True).count() == 0

    def test_one_bad_row_saves_no_invitation_and_sends_no_email(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(CSVImportError):
                invitations_import_csv(
                    invited_by=world.trust_admin,
                    trust=world.trust,
                    upload=csv_file(
                        HEADER, GOOD_ROWS[0], "Bad Row,not-an-email,trainee,F1,medical,4567890"
                    ),
                )
        assert Invitation.objects.count() == 0
        assert callbacks == []
        assert mail.outbox == []

    def test_it_names_the_row_and_column_as_a_spreadsheet_numbers_them(self, world):
        errors = import_errors(
            world, HEADER, GOOD_ROWS[0], "Dan Davies,dan@example.com,trainee,F1,medical,12345"
        )
        assert errors == [
            (3, "gmc_number", "Enter a GMC number of exactly 7 digits, like 1234567.")
        ]

    def test_it_reports_every_bad_row(self, world):
        errors = import_errors(
            world,
            HEADER,
            "Dan Davies,dan@example,trainee,F1,medical,1234567",
            GOOD_ROWS[1],
            "Eve Evans,eve@example.com,trainee,F9,medical,7654321",
            ",fay@example.com,supervisor,,,",
        )
        assert [(row, column) for row, column, _ in errors] == [
            (2, "email"),
            (4, "grade"),
            (5, "name"),
        ]
        assert "'F9' is not a grade code" in errors[1][2]

    def test_a_trainee_row_needs_grade_specialty_and_gmc_number(self, world):
        errors = import_errors(world, HEADER, "Dan Davies,dan@example.com,trainee,,,")
        assert [(row, column) for row, column, _ in errors] == [
            (2, "gmc_number"),
            (2, "grade"),
            (2, "specialty"),
        ]

    def test_an_already_saved_good_row_is_undone_when_a_later_row_fails(self, world):
        member = person(Role.SUPERVISOR, world.trust, email="sue@example.com")
        errors = import_errors(
            world, HEADER, GOOD_ROWS[0], f"Sue Smith,{member.email},supervisor,,medical,"
        )
        assert errors == [
            (
                3,
                "email",
                "sue@example.com is already an educational supervisor in "
                "University Hospitals Plymouth NHS Trust.",
            )
        ]
        assert Invitation.objects.count() == 0

    def test_it_refuses_an_unknown_column(self, world):
        errors = import_errors(world, "name,email,role,phone", "Ada,ada@example.com,trainee,0123")
        assert [(row, column) for row, column, _ in errors] == [(1, "phone")]
        assert errors[0][2].startswith("Unknown column.")

    def test_it_refuses_a_file_without_a_required_column(self, world):
        errors = import_errors(world, "name,email", "Ada,ada@example.com")
        assert errors == [(1, "role", "This column is missing from the header row.")]

    def test_it_refuses_a_column_given_twice(self, world):
        errors = import_errors(
            world, "name,email,role,email", "Ada,ada@example.com,supervisor,ada@example.com"
        )
        assert errors == [(1, "email", "This column appears more than once.")]

    def test_it_refuses_a_file_that_is_not_utf8(self, world):
        upload = csv_file(HEADER, "Zoë Ångström,zoe@example.com,supervisor,,,", encoding="cp1252")
        with pytest.raises(CSVImportError) as caught:
            invitations_import_csv(invited_by=world.trust_admin, trust=world.trust, upload=upload)
        assert [str(e) for e in caught.value.errors] == [
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ]

    def test_it_refuses_an_empty_file(self, world):
        upload = SimpleUploadedFile("people.csv", b"", content_type="text/csv")
        with pytest.raises(CSVImportError) as caught:
            invitations_import_csv(invited_by=world.trust_admin, trust=world.trust, upload=upload)
        assert [str(e) for e in caught.value.errors] == ["The file is empty."]

    def test_it_refuses_a_header_without_rows(self, world):
        errors = import_errors(world, HEADER)
        assert errors == [(None, "", "The file has a header row but no data rows.")]

    def test_it_refuses_a_row_longer_than_the_header(self, world):
        errors = import_errors(world, "name,email,role", "Ada,ada@example.com,supervisor,extra")
        assert errors == [(2, "", "This row has 4 cells but the header has 3 columns.")]

    def test_it_refuses_the_same_email_and_role_twice_in_the_file(self, world):
        errors = import_errors(
            world,
            HEADER,
            GOOD_ROWS[1],
            GOOD_ROWS[0],
            "Ben Baker,BEN@example.com,supervisor,,surgical,",
        )
        assert errors == [(4, "email", "Repeats row 2 (same email and role).")]

    def test_it_allows_one_email_in_two_roles(self, world):
        created = invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=csv_file(
                "name,email,role",
                "Ben Baker,ben@example.com,supervisor",
                "Ben Baker,ben@example.com,clm",
            ),
        )
        assert sorted(i.role for i in created) == [Role.CLM, Role.SUPERVISOR]

    def test_it_refuses_an_email_already_a_member_in_that_role(self, world):
        errors = import_errors(
            world, "name,email,role", f"Chris Mentor,{world.clm.email.upper()},clm"
        )
        assert errors == [
            (
                2,
                "email",
                f"{world.clm.email} is already a clinical leadership mentor in "
                "University Hospitals Plymouth NHS Trust.",
            )
        ]

    def test_it_refuses_an_email_with_a_pending_invitation(self, world):
        InvitationFactory(trust=world.trust, email="ada@example.com", role=Role.TRAINEE)
        errors = import_errors(world, HEADER, GOOD_ROWS[0])
        assert errors == [
            (2, "email", "ada@example.com already has a pending invitation as a trainee here.")
        ]

    def test_it_refuses_a_gmc_number_that_belongs_to_someone_else(self, world):
        gmc = world.trainee.trainee_profile.gmc_number
        errors = import_errors(
            world, HEADER, f"Ada Lovelace,ada@example.com,trainee,F2,medical,{gmc}"
        )
        assert errors == [
            (2, "gmc_number", "This GMC number belongs to someone else in the portal.")
        ]

    def test_it_refuses_one_gmc_number_for_two_people_in_the_file(self, world):
        errors = import_errors(
            world,
            HEADER,
            GOOD_ROWS[0],
            "Dan Davies,dan@example.com,trainee,F1,medical,1234567",
        )
        assert errors == [
            (3, "gmc_number", "This GMC number is in a pending invitation for someone else.")
        ]

    def test_a_clm_cannot_invite_a_trust_administrator(self, world):
        errors = import_errors(
            world, "name,email,role", "Ada Lovelace,ada@example.com,trust_admin", by=world.clm
        )
        assert errors == [(2, "role", "'trust_admin' is not a role you can invite here.")]

    def test_a_clm_can_invite_trainees_and_supervisors(self, world):
        created = invitations_import_csv(
            invited_by=world.clm, trust=world.trust, upload=csv_file(HEADER, *GOOD_ROWS)
        )
        assert len(created) == 3

    def test_a_trust_administrator_can_invite_every_trust_role(self, world):
        created = invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=csv_file(
                HEADER,
                GOOD_ROWS[0],
                GOOD_ROWS[1],
                "Cleo Carter,cleo@example.com,clm,,,",
                "Dan Davies,dan@example.com,trust_admin,,,",
            ),
        )
        assert sorted(i.role for i in created) == sorted(
            [Role.TRAINEE, Role.SUPERVISOR, Role.CLM, Role.TRUST_ADMIN]
        )

    def test_another_trusts_staff_cannot_invite_to_this_trust(self, world):
        with pytest.raises(PermissionDenied):
            invitations_import_csv(
                invited_by=world.other_admin, trust=world.trust, upload=csv_file(HEADER, *GOOD_ROWS)
            )
        assert Invitation.objects.count() == 0

    def test_it_reads_utf8_with_a_byte_order_mark(self, world):
        upload = csv_file(HEADER, "Zoë Ångström,zoe@example.com,supervisor,,,", bom=True)
        created = invitations_import_csv(
            invited_by=world.trust_admin, trust=world.trust, upload=upload
        )
        assert [(i.name, i.email) for i in created] == [("Zoë Ångström", "zoe@example.com")]

    def test_it_accepts_columns_in_any_order_and_without_the_optional_ones(self, world):
        created = invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=csv_file("role, email ,name", "supervisor,ben@example.com,Ben Baker"),
        )
        assert [(i.name, i.email, i.role) for i in created] == [
            ("Ben Baker", "ben@example.com", Role.SUPERVISOR)
        ]


@pytest.mark.django_db
class TestInviteUploadView:
    url = reverse("trusts:invite_upload")

    def test_it_invites_everyone_in_a_good_file(
        self, world, trust_admin_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = trust_admin_client.post(self.url, {"file": csv_file(HEADER, *GOOD_ROWS)})
        assert response.status_code == 302
        assert response["Location"] == reverse("trusts:invitations")
        assert Invitation.objects.filter(trust=world.trust).count() == 3
        assert len(mail.outbox) == 3

    def test_it_lists_every_problem_and_saves_nothing(self, world, trust_admin_client):
        response = trust_admin_client.post(
            self.url,
            {
                "file": csv_file(
                    HEADER,
                    GOOD_ROWS[0],
                    "Dan Davies,dan@example,trainee,F1,medical,1234568",
                    "Eve Evans,eve@example.com,trainee,F1,medical,123",
                )
            },
        )
        assert response.status_code == 400
        assert Invitation.objects.count() == 0
        assert [(e.row, e.column) for e in response.context["csv_refused"].errors] == [
            (3, "email"),
            (4, "gmc_number"),
        ]
        html = response.content.decode()
        assert "The file has 2 problems. Nothing was saved." in html
        assert "Enter a GMC number of exactly 7 digits, like 1234567." in html

    def test_a_clm_uploading_a_trust_administrator_gets_the_error(self, world, clm_client):
        response = clm_client.post(
            self.url, {"file": csv_file("name,email,role", "Ada,ada@example.com,trust_admin")}
        )
        assert response.status_code == 400
        assert "&#x27;trust_admin&#x27; is not a role you can invite here." in (
            response.content.decode()
        )
        assert Invitation.objects.count() == 0

    def test_a_file_that_is_not_utf8_is_a_400(self, world, trust_admin_client):
        response = trust_admin_client.post(
            self.url,
            {"file": csv_file(HEADER, "Zoë,zoe@example.com,supervisor,,,", encoding="cp1252")},
        )
        assert response.status_code == 400
        assert "is not UTF-8 text" in response.content.decode()

    def test_it_shows_the_roles_the_reader_may_invite(self, world, clm_client):
        response = clm_client.get(self.url)
        assert response.context["roles"] == [Role.TRAINEE, Role.SUPERVISOR]

    def test_deanery_staff_choose_a_trust_first(self, world, deanery_client):
        response = deanery_client.get(self.url)
        assert [t.ods_code for t in response.context["trusts"]] == ["REF", "RK9"]

    def test_deanery_staff_can_upload_to_a_chosen_trust(self, world, deanery_client):
        response = deanery_client.post(
            f"{self.url}?trust={world.other_trust.ods_code}",
            {"file": csv_file(HEADER, GOOD_ROWS[1])},
        )
        assert response.status_code == 302
        assert Invitation.objects.get().trust == world.other_trust

    def test_another_trusts_ods_code_is_404(self, world, clm_client):
        response = clm_client.get(f"{self.url}?trust={world.other_trust.ods_code}")
        assert response.status_code == 404


@pytest.mark.django_db
class TestInvitationUploadBounds:
    """The invitation upload shares the bounded reading and the error template (issue 6)."""

    def test_a_file_of_malformed_rows_lists_a_hundred_and_counts_the_rest(
        self, world, trust_admin_client
    ):
        bad = ["a,b,c,d,e,f,g,h"] * 400
        response = trust_admin_client.post(
            reverse("trusts:invite_upload"), {"file": csv_file(HEADER, *bad)}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "The file has 400 problems. Nothing was saved." in html
        assert "and 300 more problems." in html
        assert len(response.context["csv_refused"].errors) == 100
        assert Invitation.objects.count() == 0
        assert len(mail.outbox) == 0

    def test_the_header_is_read_in_any_case(self, world):
        invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=csv_file("Name,EMAIL,Role", "Ada Lovelace,ada@example.com,supervisor"),
        )
        assert Invitation.objects.get().email == "ada@example.com"

    def test_the_template_downloads_and_is_linked_from_the_upload_page(
        self, world, trust_admin_client
    ):
        response = trust_admin_client.get(reverse("trusts:invite_template"))
        assert response["Content-Disposition"] == 'attachment; filename="invitations-template.csv"'
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "name,email,role,grade,specialty,gmc_number"
        assert len(lines) == 2
        page = trust_admin_client.get(reverse("trusts:invite_upload")).content.decode()
        assert reverse("trusts:invite_template") in page

    def test_the_template_imports_as_it_is(self, world, trust_admin_client):
        content = trust_admin_client.get(reverse("trusts:invite_template")).content
        created = invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=SimpleUploadedFile("t.csv", content, content_type="text/csv"),
        )
        assert len(created) == 1

    def test_the_role_is_read_as_its_label_or_code_in_any_case(self, world):
        invitations_import_csv(
            invited_by=world.trust_admin,
            trust=world.trust,
            upload=csv_file(
                "name,email,role",
                "Ada Lovelace,ada@example.com,Educational supervisor",
                "Ben Byron,ben@example.com,SUPERVISOR",
            ),
        )
        assert set(Invitation.objects.values_list("role", flat=True)) == {Role.SUPERVISOR}
        assert Invitation.objects.count() == 2
