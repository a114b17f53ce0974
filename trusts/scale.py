"""National-scale data, the trusts part: regions, Trusts, people, placements and profiles.

Used by `manage.py seed_scale` (clm_portal/management/commands/seed_scale.py), which runs a list
of stages; each stage takes the shared `ScaleContext` and writes its rows with `BulkWriter`:
PostgreSQL `COPY` in chunks, or large `bulk_create` batches on other databases (the tests'
SQLite). Rows get explicit primary keys so that later stages can refer to them without reading
them back; the sequences are moved past them at the end.

The named logins are the demo's (clm.rk9@example.com, deanery@example.com, ...) with the
DEMO_PASSWORD, so the benchmark signs in with the same accounts at both scales.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from .demo import (
    ACUTE_SPECIALTIES,
    DEMO_DOMAIN,
    FIRST_NAMES,
    GRADE_WEIGHTS,
    HOME_TRUST,
    MENTAL_HEALTH_SPECIALTIES,
    SURNAMES,
)
from .models import Membership, Region, Role, SupervisorProfile, TraineeProfile, Trust, User
from .reference import trusts_load

REGIONS = [
    ("SW", "NHS South West"),  # the real one, loaded from trusts/data/
    ("NW", "NHS North West"),
    ("NE", "NHS North East and Yorkshire"),
    ("MID", "NHS Midlands"),
    ("EOE", "NHS East of England"),
    ("LDN", "NHS London"),
    ("SE", "NHS South East"),
]
KIND_WEIGHTS = {"acute": 70, "mental_health": 20, "community": 8, "ambulance": 2}
SUPERVISORS_PER_TRAINEE = 0.3
# The real region's logins the benchmark signs in with (one per role).
SIGN_IN_LOCALS = {"trainee", "supervisor", "clm", "admin"}


class BulkWriter:
    """Writes many rows fast: COPY on PostgreSQL, bulk_create elsewhere.

    `write(model, rows)` takes dicts of attname -> value; columns left out get the field's
    default (every row of a call must name the same keys).
    """

    chunk = 50_000

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.touched: set[type[models.Model]] = set()

    def write(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        self.touched.add(model)
        written = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.chunk:
                written += self._flush(model, batch)
                batch = []
        if batch:
            written += self._flush(model, batch)
        return written

    def _flush(self, model, batch: list[dict[str, Any]]) -> int:
        fields = [f for f in model._meta.concrete_fields]
        given = batch[0].keys()
        defaults = {
            f.attname: f.get_default() for f in fields if f.attname not in given and not f.null
        }
        if not self.postgres:
            model.objects.bulk_create(
                [model(**{**defaults, **row}) for row in batch], batch_size=2000
            )
            return len(batch)
        columns = [f for f in fields if f.attname in given or f.attname in defaults]
        buffer = io.StringIO()
        convert = [(f.attname, _converter(f)) for f in columns]
        constant = {
            f.attname: _converter(f)(defaults[f.attname]) for f in columns if f.attname in defaults
        }
        for row in batch:
            buffer.write(
                "\t".join(
                    constant[name] if name in constant else conv(row[name])
                    for name, conv in convert
                )
            )
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
        return len(batch)

    def reset_sequences(self) -> None:
        """Move each table's id sequence past the explicit ids written."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in self.touched:
                table = model._meta.db_table
                pk = model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                    f"COALESCE((SELECT MAX({pk}) FROM {connection.ops.quote_name(table)}), 1))",
                    [table, pk],
                )
            cursor.execute("ANALYZE")


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _converter(f: models.Field):
    """A function turning a Python value into COPY's text format for column `f`."""

    def nullable(inner):
        return lambda value: r"\N" if value is None else inner(value)

    if isinstance(f, models.JSONField):
        return nullable(lambda value: _escape(json.dumps(value)))
    if isinstance(f, models.BooleanField):
        return nullable(lambda value: "t" if value else "f")
    if isinstance(f, models.DateField):  # DateTimeField too
        return nullable(lambda value: value.isoformat())
    if isinstance(f, models.CharField | models.TextField | models.EmailField):
        return nullable(lambda value: _escape(str(value)))
    return nullable(str)


