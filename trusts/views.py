from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from clm_portal.csvimport import handle_upload, template_response
from clm_portal.forms import add_service_errors
from clm_portal.permissions import (
    TRUST_STAFF,
    invitable_roles,
    is_deanery,
    role_required,
    trust_ids_in_scope,
)

from . import services
from .adapters import SESSION_KEY
from .filters import PeopleFilter
from .forms import (
    AcceptInvitationForm,
    InvitationForm,
    NameForm,
    PlacementForm,
    SupervisorProfileForm,
    TraineeProfileForm,
)
from .models import TRUST_ROLES, Role, Trust, User, a_role
from .selectors import (
    account_for_email,
    invitation_by_token,
    invitations_for_person,
    invitations_visible_to,
    latest_removal_by,
    memberships_in_scope,
    people_visible_to,
    person_history,
    trainees_supervised_by,
    trust_leads,
    trust_role_counts,
    trusts_visible_to,
    trusts_with_clms_visible_to,
)
from .tables import InvitationTable, PeopleTable, TrustTable

STAFF_AND_DEANERY = (*TRUST_STAFF, Role.DEANERY)


def _invite_trusts(user: User):
    """The Trusts `user` may invite people to."""
    return trusts_visible_to(user=user)


# --- Trusts ---------------------------------------------------------------------------------


@role_required(*STAFF_AND_DEANERY)
def trust_list(request: HttpRequest) -> HttpResponse:
    table = TrustTable(trusts_with_clms_visible_to(user=request.user), caption="Trusts")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "trusts/trust_list.html", {"table": table})


@role_required(*STAFF_AND_DEANERY)
def trust_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    trust = get_object_or_404(trusts_visible_to(user=request.user), ods_code=ods_code)
    counts = trust_role_counts(trust=trust)
    return render(
        request,
        "trusts/trust_detail.html",
        {
            "trust": trust,
            "sites": trust.sites.all(),
            "role_counts": [(Role(r).label, counts[r]) for r in TRUST_ROLES],
            "leads": trust_leads(trust=trust),
        },
    )


# --- People ---------------------------------------------------------------------------------


@role_required(*STAFF_AND_DEANERY)
def people(request: HttpRequest) -> HttpResponse:
    people_filter = PeopleFilter(
        request.GET, queryset=people_visible_to(user=request.user), user=request.user
    )
    table = PeopleTable(people_filter.qs, caption="People")
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "trusts/people.html",
        {"filter": people_filter, "table": table, "undo": _undo_offer(request)},
    )


@role_required(*STAFF_AND_DEANERY)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(people_visible_to(user=request.user), pk=pk)
    memberships = subject.scoped_memberships
    removable = {
        m.pk
        for m in memberships
        if request.user.has_perm("trusts.remove_membership", m)
        and not (m.user_id == request.user.pk and m.role in (Role.TRUST_ADMIN, Role.DEANERY))
    }
    placement = next((m for m in memberships if m.role == Role.TRAINEE), None)
    return render(
        request,
        "trusts/person.html",
        {
            "subject": subject,
            "memberships": memberships,
            "removable": removable,
            "placement": placement,
            "can_edit_placement": placement is not None
            and request.user.has_perm("trusts.edit_placement", placement),
            "trainee_profile": getattr(subject, "trainee_profile", None),
            "supervisor_profile": getattr(subject, "supervisor_profile", None),
            "invitations": invitations_for_person(user=request.user, person=subject),
            "undo": _undo_offer(request),
        },
    )


@role_required(*STAFF_AND_DEANERY)
def person_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(people_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "trusts/person_history.html",
        {"subject": subject, "entries": person_history(person=subject, viewer=request.user)},
    )


