"""Building survey rounds and response files for the tests."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from surveys import services
from surveys.models import Channel, Response, Round

DATA = Path(__file__).resolve().parent / "data"
EVALUATION = DATA / "evaluation_2019.csv"


def make_round(trusts, *, name: str = "Spring survey", open_: bool = True, **fields) -> Round:
    today = timezone.localdate()
    return services.round_create(
        by=None,
        name=name,
        opens_on=today - timedelta(days=10),
        closes_on=today + (timedelta(days=20) if open_ else timedelta(days=-1)),
        trusts=trusts,
        **fields,
    )


def csv_file(text: str, *, encoding: str = "utf-8", bom: bool = False) -> io.BytesIO:
    data = text.encode(encoding)
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


def add_responses(round_: Round, trust, role: str, answers_list, **fields) -> None:
    Response.objects.bulk_create(
        [
            Response(
                round=round_,
                trust=trust,
                role=role,
                channel=Channel.IMPORT,
                answers=answers,
                **fields,
            )
            for answers in answers_list
        ]
    )
