"""Taking part and the record: reflecting, confirming (CLM or the host's link), the PDF and CSV,
and checking an issued record."""

import csv
import io
import logging
import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from opportunities import services
from opportunities.models import Application, RecordIssue
from opportunities.models import ApplicationStatus as S

from ..conftest import client_for
from ..factories import OpportunityFactory, apply_for

pytestmark = pytest.mark.django_db
REFLECTION = {
    "what_i_did": "Led the sepsis audit's second cycle.",
    "what_i_learned": "How to bring nurses and doctors to one plan.",
    "gpc_domains": ["5", "6"],
    "leader": "4",
    "lead_change": "5",
}


def accepted(world, **opportunity):
    opportunity.setdefault("ends_on", timezone.localdate() - timedelta(days=1))
    opportunity.setdefault("starts_on", timezone.localdate() - timedelta(days=20))
    opportunity.setdefault("deadline", None)
    application = apply_for(OpportunityFactory(trust=world.trust, **opportunity), world.trainee)
    services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    return services.application_accept(trainee=world.trainee, application=application)


def host_token_from(mailoutbox) -> str:
    message = next(m for m in mailoutbox if "Please confirm" in m.subject)
    return re.search(r"/opportunities/host/([^/\s]+)/", message.body).group(1)


def test_a_reflection_waits_for_the_end_date(world):
    application = accepted(world, ends_on=timezone.localdate() + timedelta(days=3))
    client = client_for(world.trainee)
    url = reverse("opportunities:reflect", args=[application.pk])
    page = client.get(url)
    assert "You can record this after it ends" in page.content.decode()
    client.post(url, REFLECTION)
    application.refresh_from_db()
    assert not hasattr(application, "reflection") or application.reflection is None


def test_reflect_then_the_clm_confirms(world, mailoutbox, django_capture_on_commit_callbacks):
    application = accepted(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.trainee).post(
            reverse("opportunities:reflect", args=[application.pk]), REFLECTION
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.reflection.what_i_did == REFLECTION["what_i_did"]
    assert world.clm.notifications.filter(kind="reflection").exists()
    # The host was emailed a link.
    assert any(application.opportunity.host_email in m.to for m in mailoutbox)
    page = client_for(world.clm).get(reverse("opportunities:confirm", args=[application.pk]))
    assert REFLECTION["what_i_learned"] in page.content.decode()
    client_for(world.clm).post(
        reverse("opportunities:confirm", args=[application.pk]), {"action": "confirm"}
    )
    application.refresh_from_db()
    assert application.status == S.COMPLETED
    assert application.reflection.confirmed_by == world.clm


def test_the_hosts_link_works_once(world, mailoutbox, django_capture_on_commit_callbacks, caplog):
    application = accepted(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.reflection_submit(
            trainee=world.trainee,
            application=application,
            what_i_did="Audit",
            what_i_learned="Change",
            leader=3,
            lead_change=4,
        )
    token = host_token_from(mailoutbox)
    url = reverse("opportunities:host_confirm", args=[token])
    anonymous = client_for(None)
    with caplog.at_level(logging.INFO):
        assert anonymous.get(url).status_code == 200
        done = anonymous.post(url)
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    application.refresh_from_db()
    assert application.status == S.COMPLETED
    assert application.reflection.confirmed_by_host == application.opportunity.host_name
    assert application.events.latest("pk").by_label.startswith(application.opportunity.host_name)
    # Used up: a second use and an unknown token are refused, never a 500.
    assert anonymous.post(url).status_code == 404
    assert anonymous.get(reverse("opportunities:host_confirm", args=["nope"])).status_code == 404
    assert token not in caplog.text


def test_the_token_path_is_redacted_from_logs():
    from clm_portal.logredact import redact

    assert "secret-token" not in redact("GET /opportunities/host/secret-token/ HTTP/1.1")


def _completed(world, title: str) -> Application:
    application = accepted(world, title=title)
    services.reflection_submit(
        trainee=world.trainee,
        application=application,
        what_i_did=f"Did {title}",
        what_i_learned="Learned",
        leader=3,
        lead_change=4,
    )
    return services.reflection_confirm(by=world.clm, application=application)


@override_settings(SITE_URL="https://clm.example.nhs.uk")
def test_the_record_pdf_lists_confirmed_experiences_and_its_check(world):
    _completed(world, "Sepsis QI project")
    accepted(world, title="Unconfirmed board seat")
    response = client_for(world.trainee).get(reverse("opportunities:record_pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    issue = RecordIssue.objects.get()
    assert "Sepsis QI project" in text
    assert "Unconfirmed board seat" not in text
    assert str(issue.public_id) in text.replace("\n", "")
    assert list(issue.applications.values_list("opportunity__title", flat=True)) == [
        "Sepsis QI project"
    ]


def test_the_record_csv_neutralises_formulas(world):
    _completed(world, '=HYPERLINK("http://evil")')
    response = client_for(world.trainee).get(reverse("opportunities:record_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "title"
    assert rows[1][0].startswith("'=")


def test_the_verification_page_says_when_a_record_no_longer_stands(world):
    application = _completed(world, "Chief registrar shadowing")
    client_for(world.trainee).get(reverse("opportunities:record_pdf"))
    issue = RecordIssue.objects.get()
    url = reverse("opportunities:record_verify", args=[issue.public_id])
    anonymous = client_for(None)
    assert "Every experience in this record still stands" in anonymous.get(url).content.decode()
    Application.objects.filter(pk=application.pk).update(status=S.DID_NOT_ATTEND)
    page = anonymous.get(url).content.decode()
    assert "No longer stands" in page
    # The check shows no reflection.
    assert "Did Chief registrar shadowing" not in page


def test_notifications_page_and_mark_read(world):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    client = client_for(world.trainee)
    home = client.get(reverse("home")).content.decode()
    assert '1<span class="nhsuk-u-visually-hidden"> unread</span>' in home
    page = client.get(reverse("opportunities:notifications"))
    assert "Offer of a place" in page.content.decode()
    client.post(reverse("opportunities:notifications"))
    assert not world.trainee.notifications.filter(read_at__isnull=True).exists()