@role_required(*TRUST_STAFF)
def edit_placement(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(people_visible_to(user=request.user), pk=pk)
    placement = next((m for m in subject.scoped_memberships if m.role == Role.TRAINEE), None)
    if placement is None or not request.user.has_perm("trusts.edit_placement", placement):
        raise PermissionDenied
    profile = getattr(subject, "trainee_profile", None)
    initial = {
        "starts_on": placement.starts_on,
        "ends_on": placement.ends_on,
        "educational_supervisor": profile.educational_supervisor_id if profile else None,
    }
    form = PlacementForm(request.POST or None, initial=initial, trust=placement.trust)
    if request.method == "POST" and form.is_valid():
        services.trainee_placement_update(
            membership=placement,
            by=request.user,
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            educational_supervisor=form.cleaned_data["educational_supervisor"],
        )
        messages.success(request, "Placement details saved.")
        return redirect("trusts:person", pk=subject.pk)
    return render(
        request,
        "trusts/edit_placement.html",
        {"subject": subject, "placement": placement, "form": form},
    )


UNDO_SESSION_KEY = "undo_role_removal"


@role_required(*STAFF_AND_DEANERY)
def remove_membership(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST takes the role away and offers to undo it."""
    membership = get_object_or_404(memberships_in_scope(user=request.user), pk=pk)
    if not request.user.has_perm("trusts.remove_membership", membership):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "trusts/remove_membership.html", {"membership": membership})
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("trusts:person", pk=membership.user_id)
    messages.success(request, f"{membership.user} is no longer {a_role(membership.role)} here.")
    removal = latest_removal_by(user=request.user, membership_id=pk)
    if removal is not None:
        request.session[UNDO_SESSION_KEY] = {
            "id": removal.history_id,
            "what": f"{membership.user}: {membership.get_role_display().lower()}",
        }
    # Their last role here takes them out of the reader's scope, and their page with it.
    if not people_visible_to(user=request.user).filter(pk=membership.user_id).exists():
        return redirect("trusts:people")
    return redirect("trusts:person", pk=membership.user_id)


@role_required(*STAFF_AND_DEANERY)
@require_POST
def restore_membership(request: HttpRequest, removal_id: int) -> HttpResponse:
    """Undo a role removal the same person made in the last 15 minutes."""
    try:
        restored = services.membership_restore(removal_id=removal_id, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("trusts:people")
    request.session.pop(UNDO_SESSION_KEY, None)
    messages.success(request, f"Undone: {restored.user} is {a_role(restored.role)} here again.")
    return redirect("trusts:person", pk=restored.user_id)


def _undo_offer(request: HttpRequest) -> dict | None:
    """The removal this person may still undo, shown once on the page after removing."""
    return request.session.pop(UNDO_SESSION_KEY, None)


# --- Invitations ----------------------------------------------------------------------------


REGION = "region"


def _chosen_trust(request: HttpRequest) -> Trust | str | None:
    """Where to invite to: ?trust=ODS, ?trust=region (deanery), or the reader's only Trust."""
    trusts = _invite_trusts(request.user)
    ods = request.GET.get("trust")
    if ods == REGION and is_deanery(request.user):
        return REGION
    if ods:
        return get_object_or_404(trusts, ods_code=ods)
    scope = trust_ids_in_scope(request.user, *TRUST_STAFF)
    if scope is not None and len(scope) == 1:
        return trusts.get()
    return None


def _choose_trust(request: HttpRequest, next_name: str, *, allow_region: bool) -> HttpResponse:
    return render(
        request,
        "trusts/choose_trust.html",
        {
            "trusts": _invite_trusts(request.user),
            "next_url": reverse(next_name),
            "allow_region": allow_region and is_deanery(request.user),
        },
    )


@role_required(*STAFF_AND_DEANERY)
def invite(request: HttpRequest) -> HttpResponse:
    chosen = _chosen_trust(request)
    if chosen is None:
        return _choose_trust(request, "trusts:invite", allow_region=True)
    trust = None if chosen == REGION else chosen
    roles = invitable_roles(request.user, trust)
    if not roles:
        raise PermissionDenied
    form = InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                invited_by=request.user, trust=trust, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Invitation sent to {invitation.email}. It is valid for 14 days."
            )
            return redirect("trusts:invitations")
    return render(
        request,
        "trusts/invite.html",
        {"form": form, "trust": trust},
    )


@role_required(*STAFF_AND_DEANERY)
def invite_upload(request: HttpRequest) -> HttpResponse:
    trust = _chosen_trust(request)
    if not isinstance(trust, Trust):
        return _choose_trust(request, "trusts:invite_upload", allow_region=False)
    if not invitable_roles(request.user, trust):
        raise PermissionDenied
    upload = handle_upload(
        request,
        lambda file: services.invitations_import_csv(
            invited_by=request.user, trust=trust, upload=file
        ),
    )
    if upload.done:
        messages.success(request, f"{len(upload.result)} invitations sent.")
        return redirect("trusts:invitations")
    return render(
        request,
        "trusts/invite_upload.html",
        {**upload.context(), "trust": trust, "roles": invitable_roles(request.user, trust)},
        status=upload.status,
    )


@role_required(*STAFF_AND_DEANERY)
def invite_template(request: HttpRequest) -> HttpResponse:
    """A CSV file to fill in: the invitation columns and one example row."""
    return template_response(
        "invitations-template.csv", services.INVITATION_COLUMNS, services.INVITATION_EXAMPLE
    )


@role_required(*STAFF_AND_DEANERY)
def invitations(request: HttpRequest) -> HttpResponse:
    table = InvitationTable(invitations_visible_to(user=request.user), caption="Invitations")
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "trusts/invitations.html", {"table": table})


