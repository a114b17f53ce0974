"""A round's results: % agree with Wilson intervals, breakdowns, and suppression that survives
subtraction.

Publishing (`publish`) runs one aggregate query, grouped by role, Trust, grade and specialty,
and stores those counts with the round's items and each Trust's denominators in
`Round.results`: the pages, downloads and the summary command read that, so their cost does not
grow with the responses and the figures do not move while answers arrive.

Suppression (`Breakdowns`): a group's figures are shown only when it has more responses than
the round's threshold, an item within a shown group only when more than the threshold answered
it. Each breakdown is a set of equations "parent = sum of children" (region = Trusts; region =
early + late + other; early = Foundation + CT/ST1–2 + ST3; …; region = specialties). Whenever an
equation has exactly one hidden member, the smallest shown child is hidden too, until none has;
and when the hidden children of a shown parent would all agree (or all disagree), one more child
is hidden. Then no hidden count is a published total minus published parts (see
tests/surveys/test_confidentiality.py, which checks it with linear algebra on random rounds).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import median

from django.db.models import Count, F, Q
from django.utils import timezone

from clm_portal.kept import Kept
from trusts.models import Membership, Role, Specialty

from .models import AGREE_FROM, Instrument, Item, Response, Round

Z95 = 1.959963984540054
ROLES = (Role.TRAINEE.value, Role.SUPERVISOR.value)
ROLE_LABELS = {"trainee": "Trainees", "supervisor": "Educational supervisors"}

# Grades as the evaluation grouped them, each in its stage (DOMAIN.md).
GRADE_GROUPS = (
    ("foundation", "Foundation (F1, F2)", ("F1", "F2"), "early"),
    ("core", "CT1–CT2, ST1–ST2", ("CT1", "CT2", "ST1", "ST2"), "early"),
    ("st3", "ST3, CT3", ("ST3", "CT3"), "early"),
    ("st4", "ST4", ("ST4",), "late"),
    ("st5", "ST5", ("ST5",), "late"),
    ("st6", "ST6", ("ST6",), "late"),
    ("st7", "ST7 or above", ("ST7", "ST8"), "late"),
    ("non_training", "Non-training grade", ("non_training",), "other"),
    ("grade_not_given", "Grade not given", ("",), "other"),
)
GRADE_GROUP_OF = {code: key for key, _, codes, _ in GRADE_GROUPS for code in codes}
STAGES = (
    ("early", "Early (F1 to ST3, CT1 to CT3)"),
    ("late", "Late (ST4 and above)"),
    ("other", "Non-training grade or not given"),
)
SPECIALTIES = (*Specialty.choices, ("", "Specialty not given"))
BREAKDOWNS = (
    ("trust", "By Trust"),
    ("stage", "By stage"),
    ("grade", "By grade"),
    ("specialty", "By specialty"),
)


# --- Proportions ---------------------------------------------------------------------------------


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (no continuity correction), as proportions."""
    if n <= 0:
        return (0.0, 0.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def difference_interval(
    a: tuple[int, int], b: tuple[int, int], z: float = Z95
) -> tuple[float, float, float]:
    """p_b − p_a with Newcombe's hybrid score interval (his method 10), as proportions.
    `a` and `b` are (successes, n)."""
    p1, p2 = a[0] / a[1], b[0] / b[1]
    l1, u1 = wilson(*a, z=z)
    l2, u2 = wilson(*b, z=z)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, low, high


def one_decimal(proportion: float) -> float:
    return round(100 * proportion + 1e-9, 1)


@dataclass(frozen=True)
class Figure:
    answered: int
    agree: int

    @property
    def percent(self) -> float:
        return one_decimal(self.agree / self.answered)

    @property
    def interval(self) -> tuple[float, float]:
        low, high = wilson(self.agree, self.answered)
        return one_decimal(low), one_decimal(high)

    def as_dict(self) -> dict:
        low, high = self.interval
        return {
            "answered": self.answered,
            "agree": self.agree,
            "percent_agree": self.percent,
            "ci_low": low,
            "ci_high": high,
        }


# --- Publishing ------------------------------------------------------------------------------------


def round_items(round_: Round) -> dict[str, list[Item]]:
    """The round's items by role, in the instruments' order."""
    items: dict[str, list[Item]] = {role: [] for role in ROLES}
    for item in Item.objects.filter(instrument__rounds=round_).select_related("instrument"):
        items[item.instrument.role].append(item)
    return items


def _aggregate(round_: Round, items: dict[str, list[Item]]) -> list[list]:
    """Responses and, per item, answers given and agreeing, for each role by Trust, and for
    trainees by grade and by specialty: three aggregate queries, never a cross-tabulation."""
    kinds = {item.code: item.kind for role_items in items.values() for item in role_items}
    codes = sorted(kinds)
    annotations = {}
    for i, code in enumerate(codes):
        annotations[f"a{i}"] = Count("pk", filter=Q(**{"answers__has_key": code}))
        annotations[f"g{i}"] = Count(
            "pk", filter=Q(**{f"answers__{code}__gte": AGREE_FROM[kinds[code]]})
        )
    responses = Response.objects.filter(round=round_)
    trainees = responses.filter(role=Role.TRAINEE)
    queries = (
        ("trust", responses.values("role", key=F("trust__ods_code"))),
        ("grade", trainees.values("role", key=F("grade"))),
        ("specialty", trainees.values("role", key=F("specialty"))),
    )
    groups = []
    for breakdown, query in queries:
        for row in query.annotate(n=Count("pk"), **annotations).order_by("role", "key"):
            counts = {
                code: [row[f"a{i}"], row[f"g{i}"]] for i, code in enumerate(codes) if row[f"a{i}"]
            }
            groups.append([row["role"], breakdown, row["key"], row["n"], counts])
    return groups


def _denominators(round_: Round) -> dict[str, dict[str, int]]:
    """Each Trust's trainees and supervisors in the portal, for response rates."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        Membership.objects.filter(trust__in=round_.trusts.all(), role__in=ROLES)
        .values("trust__ods_code", "role")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
    )
    for row in rows:
        counts[row["trust__ods_code"]][row["role"]] = row["people"]
    return dict(counts)


def publish(round_: Round) -> Round:
    """Work out and store the round's figures (on closing it, or on importing responses)."""
    items = round_items(round_)
    trusts = list(round_.trusts.order_by("name").values_list("ods_code", "name"))
    counts = {
        "items": {
            role: [[i.code, i.text, i.kind, i.section] for i in role_items]
            for role, role_items in items.items()
        },
        "trusts": [list(t) for t in trusts],
        "denominators": _denominators(round_),
        "groups": _aggregate(round_, items),
    }
    # What is published: the figures after suppression, compact, so that a page reads them
    # without working anything out; and the shown totals, for the next round's comparison.
    roles = {role: role_results(counts, role, round_.threshold) for role in ROLES}
    round_.results = {
        "threshold": round_.threshold,
        "items": counts["items"],
        "view": {role: _view(result) for role, result in roles.items()},
        "totals": {
            role: {
                code: [result.total.items[code].answered, result.total.items[code].agree, text]
                for code, text, *_ in result.items
                if code in result.total.items
            }
            for role, result in roles.items()
        },
    }
    round_.published_at = timezone.now()
    round_.save(update_fields=["results", "published_at"])
    return round_


# --- Suppression -----------------------------------------------------------------------------------


def _smallest(candidates, values) -> str | None:
    return min(candidates, key=lambda v: (values.get(v, 0), v), default=None)


def complete_suppression(
    values: dict[str, int],
    equations: list[tuple[str, list[str]]],
    hidden: set[str],
    agree: dict[str, int] | None = None,
    fixed: frozenset[str] | set[str] = frozenset(),
) -> set[str]:
    """Hide more members until no equation has exactly one hidden member and (with `agree`)
    the hidden children of a shown parent neither all agree nor all disagree.

    `fixed` members are known whatever is hidden (a group published as empty, or the number of
    responses per role): hiding them would protect nothing, so they are never chosen."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for parent, children in equations:
            hidden_members = [m for m in (parent, *children) if m in hidden]
            shown_children = [c for c in children if c not in hidden and c not in fixed]
            if len(hidden_members) == 1:
                pick = _smallest(shown_children, values)
                if pick is None and parent not in hidden and parent not in fixed:
                    pick = parent
                if pick is not None:
                    hidden.add(pick)
                    changed = True
                continue
            if agree is None or parent in hidden or not hidden_members:
                continue
            answered = sum(values.get(c, 0) for c in children if c in hidden)
            agreeing = sum(agree.get(c, 0) for c in children if c in hidden)
            if answered and agreeing in (0, answered):
                breaks = [
                    c
                    for c in shown_children
                    if (agree.get(c, 0) > 0 if agreeing == 0 else agree.get(c, 0) < values[c])
                ]
                if pick := _smallest(breaks, values):
                    hidden.add(pick)
                    changed = True
    return hidden


class FigureMap(Mapping):
    """Item code → Figure for the shown items of a group, built from two stored lists (answers
    given, agreeing; None where hidden) only when an item is asked for."""

    def __init__(self, codes: list[str], answered: list, agree: list):
        self._index = {code: i for i, code in enumerate(codes) if answered[i] is not None}
        self._answered, self._agree = answered, agree

    def __getitem__(self, code: str) -> Figure:
        i = self._index[code]
        return Figure(self._answered[i], self._agree[i])

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@dataclass
class Group:
    key: str
    label: str
    n: int | None  # None: hidden
    suppressed: bool
    items: Mapping[str, Figure] = field(default_factory=dict)
    response_rate: float | None = None
    denominator: int | None = None


@dataclass
class RoleResults:
    role: str
    n: int
    items: list[tuple[str, str, str, str]]  # (code, text, kind, section)
    total: Group
    breakdowns: dict[str, list[Group]]  # "trust", "stage", "grade", "specialty"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


def _tree(role: str, trusts: list[list[str]]) -> tuple[dict[str, tuple], list]:
    """The groups of each breakdown (var → (breakdown, key, label)) and the equations."""
    groups: dict[str, tuple[str, str, str]] = {}
    equations: list[tuple[str, list[str]]] = []
    trust_vars = []
    for ods, name in trusts:
        groups[f"trust:{ods}"] = ("trust", ods, name)
        trust_vars.append(f"trust:{ods}")
    equations.append(("total", trust_vars))
    if role == Role.TRAINEE:
        stage_vars = []
        for stage, label in STAGES:
            groups[f"stage:{stage}"] = ("stage", stage, label)
            stage_vars.append(f"stage:{stage}")
            grades = [f"grade:{key}" for key, _, _, s in GRADE_GROUPS if s == stage]
            equations.append((f"stage:{stage}", grades))
        equations.append(("total", stage_vars))
        for key, label, _, _ in GRADE_GROUPS:
            groups[f"grade:{key}"] = ("grade", key, label)
        specialty_vars = []
        for code, label in SPECIALTIES:
            var = f"specialty:{code or 'not_given'}"
            groups[var] = ("specialty", code or "not_given", label)
            specialty_vars.append(var)
        equations.append(("total", specialty_vars))
    return groups, equations


def _vars_of(role: str, breakdown: str, key: str) -> list[str]:
    """The published groups a stored group adds to (a Trust also makes the region's total)."""
    if breakdown == "trust":
        return ["total", f"trust:{key}"]
    if role != Role.TRAINEE:
        return []
    if breakdown == "grade":
        grade_group = GRADE_GROUP_OF.get(key, "grade_not_given")
        stage = next(s for k, _, _, s in GRADE_GROUPS if k == grade_group)
        return [f"stage:{stage}", f"grade:{grade_group}"]
    return [f"specialty:{key or 'not_given'}"]


def role_results(results: dict, role: str, threshold: int) -> RoleResults:
    """One role's figures from a published round, with suppression applied."""
    groups, equations = _tree(role, results.get("trusts", []))
    n: dict[str, int] = defaultdict(int)
    answered: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    agree: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group_role, breakdown, key, count, counts in results.get("groups", []):
        if group_role != role:
            continue
        for var in _vars_of(role, breakdown, key):
            n[var] += count
            for code, (given, agreeing) in counts.items():
                answered[code][var] += given
                agree[code][var] += agreeing
    all_vars = ["total", *groups]
    small = {v for v in groups if 0 < n[v] <= threshold}
    # The number of responses per role is always published.
    n_hidden = complete_suppression(n, equations, small, fixed={"total"})
    items = [tuple(i) for i in results.get("items", {}).get(role, [])]
    shown: dict[str, dict[str, Figure]] = defaultdict(dict)
    # A group published with no responses is known to have no answers: it stays "shown" (as
    # zero) so that it cannot pass for the second hidden member of an equation.
    known_zero = {v for v in groups if n[v] == 0 and v not in n_hidden}
    for code, *_ in items:
        given, agreeing = answered[code], agree[code]
        hidden = set(n_hidden) | {v for v in groups if 0 < n[v] <= threshold}
        hidden |= {v for v in all_vars if given[v] <= threshold and v not in known_zero}
        hidden = complete_suppression(given, equations, hidden, agree=agreeing, fixed=known_zero)
        for var in all_vars:
            if var not in hidden:
                shown[var][code] = Figure(given[var], agreeing[var])
    denominators = results.get("denominators", {})
    built: dict[str, list[Group]] = defaultdict(list)
    for var, (breakdown, key, label) in groups.items():
        suppressed = n[var] <= threshold or var in n_hidden
        group = Group(
            key=key,
            label=label,
            n=None if var in n_hidden else n[var],
            suppressed=suppressed,
            items={} if suppressed else shown[var],
        )
        if breakdown == "trust":
            group.denominator = denominators.get(key, {}).get(role)
            if not suppressed and group.denominator:
                group.response_rate = one_decimal(n[var] / group.denominator)
        built[breakdown].append(group)
    total = Group("total", ROLE_LABELS[role], n["total"], n["total"] <= threshold, shown["total"])
    return RoleResults(role, n["total"], items, total, dict(built))


@dataclass
class Change:
    code: str
    text: str
    before: Figure
    after: Figure
    difference: float
    low: float
    high: float

    @property
    def flagged(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass
class Spread:
    code: str
    text: str
    trusts: int
    low: float
    middle: float
    high: float


def _lists(codes: list[str], group: Group) -> tuple[list, list]:
    answered = [group.items[c].answered if c in group.items else None for c in codes]
    agree = [group.items[c].agree if c in group.items else None for c in codes]
    return answered, agree


def _view(result: RoleResults) -> dict:
    codes = [code for code, *_ in result.items]
    groups = {}
    for breakdown, members in result.breakdowns.items():
        groups[breakdown] = [
            [g.key, g.label, g.n, g.suppressed, g.response_rate, g.denominator, *_lists(codes, g)]
            for g in members
        ]
    return {
        "n": result.n,
        "total": list(_lists(codes, result.total)),
        "groups": groups,
        "spread": [list(vars(row).values()) for row in _spread(result)],
    }


def _from_view(role: str, items: list, view: dict, threshold: int) -> RoleResults:
    codes = [code for code, *_ in items]
    breakdowns = {
        breakdown: [
            Group(key, label, n, suppressed, FigureMap(codes, answered, agree), rate, denominator)
            for key, label, n, suppressed, rate, denominator, answered, agree in members
        ]
        for breakdown, members in view["groups"].items()
    }
    n = view["n"]
    total = Group("total", ROLE_LABELS[role], n, n <= threshold, FigureMap(codes, *view["total"]))
    result = RoleResults(role, n, [tuple(i) for i in items], total, breakdowns)
    result.spread = [Spread(*row) for row in view["spread"]]
    return result


def _spread(result: RoleResults) -> list[Spread]:
    """Min, median and max of % agree over the Trusts shown, per item."""
    rows = []
    trusts = result.breakdowns.get("trust", [])
    for code, text, *_ in result.items:
        values = [g.items[code].percent for g in trusts if code in g.items]
        if values:
            rows.append(
                Spread(code, text, len(values), min(values), round(median(values), 1), max(values))
            )
    return rows


def previous_totals(round_: Round | None) -> dict:
    """The shown region totals of a published round (role → code → [answered, agree, text]),
    read without loading the rest of its figures."""
    if round_ is None:
        return {}
    found = Round.objects.filter(pk=round_.pk).values_list("results__totals", flat=True).first()
    return found or {}


class Results:
    """A published round's figures, as everyone who may see them sees them."""

    def __init__(self, round_: Round, previous: Round | None = None):
        self.round = round_
        self.threshold = round_.threshold
        data = round_.results or {}
        if "view" in data:
            items = data.get("items", {})
            self.threshold = data.get("threshold", self.threshold)
            self.roles = {
                role: _from_view(role, items.get(role, []), data["view"][role], self.threshold)
                for role in ROLES
            }
        else:  # counts not yet worked out (tests build them by hand)
            self.roles = {role: role_results(data, role, self.threshold) for role in ROLES}
        self.previous = previous
        self._previous_totals = previous_totals(previous)

    def by_role(self, role: str) -> RoleResults:
        return self.roles[role]

    def has_responses(self, role: str) -> bool:
        return self.roles[role].n > 0

    def spread(self, role: str) -> list[Spread]:
        """Min, median and max of % agree over the Trusts shown, per item."""
        result = self.roles[role]
        return getattr(result, "spread", None) or _spread(result)

    def changes(self, role: str) -> list[Change]:
        """Per item asked in both rounds with the same wording, the change in % agree."""
        before = self._previous_totals.get(role, {})
        after = self.roles[role]
        found = []
        for code, text, *_ in after.items:
            new = after.total.items.get(code)
            if new is None or code not in before or before[code][2] != text:
                continue
            old = Figure(before[code][0], before[code][1])
            d, low, high = difference_interval((old.agree, old.answered), (new.agree, new.answered))
            found.append(
                Change(code, text, old, new, one_decimal(d), one_decimal(low), one_decimal(high))
            )
        return found

    # --- The summary (manage.py survey_summary --json) ---

    def summary(self) -> dict:
        def items(group: Group) -> dict:
            return {code: figure.as_dict() for code, figure in group.items.items()}

        by_trust: dict[str, dict] = defaultdict(dict)
        for role in ROLES:
            for group in self.roles[role].breakdowns.get("trust", []):
                by_trust[group.key][role] = {
                    "n": group.n,
                    "suppressed": group.suppressed,
                    "response_rate": group.response_rate,
                    "items": items(group),
                }
        stages = {g.key: g for g in self.roles[Role.TRAINEE].breakdowns.get("stage", [])}
        return {
            "round": self.round.slug,
            "threshold": self.threshold,
            "n": {role: self.roles[role].n for role in ROLES},
            "by_role": {role: items(self.roles[role].total) for role in ROLES},
            "by_trust": dict(by_trust),
            "by_stage": {
                stage: {
                    "n": stages[stage].n,
                    "suppressed": stages[stage].suppressed,
                    "items": items(stages[stage]),
                }
                for stage in ("early", "late")
                if stage in stages
            },
        }


# A published round's figures as everyone may see them, by round and publication (and the
# previous round's, for the change), in this process. Publishing writes the figures and a new
# published_at together, so a key never names two versions; at national scale reading and
# parsing the figures (175 KB of JSON) and building them was a fifth of the results page.
# A Results is not changed once built; each page filters it by who is looking.
_PARSED = Kept(most=8)


def published_results(round_: Round, previous: Round | None = None) -> Results:
    """`Results(round_, previous)` for a published round, built only when this process has
    not built it for this publication yet. `round_` may have its figures deferred."""
    key = (
        round_.pk,
        round_.published_at,
        previous.pk if previous else None,
        previous.published_at if previous else None,
    )
    found = _PARSED.get(key)
    if found is None:
        figures = (
            Round.objects.filter(pk=round_.pk, published_at=round_.published_at)
            .values_list("results", flat=True)
            .first()
        )
        if figures is None:  # published again in between: what is there now, not kept
            round_.refresh_from_db()
            return Results(round_, previous)
        round_.results = figures
        found = _PARSED.put(key, Results(round_, previous))
    return found


def previous_round(round_: Round) -> Round | None:
    """The latest published round before this one (by year, then opening date)."""
    return (
        Round.objects.published()
        .exclude(pk=round_.pk)
        .filter(Q(year__lt=round_.year) | Q(year=round_.year, opens_on__lt=round_.opens_on))
        .order_by("-year", "-opens_on")
        .defer("results")
        .first()
    )


def instruments_for_roles() -> dict[str, Instrument]:
    """The latest version of each role's instrument (for a new round)."""
    latest = {}
    for instrument in Instrument.objects.order_by("role", "version"):
        latest[instrument.role] = instrument
    return latest
