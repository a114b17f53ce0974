"""Generate evaluation_2019.csv: synthetic responses reproducing the published
"% agree" figures of the South West CLM programme evaluation (2019), survey
tables; see ../shared/DOMAIN.md

282 respondents (112 trainees, 170 educational supervisors) across eight sites.
Every published percentage equals round-half-up(100 * agree / answered) for the
role concerned. Output is deterministic (seeded); run from the repository root:

    python3 tests/surveys/data/make_evaluation.py
"""

import csv
import random
from pathlib import Path

SEED = 2019
OUT = Path(__file__).resolve().parent / "evaluation_2019.csv"

# site -> (trust ODS code, trainees, supervisors)
SITES = {
    "A": ("RK9", 26, 15),
    "B": ("RH8", 15, 41),
    "C": ("RA7", 25, 25),
    "D": ("RVJ", 14, 16),
    "E": ("RBZ", 5, 6),
    "F": ("RA3", 4, 4),
    "G": ("RNZ", 9, 11),
    "H": ("RTE", 14, 52),
}
N_TRAINEE, N_SUPERVISOR = 112, 170

GRADES = [
    ("F1", 3),
    ("F2", 4),
    ("CT1", 9),
    ("CT2", 8),
    ("ST1", 8),
    ("ST2", 8),
    ("ST3", 16),
    ("ST4", 10),
    ("ST5", 10),
    ("ST6", 13),
    ("ST7", 7),
    ("ST8", 5),
    ("non_training", 11),
]
EARLY = {"F1", "F2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3"}
LATE = {"ST4", "ST5", "ST6", "ST7", "ST8"}

SPECIALTIES = [
    ("surgical", 12),
    ("ophthalmology", 2),
    ("anaesthetics", 12),
    ("medical", 26),
    ("emergency_medicine", 7),
    ("paediatrics", 8),
    ("obstetrics_gynaecology", 4),
    ("psychiatry", 20),
    ("radiology", 4),
    ("pathology", 3),
    ("general_practice", 9),
    ("other", 5),
]

TRAINEE_LIKERT = {
    "t_leader": 78,
    "t_important": 94,
    "t_interested": 83,
    "t_senior": 38,
    "t_discussed_es": 51,
    "t_access": 65,
    "t_support_programme": 67,
    "t_support_trust": 54,
    "t_env_varies": 86,
    "t_need": 92,
}
SUPERVISOR_LIKERT = {
    "e_important": 98,
    "e_all_years": 89,
    "e_senior_only": 26,
    "e_discuss": 82,
    "e_knowledge": 70,
    "e_skills": 74,
    "e_opportunities": 53,
    "e_gpc_ready": 34,
}
# (trainee %, supervisor %)
BOTH_LIKERT = {
    "c_know": (49, 55),
    "c_understand": (31, 39),
    "c_supported": (33, 40),
}
# activity -> (trainee done %, trainee interest %, supervisor value %)
ACTIVITIES = {
    "qi": (80, 52, 91),
    "rca": (12, 40, 63),
    "mentoring": (36, 62, 60),
    "course": (38, 63, 63),
    "human_factors": (38, 45, 65),
    "qualification": (8, 54, 24),
    "shadow_management": (8, 44, 71),
    "shadow_clinical": (8, 48, 76),
    "management_role": (22, 28, 68),
    "online_course": (14, 33, 35),
    "online_resources": (7, 20, 30),
    "other": (11, 4, 4),
}
USEFULNESS = {
    "u_projects": 93,
    "u_roles": 95,
    "u_shadowing": 93,
    "u_induction": 92,
    "u_develop": 96,
    "u_senior_meetings": 92,
    "u_fora": 90,
}

ACTIVITY_TRAINEE_COLS = [c for a in ACTIVITIES for c in (f"done_{a}", f"interest_{a}")]
VALUE_COLS = [f"value_{a}" for a in ACTIVITIES]
ITEM_COLS = (
    list(TRAINEE_LIKERT)
    + list(SUPERVISOR_LIKERT)
    + list(BOTH_LIKERT)
    + ACTIVITY_TRAINEE_COLS
    + VALUE_COLS
    + list(USEFULNESS)
)
HEADER = ["trust", "role", "grade", "specialty"] + ITEM_COLS

TRAINEE_ONLY = set(TRAINEE_LIKERT) | set(ACTIVITY_TRAINEE_COLS)
SUPERVISOR_ONLY = set(SUPERVISOR_LIKERT) | set(VALUE_COLS) | set(USEFULNESS)
YESNO = set(ACTIVITY_TRAINEE_COLS) | set(VALUE_COLS)

# Published (role, item) -> %
PUBLISHED = {}
for item, p in TRAINEE_LIKERT.items():
    PUBLISHED["trainee", item] = p
for item, p in SUPERVISOR_LIKERT.items():
    PUBLISHED["supervisor", item] = p
for item, (pt, ps) in BOTH_LIKERT.items():
    PUBLISHED["trainee", item] = pt
    PUBLISHED["supervisor", item] = ps
for a, (done, interest, value) in ACTIVITIES.items():
    PUBLISHED["trainee", f"done_{a}"] = done
    PUBLISHED["trainee", f"interest_{a}"] = interest
    PUBLISHED["supervisor", f"value_{a}"] = value
for item, p in USEFULNESS.items():
    PUBLISHED["supervisor", item] = p