@role_required(*STAFF_AND_DEANERY)
@require_POST
def resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitations_visible_to(user=request.user), pk=pk)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("trusts:invitations")


@role_required(*STAFF_AND_DEANERY)
@require_POST
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitations_visible_to(user=request.user), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect("trusts:invitations")


@login_not_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: set a password (or use SSO) and join the Trust."""
    invitation = invitation_by_token(token=token)
    if invitation is None:
        raise Http404
    context = {"invitation": invitation}
    if not invitation.is_pending:
        return render(request, "trusts/invitation_unusable.html", context, status=410)

    existing = account_for_email(email=invitation.email)
    signed_in = request.user.is_authenticated
    if signed_in and (existing is None or request.user.pk != existing.pk):
        # Someone else is signed in on this browser: the invitation is not theirs.
        return render(request, "trusts/accept_signed_in_as_other.html", context, status=403)
    if existing:
        if not signed_in:
            context["login_url"] = f"{reverse('account_login')}?next={request.path}"
            return render(request, "trusts/accept_sign_in.html", context)
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, "Invitation accepted: your new role is on your home page."
                )
                return redirect("home")
        return render(request, "trusts/accept_existing.html", context)

    # Kept for sign-in through SSO, whose adapter accepts the invitation on sign-up.
    request.session[SESSION_KEY] = invitation.token_digest
    form = AcceptInvitationForm(
        request.POST or None, initial={"name": invitation.name}, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = services.invitation_accept(
                    invitation=invitation,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to the CLM Portal. Your account is ready.")
            return redirect("home")
    context["form"] = form
    return render(request, "trusts/accept_invitation.html", context)


# --- The signed-in person's own pages --------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    trainee_profile = getattr(user, "trainee_profile", None)
    supervisor_profile = getattr(user, "supervisor_profile", None)
    data = request.POST or None
    forms_ = {"name": NameForm(data, instance=user, prefix="account")}
    if trainee_profile:
        forms_["trainee"] = TraineeProfileForm(data, instance=trainee_profile, prefix="trainee")
    if supervisor_profile:
        forms_["supervisor"] = SupervisorProfileForm(
            data, instance=supervisor_profile, prefix="supervisor"
        )
    if request.method == "POST" and all(f.is_valid() for f in forms_.values()):
        try:
            services.profile_update(
                user=user,
                by=user,
                name=forms_["name"].cleaned_data["name"],
                trainee=forms_["trainee"].cleaned_data if "trainee" in forms_ else None,
                supervisor=forms_["supervisor"].cleaned_data if "supervisor" in forms_ else None,
            )
        except ValidationError as error:
            # The GMC number rule: shown on whichever form's number is taken.
            for key in ("trainee", "supervisor"):
                if key in forms_ and "gmc_number" in forms_[key].changed_data:
                    add_service_errors(forms_[key], error)
                    break
            else:
                add_service_errors(forms_["name"], error)
        else:
            messages.success(request, "Your details are saved.")
            return redirect("trusts:profile")
    errors = [e for f in forms_.values() for e in f.errors.values()]
    return render(
        request,
        "trusts/profile.html",
        {
            "forms": forms_,
            "has_errors": bool(errors),
            "memberships": user.role_memberships,
            "trainee_profile": trainee_profile,
        },
    )


@role_required(Role.SUPERVISOR)
def my_trainees(request: HttpRequest) -> HttpResponse:
    return render(
        request, "trusts/my_trainees.html", {"trainees": trainees_supervised_by(user=request.user)}
    )