@dataclass
class Ids:
    """Hands out explicit primary keys, one counter per model."""

    next: dict[type, int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        if model not in self.next:
            last = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
            self.next[model] = last + 1
        value = self.next[model]
        self.next[model] += 1
        return value


@dataclass
class ScaleContext:
    """What the stages share: sizes, the random source, the writer, and what earlier stages made."""

    trainees: int
    trusts: int
    regions: int
    years: int
    today: date
    password: str
    progress: Any  # a callable like tqdm(iterable, desc=..., total=...)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    writer: BulkWriter = field(default_factory=BulkWriter)
    ids: Ids = field(default_factory=Ids)
    # Filled in by the stages:
    trust_rows: list[dict] = field(default_factory=list)  # id, ods_code, kind, size
    people: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # trust -> role -> ids
    appointments: dict[int, list[dict]] = field(default_factory=dict)  # trust -> rows, in order
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def first_year(self) -> date:
        start = date(self.today.year if self.today.month >= 8 else self.today.year - 1, 8, 1)
        return date(start.year - self.years + 1, 8, 1)

    @property
    def this_year(self) -> date:
        return date(self.today.year if self.today.month >= 8 else self.today.year - 1, 8, 1)


def database_is_empty() -> bool:
    """True when the database holds no people, regions or Trusts (migrations' reference rows aside)."""
    return not (
        User.objects.exists()
        or Region.objects.exists()
        or Trust.objects.exists()
        or Membership.objects.exists()
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def stage_trusts(ctx: ScaleContext) -> None:
    """The real region's 19 Trusts from trusts/data/, then made-up ones in the other regions."""
    trusts_load()
    regions = [Region.objects.get(code="SW")]
    for code, name in REGIONS[1 : max(1, ctx.regions)]:
        regions.append(Region.objects.create(code=code, name=name))
    real = list(Trust.objects.order_by("ods_code"))
    missing = max(0, ctx.trusts - len(real))
    if ctx.trusts < len(real):  # a small run keeps the home Trust and the first others
        keep = {HOME_TRUST} | {t.ods_code for t in real if t.ods_code != HOME_TRUST}
        keep = {HOME_TRUST} | set(sorted(keep - {HOME_TRUST})[: ctx.trusts - 1])
        Trust.objects.exclude(ods_code__in=keep).delete()
        real = [t for t in real if t.ods_code in keep]
    others = regions[1:] or regions
    made = [
        Trust(
            region=others[i % len(others)],
            ods_code=f"Z{i:03d}",
            name=f"{ctx.rng.choice(SURNAMES)} and {ctx.rng.choice(SURNAMES)} NHS Trust {i}",
            kind=_weighted(ctx.rng, KIND_WEIGHTS),
            trainee_count=0,
        )
        for i in range(1, missing + 1)
    ]
    Trust.objects.bulk_create(made, batch_size=1000)
    trusts = real + list(Trust.objects.filter(ods_code__startswith="Z").order_by("ods_code"))
    # Split the trainees by size: the real Trusts keep their proportions, the rest vary.
    weights = [t.trainee_count or ctx.rng.randint(40, 700) for t in trusts]
    total = sum(weights)
    for trust, weight in zip(trusts, weights, strict=True):
        size = max(8, round(ctx.trainees * weight / total))
        ctx.trust_rows.append(
            {"id": trust.pk, "ods_code": trust.ods_code, "kind": trust.kind, "size": size}
        )
    for row in ctx.trust_rows:
        Trust.objects.filter(pk=row["id"]).update(trainee_count=row["size"])
    ctx.counts["trusts"] = len(ctx.trust_rows)


def stage_people(ctx: ScaleContext) -> None:
    """Per Trust a CLM, an administrator, supervisors and trainees, with placements and profiles."""
    w = ctx.writer
    sign_in = make_password(ctx.password)  # hashed once, shared by the named logins
    unusable = make_password(None)
    joined = timezone.now()
    rng = ctx.rng
    placement_start = ctx.this_year
    placement_end = date(placement_start.year + 1, 7, 31)
    december = date(placement_start.year, 12, 1)
    gmc = iter(range(7_000_000, 9_999_999))
    users: list[dict] = []
    emails: list[dict] = []
    memberships: list[dict] = []
    trainee_profiles: list[dict] = []
    supervisor_profiles: list[dict] = []

    def add_user(local: str, *, can_sign_in: bool = False) -> int:
        pk = ctx.ids.take(User)
        email = f"{local}@{DEMO_DOMAIN}"
        users.append(
            {
                "id": pk,
                "email": email,
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "password": sign_in if can_sign_in else unusable,
                "date_joined": joined,
            }
        )
        emails.append(
            {
                "id": ctx.ids.take(EmailAddress),
                "user_id": pk,
                "email": email,
                "verified": True,
                "primary": True,
            }
        )
        return pk

    def add_membership(user_id: int, role: str, trust_id: int | None, **extra) -> None:
        memberships.append(
            {
                "id": ctx.ids.take(Membership),
                "user_id": user_id,
                "role": role,
                "trust_id": trust_id,
                "region_id": extra.get("region_id"),
                "starts_on": extra.get("starts_on"),
                "ends_on": extra.get("ends_on"),
                "created_at": joined,
            }
        )

    def flush() -> None:
        w.write(User, users)
        w.write(EmailAddress, emails)
        w.write(Membership, memberships)
        w.write(SupervisorProfile, supervisor_profiles)
        w.write(TraineeProfile, trainee_profiles)
        ctx.counts["people"] = ctx.counts.get("people", 0) + len(users)
        for rows in (users, emails, memberships, supervisor_profiles, trainee_profiles):
            rows.clear()

    for code, _ in REGIONS[: max(1, ctx.regions)]:
        local = "deanery" if code == "SW" else f"deanery.{code.lower()}"
        deanery = add_user(local, can_sign_in=code == "SW")
        add_membership(deanery, Role.DEANERY, None, region_id=Region.objects.get(code=code).pk)

    for trust in ctx.progress(ctx.trust_rows, desc="people", unit="Trust"):
        ods = trust["ods_code"].lower()
        named = trust["ods_code"] == HOME_TRUST
        specialties = (
            MENTAL_HEALTH_SPECIALTIES if trust["kind"] == "mental_health" else ACUTE_SPECIALTIES
        )
        people = ctx.people.setdefault(trust["id"], {"clm": [], "supervisor": [], "trainee": []})
        clm = add_user(f"clm.{ods}", can_sign_in=True)
        people["clm"].append(clm)
        # Earlier holders of the post, for the appointments' turnover (no role now).
        people["clm"] += [add_user(f"clm.former{k}.{ods}") for k in (1, 2)]
        supervisor_profiles.append(
            {"id": ctx.ids.take(SupervisorProfile), "user_id": clm, "gmc_number": str(next(gmc))}
        )
        add_membership(add_user(f"admin.{ods}", can_sign_in=named), Role.TRUST_ADMIN, trust["id"])
        for i in range(max(3, round(trust["size"] * SUPERVISORS_PER_TRAINEE))):
            local = f"supervisor.{ods}" if i == 0 else f"supervisor{i}.{ods}"
            sup = add_user(local, can_sign_in=named and i == 0)
            add_membership(sup, Role.SUPERVISOR, trust["id"])
            supervisor_profiles.append(
                {
                    "id": ctx.ids.take(SupervisorProfile),
                    "user_id": sup,
                    "gmc_number": str(next(gmc)),
                    "specialty": _weighted(rng, specialties),
                }
            )
            people["supervisor"].append(sup)
        for i in range(trust["size"]):
            local = f"trainee.{ods}" if i == 0 else f"trainee{i}.{ods}"
            trainee = add_user(local, can_sign_in=named and i == 0)
            starts = placement_start if rng.random() < 0.75 else december
            add_membership(
                trainee, Role.TRAINEE, trust["id"], starts_on=starts, ends_on=placement_end
            )
            trainee_profiles.append(
                {
                    "id": ctx.ids.take(TraineeProfile),
                    "user_id": trainee,
                    "grade": "ST3" if named and i == 0 else _weighted(rng, GRADE_WEIGHTS),
                    "specialty": _weighted(rng, specialties),
                    "gmc_number": str(next(gmc)),
                    "educational_supervisor_id": people["supervisor"][
                        i % len(people["supervisor"])
                    ],
                }
            )
            people["trainee"].append(trainee)
        if len(users) > 20_000:
            flush()
    flush()


def stages() -> list[tuple[str, Any]]:
    return [("regions and Trusts", stage_trusts), ("people", stage_people)]


def chunked(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
