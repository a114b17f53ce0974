"""Sending the portal's emails: one template set per email, plain text with an HTML part."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(name: str, context: dict, *, to: list[str]) -> None:
    """Render `emails/<name>-subject.txt`, `-body.txt` and `-body.html` and send them to `to`."""
    message = EmailMultiAlternatives(
        subject=render_to_string(f"emails/{name}-subject.txt", context).strip(),
        body=render_to_string(f"emails/{name}-body.txt", context),
        to=to,
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    message.send()
