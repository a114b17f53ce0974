import asyncio
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from health_check.views import HealthCheckView

from trusts.models import Role

from .home_parts import home_parts_for
from .navigation import parts_for
from .selectors import staff_summary


def redis_client():
    from redis.asyncio import Redis

    return Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=1)


logger = logging.getLogger(__name__)


class HealthzView(HealthCheckView):
    """Whether each dependency works, and nothing more: no host, address or error text.

    Anyone can reach /healthz (the load balancer, the container's HEALTHCHECK), so the
    details of a failure go to the log only. 200 when all work, 500 otherwise; JSON with
    ?format=json or an Accept of application/json, plain text otherwise.
    """

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        report = {}
        for result in self.results:
            name = type(result.check).__name__
            if result.error:
                logger.warning("Health check %s failed: %s", name, result.error)
            report[name] = "unavailable" if result.error else "working"
        status = 500 if any(result.error for result in self.results) else 200
        wants_json = request.GET.get("format") == "json" or (
            "format" not in request.GET and "json" in request.headers.get("accept", "")
        )
        if wants_json:
            return JsonResponse(report, status=status)
        text = "".join(f"{name}: {state}\n" for name, state in report.items())
        return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page for visitors; each role's own home page once signed in."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home/start.html")
    role = user.primary_role
    context = {"role": role, "parts": parts_for(user), "memberships": user.role_memberships}
    if role in (Role.TRUST_ADMIN, Role.CLM, Role.DEANERY):
        context.update(staff_summary(user=user))
    if role == Role.TRAINEE:
        context["trainee_profile"] = getattr(user, "trainee_profile", None)
        context["placement"] = next(
            (m for m in user.role_memberships if m.role == Role.TRAINEE), None
        )
    # What the feature apps add to a role's home page (registered in their AppConfig.ready, so
    # this module imports none of them).
    for part in home_parts_for(role):
        context.update(part(request))
    if role == Role.CLM:
        context.update(_clm_home(request))
    return render(request, f"home/{role or 'no_role'}.html", context)


def _clm_home(request: HttpRequest) -> dict:
    """The quick-log form and this week's hours against the allocation.

    When the quick form was refused, mentors' `log_activity` shows this page again with that
    form (`request.quick_log_form`), so its errors stay here rather than on the long form.
    """
    from mentors.forms import ActivityForm
    from mentors.selectors import activities_visible_to, appointment_for, week_summary

    appointment = appointment_for(user=request.user)
    if appointment is None:
        return {"appointment": None}
    last = None
    if last_id := request.session.get("last_activity_id"):
        last = activities_visible_to(user=request.user).filter(pk=last_id).first()
    quick_form = getattr(request, "quick_log_form", None)
    if quick_form is None:
        quick_form = ActivityForm(
            quick=True, initial={"date": timezone.localdate(), "trainees_reached": 0}
        )
    return {
        "appointment": appointment,
        "quick_form": quick_form,
        # The page title then starts "Error:" (base.html reads `form`), as on any form page.
        **({"form": quick_form} if quick_form.is_bound else {}),
        "week": week_summary(trust=appointment.trust, today=timezone.localdate()),
        "last_activity": last,
    }


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def account_settings(request: HttpRequest) -> HttpResponse:
    """Links to the account pages allauth provides: password, two-factor, email addresses."""
    from allauth.mfa.utils import is_mfa_enabled

    return render(request, "account/settings.html", {"mfa_enabled": is_mfa_enabled(request.user)})
