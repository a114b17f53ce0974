import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from .models import Invitation, Trust, User


def send_failure_text(invitation: Invitation) -> str:
    """'3 attempts, last error …' for an invitation whose email keeps failing."""
    attempts = invitation.send_attempts
    return (
        f"{attempts} attempt{'s' if attempts != 1 else ''}, "
        f"last error: {invitation.last_send_error or 'unknown'}"
    )


class NHSTable(tables.Table):
    """A table rendered in NHS.UK markup; `caption` names it for assistive technology."""

    caption = ""

    def __init__(self, *args, caption: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if caption:
            self.caption = caption


def _roles_html(memberships) -> str:
    return format_html_join(
        "",
        '<span class="nhsuk-u-display-block">{}{}</span>',
        (
            (m.get_role_display(), f", {m.trust.name}" if m.trust_id else ", region")
            for m in memberships
        ),
    )


class PeopleTable(NHSTable):
    name = tables.Column(verbose_name="Name", linkify=("trusts:person", {"pk": tables.A("pk")}))
    email = tables.Column(verbose_name="Email")
    # Not User.roles: that reads all of the person's roles, one query a row, in every Trust.
    roles = tables.Column(
        verbose_name="Roles", accessor="scoped_memberships", empty_values=(), orderable=False
    )
    grade = tables.Column(verbose_name="Grade", accessor="trainee_profile__grade", orderable=False)

    class Meta:
        model = User
        fields = ("name", "email", "roles", "grade")
        order_by = ("name",)
        empty_text = "No one matches."

    def render_roles(self, record) -> str:
        return _roles_html(record.scoped_memberships)


class TrustTable(NHSTable):
    name = tables.Column(
        verbose_name="Trust", linkify=("trusts:detail", {"ods_code": tables.A("ods_code")})
    )
    ods_code = tables.Column(verbose_name="ODS code")
    kind = tables.Column(verbose_name="Kind")
    trainee_count = tables.Column(
        verbose_name="Trainees", attrs={"td": {"class": "nhsuk-table__cell--numeric"}}
    )
    clms = tables.Column(verbose_name="CLM", empty_values=(), orderable=False)

    class Meta:
        model = Trust
        fields = ("name", "ods_code", "kind", "trainee_count", "clms")
        order_by = ("name",)

    def render_clms(self, record) -> str:
        names = [m.user.name for m in record.clm_memberships]
        return (
            ", ".join(names)
            if names
            else format_html('<strong class="nhsuk-tag nhsuk-tag--orange">{}</strong>', "Vacant")
        )


class InvitationTable(NHSTable):
    name = tables.Column(verbose_name="Name")
    email = tables.Column(verbose_name="Email")
    role = tables.Column(verbose_name="Role")
    trust = tables.Column(verbose_name="Trust", accessor="trust__name", default="Region")
    created_at = tables.DateColumn(format="j M Y", verbose_name="Invited")
    status = tables.Column(verbose_name="Status", empty_values=(), orderable=False)
    actions = tables.TemplateColumn(
        template_name="trusts/invitation_actions.html", verbose_name="Actions", orderable=False
    )

    class Meta:
        model = Invitation
        fields = ("name", "email", "role", "trust", "created_at", "status", "actions")
        order_by = ("-created_at",)
        empty_text = "No invitations yet."

    def render_status(self, record) -> str:
        if record.send_failing:
            return format_html(
                '<strong class="nhsuk-tag nhsuk-tag--red">{}</strong> {}',
                "Not sent yet",
                send_failure_text(record),
            )
        colour = {
            Invitation.Status.PENDING: "blue",
            Invitation.Status.ACCEPTED: "green",
            Invitation.Status.REVOKED: "grey",
            Invitation.Status.EXPIRED: "orange",
        }[record.status]
        return format_html(
            '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
            colour,
            record.get_status_display(),
        )