def pct(agree, answered):
    """round-half-up(100 * agree / answered), in exact integer arithmetic."""
    return (200 * agree + answered) // (2 * answered)


def agree_count(p, n):
    """The count k of n closest to p% whose rounded percentage is exactly p."""
    ks = [k for k in range(n + 1) if pct(k, n) == p]
    assert ks, (p, n)
    return min(ks, key=lambda k: (abs(100 * k - p * n), k))


def stage(grade):
    if grade in EARLY:
        return "early"
    if grade in LATE:
        return "late"
    return "non_training"


# Stage-split plans for trainee items: stage -> (agree, answered).
STAGE_PLANS = {
    # early 39/56 = 70%, late 39/45 = 87%, overall 87/112 = 78%
    "t_leader": {"early": (39, 56), "late": (39, 45), "non_training": (9, 11)},
    # early 20/54 = 37% (2 blank), late 17/44 = 39% (1 blank),
    # overall 41/109 = 38%
    "t_senior": {"early": (20, 54), "late": (17, 44), "non_training": (4, 11)},
}
STAGE_TARGETS = {"t_leader": {"early": 70, "late": 87}, "t_senior": {"early": 37, "late": 39}}


def build_rows():
    rng = random.Random(SEED)

    # Respondent skeletons, site by site: trainees then supervisors.
    trainees, supervisors = [], []
    for _site, (trust, nt, ns) in SITES.items():
        trainees += [{"trust": trust, "role": "trainee"} for _ in range(nt)]
        supervisors += [{"trust": trust, "role": "supervisor"} for _ in range(ns)]

    grades = [g for g, n in GRADES for _ in range(n)]
    specialties = [s for s, n in SPECIALTIES for _ in range(n)]
    rng.shuffle(grades)
    rng.shuffle(specialties)
    for row, g, s in zip(trainees, grades, specialties, strict=True):
        row["grade"], row["specialty"] = g, s
    for row in supervisors:
        row["grade"], row["specialty"] = "", ""

    def answer(col, agree):
        if col in YESNO:
            return 1 if agree else 0
        return rng.choice((4, 5, 6)) if agree else rng.choice((1, 2, 3))

    def fill(rows, col, k, answered=None):
        """Give k of `answered` rows an agree answer; rows beyond are blank."""
        idx = list(range(len(rows)))
        rng.shuffle(idx)
        answered = len(rows) if answered is None else answered
        for pos, i in enumerate(idx):
            if pos >= answered:
                rows[i][col] = ""
            else:
                rows[i][col] = answer(col, pos < k)

    for (role, col), p in PUBLISHED.items():
        rows = trainees if role == "trainee" else supervisors
        if col in STAGE_PLANS:
            for st, (k, answered) in STAGE_PLANS[col].items():
                group = [r for r in rows if stage(r["grade"]) == st]
                fill(group, col, k, answered)
        else:
            fill(rows, col, agree_count(p, len(rows)))

    for row in trainees:
        for col in SUPERVISOR_ONLY:
            row[col] = ""
    for row in supervisors:
        for col in TRAINEE_ONLY:
            row[col] = ""
    return trainees + supervisors


def is_agree(col, value):
    return value == 1 if col in YESNO else value >= 4


def tally(rows, col):
    answered = [r[col] for r in rows if r[col] != ""]
    return sum(is_agree(col, v) for v in answered), len(answered)


def verify(rows):
    trainees = [r for r in rows if r["role"] == "trainee"]
    supervisors = [r for r in rows if r["role"] == "supervisor"]
    assert len(trainees) == N_TRAINEE and len(supervisors) == N_SUPERVISOR
    assert len(rows) == 282

    for site, (trust, nt, ns) in SITES.items():
        assert sum(r["trust"] == trust for r in trainees) == nt, site
        assert sum(r["trust"] == trust for r in supervisors) == ns, site

    for g, n in GRADES:
        assert sum(r["grade"] == g for r in trainees) == n, g
    for s, n in SPECIALTIES:
        assert sum(r["specialty"] == s for r in trainees) == n, s
    stages = [stage(r["grade"]) for r in trainees]
    assert stages.count("early") == 56
    assert stages.count("late") == 45
    assert stages.count("non_training") == 11
    assert all(r["grade"] == "" and r["specialty"] == "" for r in supervisors)

    for (role, col), p in PUBLISHED.items():
        group = trainees if role == "trainee" else supervisors
        agree, answered = tally(group, col)
        assert answered > 0 and pct(agree, answered) == p, (role, col, agree, answered, p)

    for col, targets in STAGE_TARGETS.items():
        for st, p in targets.items():
            agree, answered = tally([r for r in trainees if stage(r["grade"]) == st], col)
            assert pct(agree, answered) == p, (col, st, agree, answered, p)

    for row in rows:
        assert set(row) == set(HEADER)
        own = TRAINEE_ONLY if row["role"] == "trainee" else SUPERVISOR_ONLY
        other = SUPERVISOR_ONLY if row["role"] == "trainee" else TRAINEE_ONLY
        assert all(row[c] == "" for c in other), row
        for c in own | set(BOTH_LIKERT):
            v = row[c]
            if c in ("t_senior",) and v == "":
                continue
            assert v != "", (row["role"], c)
            assert v in ((0, 1) if c in YESNO else range(1, 7)), (c, v)
    blanks = sum(r["t_senior"] == "" for r in trainees)
    assert blanks == 3, blanks


def main():
    rows = build_rows()
    verify(rows)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
