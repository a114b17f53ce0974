"""Answering a round: signed in from the home page, or on a Trust's open link or a single-use
link. One page per section; a partial answer is kept in the session (on a single-use link: on
the link, so it can be resumed there) and nothing is stored with the person until submitted,
and then only that they answered."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from trusts.models import Trust, User

from .. import services
from ..analysis import round_items
from ..forms import AboutYouForm, SectionForm
from ..models import Item, Round, Section, SurveyLink
from ..selectors import rounds_to_answer

ROLE_LABELS = {"trainee": "Trainee", "supervisor": "Educational supervisor"}


@dataclass
class Respondent:
    round: Round
    trust: Trust
    fixed_role: str | None
    user: User | None = None
    link: SurveyLink | None = None
    token: str = ""  # the link's token, to build its URLs

    def url(self, step: str) -> str:
        if self.link is not None:
            return reverse("surveys:link", args=[self.token, step])
        return reverse("surveys:answer", args=[self.round.slug, step])

    # --- The partial answer ---

    @property
    def _key(self) -> str:
        return f"survey-draft:{self.round.pk}:{self.link.pk if self.link else 'me'}"

    def load(self, request) -> dict:
        if self.link is not None and self.link.kind == SurveyLink.Kind.PERSONAL:
            return dict(self.link.draft or {})
        return dict(request.session.get(self._key, {}))

    def save(self, request, draft: dict) -> None:
        if self.link is not None and self.link.kind == SurveyLink.Kind.PERSONAL:
            services.link_save_draft(link=self.link, draft=draft)
        else:
            request.session[self._key] = draft

    def clear(self, request) -> None:
        request.session.pop(self._key, None)


def _sections(items: list[Item]) -> list[str]:
    present = {item.section for item in items}
    return [section for section in Section.values if section in present]


def _message(request, title: str, body: str, status: int = 200) -> HttpResponse:
    return render(
        request, "surveys/answer/message.html", {"title": title, "body": body}, status=status
    )


def _flow(request: HttpRequest, respondent: Respondent, step: str) -> HttpResponse:
    draft = respondent.load(request)
    about = draft.get("about", {})
    role = respondent.fixed_role or about.get("role")
    items_by_role = round_items(respondent.round)
    items = items_by_role.get(role, []) if role else []
    steps = ["about", *_sections(items), "check"]
    if step not in ["about", *Section.values, "check"]:
        raise Http404
    if step != "about" and (role is None or step not in steps):
        return redirect(respondent.url("about"))
    position = steps.index(step)
    context = {
        "round": respondent.round,
        "trust": respondent.trust,
        "step": step,
        "page_number": position + 1,
        "page_count": len(steps),
        "back_url": respondent.url(steps[position - 1]) if position else None,
    }
    answers = draft.get("answers", {})
    if step == "about":
        form = AboutYouForm(
            request.POST if request.method == "POST" else None,
            initial=about or _about_initial(respondent),
            fixed_role=respondent.fixed_role,
        )
        if request.method == "POST" and form.is_valid():
            cleaned = form.cleaned()
            if cleaned["role"] != about.get("role"):
                answers = {}
            respondent.save(request, {"about": cleaned, "answers": answers})
            return redirect(respondent.url(_next(cleaned["role"], items_by_role)))
        context.update(form=form, role_label=ROLE_LABELS.get(respondent.fixed_role or ""))
        return render(
            request, "surveys/answer/about.html", context, status=400 if form.errors else 200
        )
    if step == "check":
        if request.method == "POST":
            try:
                services.response_submit(
                    round_=respondent.round,
                    trust=respondent.trust,
                    role=role,
                    grade=about.get("grade", ""),
                    specialty=about.get("specialty", ""),
                    answers=answers,
                    user=respondent.user,
                    link=respondent.link,
                )
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
            else:
                respondent.clear(request)
                return redirect("surveys:thanks")
        section_items = {s: [i for i in items if i.section == s] for s in steps[1:-1]}
        context.update(
            about=about,
            about_url=respondent.url("about"),
            role_label=ROLE_LABELS[role],
            sections=[
                {
                    "label": Section(s).label,
                    "url": respondent.url(s),
                    "rows": [
                        (item.text, _answer_label(item, answers.get(item.code))) for item in its
                    ],
                }
                for s, its in section_items.items()
            ],
        )
        return render(
            request, "surveys/answer/check.html", context, status=400 if "error" in context else 200
        )
    section_items = [i for i in items if i.section == step]
    form = SectionForm(
        request.POST if request.method == "POST" else None, items=section_items, initial=answers
    )
    if request.method == "POST" and form.is_valid():
        kept = {code: v for code, v in answers.items() if code not in form.fields}
        kept.update(form.answers())
        respondent.save(request, {"about": about, "answers": kept})
        return redirect(respondent.url(steps[position + 1]))
    context.update(form=form, section=Section(step).label)
    return render(
        request, "surveys/answer/section.html", context, status=400 if form.errors else 200
    )


def _next(role: str, items_by_role: dict) -> str:
    sections = _sections(items_by_role.get(role, []))
    return sections[0] if sections else "check"


def _about_initial(respondent: Respondent) -> dict:
    profile = getattr(respondent.user, "trainee_profile", None) if respondent.user else None
    if profile is None:
        return {}
    return {"grade": profile.grade, "specialty": profile.specialty}


def _answer_label(item: Item, value) -> str:
    if value is None:
        return "Not answered"
    choices = dict(SectionForm(items=[item]).fields[item.code].choices)
    return str(choices.get(value, value))


@login_required
def answer(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    """A signed-in trainee or supervisor answers a round their Trust takes part in, once."""
    user = request.user
    for round_, trust, role in rounds_to_answer(user=user):
        if round_.slug == slug:
            return _flow(request, Respondent(round_, trust, role, user=user), step)
    if services.has_answered(user=user, slug=slug):
        return _message(
            request, "You have answered this survey", "Thank you: each person answers a round once."
        )
    raise Http404


@login_not_required
def link(request: HttpRequest, token: str, step: str = "about") -> HttpResponse:
    """Answering on a Trust's open link or a single-use link, with or without an account."""
    found = services.link_find(token)
    if found is None:
        raise Http404
    if found.kind == SurveyLink.Kind.PERSONAL and found.used:
        return _message(
            request,
            "This link has been used",
            "Each single-use link answers the survey once, and this one has. If you did not "
            "answer it, ask the deanery for a new link.",
            status=410,
        )
    if not found.round.is_open:
        return _message(
            request,
            "This survey is closed",
            "Thank you for your interest: this survey is not taking answers now.",
            status=410,
        )
    fixed_role = found.role or None
    respondent = Respondent(found.round, found.trust, fixed_role, link=found, token=token)
    return _flow(request, respondent, step)


@login_not_required
def thanks(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        "Thank you: your answers have been sent",
        "They are stored without your name, and shown only as totals for groups of more than "
        "ten people once the survey closes.",
    )


urlpatterns = [
    path("<slug:slug>/answer/<slug:step>/", answer, name="answer"),
    path("link/<str:token>/", link, name="link_start"),
    path("link/<str:token>/<slug:step>/", link, name="link"),
    path("thanks/", thanks, name="thanks"),
]
