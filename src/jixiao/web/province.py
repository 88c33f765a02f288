"""``jixiao demo --synthetic N``: a synthetic province (合成数据) for demos and measurements.

One 财政厅 (the tree's 财政局), 主管部门 named after district and field (临江区水务局),
实施单位 under each (the district's own and a few of its towns'), one filler account
per unit and one reviewer per department. Each project is evaluated every year asked
for, so year-on-year exists; the forms are correct ones from :mod:`jixiao.testing.synth`
(national-2020, 万元 and 元 mixed), moved through the workflow to draft, submitted,
returned or approved (older years mostly approved), some with 复核 scores.

A known share of the forms (``slip_rate``) carries one planted slip, one kind each in
turn (:data:`SLIPS`); :class:`Planted` records which form got which, so tests and demos
can check the attention list (关注清单) against them.

Rows are written in batches (``bulk_create``) with their roll-up columns filled as a
save fills them (``actions.forms.store``) and every workflow step on the hash-chained
trail (``actions.trail.append_many``), exactly the events the actions would have written
(``jixiao verify-trail`` holds afterwards).
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import OuterRef, Subquery

from jixiao import templates
from jixiao.domain import scoring, trail
from jixiao.domain.model import Evaluation as Form
from jixiao.domain.workflow import Role, State
from jixiao.testing import synth
from jixiao.web.demo import Account
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.evaluations.selectors.attention import thresholds
from jixiao.web.orgs.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BUREAU = "合成省财政厅"
TEMPLATE = "national-2020"
TOWNS = ("城东", "城西", "城南", "城北", "新城", "滨江", "高新", "港口")
BATCH = 500

SLIPS = ("score-above-points", "low-execution", "goals-copied", "grade-out-of-band", "review-gap")
"""The kinds of planted slip: a score above its points (an error finding), 执行率 below 60%
with every indicator at full points, 实际完成情况 copied from 预期目标, a grade one band off
its total, and self scores 10+ points above the 复核 scores."""

# The share of each state, by how many years before the latest the form is.
STATE_SHARES = (
    {State.DRAFT: 25, State.SUBMITTED: 35, State.RETURNED: 10, State.APPROVED: 30},
    {State.DRAFT: 2, State.SUBMITTED: 8, State.RETURNED: 3, State.APPROVED: 87},
    {State.SUBMITTED: 2, State.RETURNED: 1, State.APPROVED: 97},
)
RETURN_COMMENT = "请补充偏差原因分析，核实实际完成值后重新提交。"
ACKNOWLEDGED = "已核实，按原始记录填报。"


class ProvinceExists(Exception):
    """The synthetic province is already in the database."""


@dataclass(frozen=True)
class Planted:
    """A form with a planted slip: which evaluation, project and year, and the kind."""

    evaluation_id: int
    code: str
    year: int
    kind: str


@dataclass
class Province:
    accounts: list[Account]
    evaluations: int
    planted: list[Planted]


def exists() -> bool:
    return Organisation.objects.filter(name=BUREAU, kind=Organisation.Kind.BUREAU).exists()


def load(
    count: int,
    years: list[int],
    seed: int = 0,
    slip_rate: float = 0.05,
    progress: Callable[[int], None] | None = None,
) -> Province:
    """Make ``count`` evaluations over ``years`` (seeded: the same arguments make the same
    province); ``progress(n)`` is told of every ``n`` forms written."""
    if exists():
        raise ProvinceExists(f"合成数据（{BUREAU}）已存在，未重复创建")
    if count < 1 or not years or not 0 <= slip_rate <= 1:
        raise ValueError("合成数据：份数至少为 1，年度至少一个，差错率在 0–1 之间")
    rng = random.Random(seed)
    template = templates.load(TEMPLATE)
    years = sorted(set(years))
    slots = [(n // len(years), years[n % len(years)]) for n in range(count)]  # (project, year)
    planted_at = rng.sample(range(count), round(count * slip_rate))
    kinds = {slot: SLIPS[n % len(SLIPS)] for n, slot in enumerate(planted_at)}
    with transaction.atomic():
        tree = _tree(rng, math.ceil(count / len(years)))
    planted: list[Planted] = []
    for start in range(0, count, BATCH):
        chosen = range(start, min(start + BATCH, count))
        made = [
            _made(rng, template, tree, n, *slots[n], years[-1] - slots[n][1], kinds.get(n))
            for n in chosen
        ]
        planted += _write(made)
        if progress:
            progress(len(made))
    actions.counts.rebuild()  # the rows were stored in batches, not by the actions: counted once
    return Province(tree.accounts, count, planted)


# --- the tree ---------------------------------------------------------------------------------


@dataclass
class _Tree:
    projects: list[Project]
    places: list[tuple[str, synth.Theme]]  # each project's district and field
    fillers: dict[int, User]  # unit id → user
    reviewers: dict[int, User]  # department id → user
    accounts: list[Account]


def _tree(rng: random.Random, projects: int) -> _Tree:
    """The bureau, ⌈projects ÷ 40⌉ departments (2–80), units under each (≤ 9) and the projects
    dealt to the units in turn; the accounts, three with a one-time password."""
    kind = Organisation.Kind
    bureau = Organisation.objects.create(name=BUREAU, kind=kind.BUREAU)
    places = [(d, t) for d in synth.DISTRICTS for t in synth.THEMES]
    departments = min(len(places), max(2, math.ceil(projects / 40)))
    per_department = min(1 + len(TOWNS), max(1, math.ceil(projects / 9 / departments)))
    depts = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{d}{t.department}", kind=kind.DEPARTMENT, parent=bureau)
            for d, t in places[:departments]
        ]
    )
    units = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{d}{'' if k == 0 else TOWNS[k - 1]}{t.unit}", kind=kind.UNIT, parent=dept
            )
            for dept, (d, t) in zip(depts, places)
            for k in range(per_department)
        ]
    )
    users = _users(
        [("syn-admin", bureau, Role.ADMIN)]
        + [(f"syn-reviewer-{n + 1:02d}", dept, Role.REVIEWER) for n, dept in enumerate(depts)]
        + [(f"syn-filler-{n + 1:03d}", unit, Role.FILLER) for n, unit in enumerate(units)]
    )
    place_of = {dept.pk: place for dept, place in zip(depts, places)}
    rows, project_places = [], []
    for n in range(projects):
        unit = units[n % len(units)]
        district, theme = place_of[synth.known(unit.parent_id)]
        name = (
            f"{unit.name.removesuffix(theme.unit)}{theme.subject}{rng.choice(synth.NAME_ENDINGS)}"
        )
        rows.append(Project(code=f"SYN-{n + 1:06d}", name=name, unit=unit))
        project_places.append((district, theme))
    made = Project.objects.bulk_create(rows)
    actions.trail.record_many([*depts, *units, *users.values(), *made])  # no signals in bulk
    accounts = [
        _password(users[name], role, org)
        for name, role, org in (
            ("syn-admin", Role.ADMIN, bureau),
            ("syn-reviewer-01", Role.REVIEWER, depts[0]),
            ("syn-filler-001", Role.FILLER, units[0]),
        )
    ]
    return _Tree(
        made,
        project_places,
        {u.pk: users[f"syn-filler-{n + 1:03d}"] for n, u in enumerate(units)},
        {d.pk: users[f"syn-reviewer-{n + 1:02d}"] for n, d in enumerate(depts)},
        accounts,
    )


def _users(places: list[tuple[str, Organisation, Role]]) -> dict[str, User]:
    """One account per place, no usable password (the three of :func:`_password` get one)."""
    model = get_user_model()
    made = model.objects.bulk_create(
        [model(username=name, password=make_password(None)) for name, _o, _r in places]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=org, role=role.value)
            for user, (_n, org, role) in zip(made, places)
        ]
    )
    return {user.username: user for user in made}


def _password(user, role: Role, org: Organisation) -> Account:
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = user.is_superuser = role is Role.ADMIN
    user.save()
    return Account(user.username, password, role, org.name)


# --- one form ------------------------------------------------------------------------------


Step = tuple[str, "User", list[dict], str]  # (action, actor, diff, comment)


@dataclass
class _Made:
    evaluation: Evaluation
    steps: list[Step]  # after create
    states: list[tuple[str, str]]  # (from, to) of each step
    filler: User
    kind: str | None


def _made(
    rng: random.Random,
    template,
    tree: _Tree,
    index: int,
    project_no: int,
    year: int,
    age: int,
    kind: str | None,
) -> _Made:
    project = tree.projects[project_no]
    district, theme = tree.places[project_no]
    form = synth.form(rng, template, index, "synthetic", theme=theme, district=district, year=year)
    # clean means clean
    while (
        kind is None and synth.known(form.funding.total.execution_rate) < thresholds().low_execution
    ):
        form = synth.form(
            rng, template, index, "synthetic", theme=theme, district=district, year=year
        )
    form = replace(
        form,
        project=replace(
            form.project,
            name=f"{project.name}（{year}年）",
            unit=project.unit.name,
            department=synth.known(project.unit.parent).name,
        ),
    )
    if kind is not None and kind != "review-gap":
        form = PLANT[kind](rng, form, template)
    state = _state(rng, age, kind)
    ev = Evaluation(project=project, year=year, state=State.DRAFT.value, version=1)
    if state in (State.SUBMITTED, State.APPROVED) and (kind == "review-gap" or rng.random() < 0.5):
        ev.review_scores = _review(rng, form, far=kind == "review-gap")
    actions.forms.store(evaluation=ev, form=form)
    return _Made(ev, *_steps(ev, state, tree, project), tree.fillers[project.unit_id], kind)


def _state(rng: random.Random, age: int, kind: str | None) -> State:
    shares = STATE_SHARES[min(age, len(STATE_SHARES) - 1)]
    if kind == "review-gap":  # a 复核 score needs a submitted form
        shares = {s: n for s, n in shares.items() if s in (State.SUBMITTED, State.APPROVED)}
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _steps(
    ev: Evaluation, state: State, tree: _Tree, project: Project
) -> tuple[list[Step], list[tuple[str, str]]]:
    """The workflow steps to ``state`` as the actions record them; sets the form's state,
    version and acknowledgements."""
    filler = tree.fillers[project.unit_id]
    reviewer = tree.reviewers[synth.known(project.unit.parent_id)]
    steps: list[Step] = []
    states: list[tuple[str, str]] = []
    if state is State.DRAFT:
        return steps, states
    acks = {f["key"]: ACKNOWLEDGED for f in ev.findings if f["severity"] == "error"}
    steps.append(
        (
            "submit",
            filler,
            _moved(State.DRAFT, State.SUBMITTED)
            + trail.field_diff({"acknowledgements": {}}, {"acknowledgements": acks}),
            "",
        )
    )
    states.append((State.DRAFT.value, State.SUBMITTED.value))
    ev.acknowledgements = acks
    if ev.review_scores:
        steps.append(
            (
                "review_score",
                reviewer,
                trail.field_diff({"review_scores": {}}, {"review_scores": ev.review_scores}),
                "",
            )
        )
        states.append((State.SUBMITTED.value, State.SUBMITTED.value))
    if state in (State.RETURNED, State.APPROVED):
        action = "return" if state is State.RETURNED else "approve"
        steps.append(
            (
                action,
                reviewer,
                _moved(State.SUBMITTED, state),
                RETURN_COMMENT if action == "return" else "",
            )
        )
        states.append((State.SUBMITTED.value, state.value))
    ev.state = state.value
    ev.version = 1 + len(steps)
    return steps, states


def _moved(old: State, new: State) -> list[dict]:
    return [{"path": "state", "old": old.value, "new": new.value}]


def _review(rng: random.Random, form: Form, far: bool) -> dict[str, str]:
    """复核 scores: a point or two off one or two indicators, or (``far``) the largest
    indicators cut to 30% until the self scores are the attention list's review gap + 2 above."""
    scored = [
        (n, ind) for n, ind in enumerate(form.indicators) if ind.score is not None and ind.points
    ]
    out, gap, limit = {}, Decimal(0), thresholds().review_gap
    if far:
        for n, ind in sorted(scored, key=lambda item: -synth.known(item[1].points)):
            score = synth.known(ind.score)
            cut = (synth.known(ind.points) * Decimal("0.3")).quantize(Decimal("0.01"))
            if cut < score:
                out[f"indicators[{n}].score"], gap = str(cut), gap + score - cut
            if gap >= limit + 2:
                break
        return out
    for n, ind in rng.sample(scored, k=min(len(scored), rng.randint(1, 2))):
        out[f"indicators[{n}].score"] = str(
            max(
                Decimal(0),
                synth.known(ind.score) - rng.choice((Decimal(0), Decimal(1), Decimal(2))),
            )
        )
    return out


# --- planted slips -------------------------------------------------------------------------


def _rescored(form: Form, template, indicators) -> Form:
    """The form with new indicators, its total and grade added up again (as a filler's sheet would)."""
    parts = [("funding.score", form.funding.total.score)] + [
        (f"indicators[{n}].score", ind.score) for n, ind in enumerate(indicators)
    ]
    total = scoring.total_score(parts, template).value
    return replace(
        form,
        indicators=tuple(indicators),
        total=total,
        grade=synth.known(scoring.grade(total, template)[0]).label,
    )


def _above_points(rng: random.Random, form: Form, template) -> Form:
    n = rng.randrange(len(form.indicators))
    ind = form.indicators[n]
    over = replace(
        ind,
        score=synth.known(ind.points) + rng.choice((Decimal(1), Decimal(2), Decimal(5))),
        deviation=None,
    )
    return _rescored(form, template, [*form.indicators[:n], over, *form.indicators[n + 1 :]])


def _low_execution(rng: random.Random, form: Form, template) -> Form:
    """40–58% spent, the funding lines computed by the rules, every indicator at full points."""
    funding = form.funding
    total, carried = funding.total, funding.prior_year_carryover
    budget = synth.known(total.annual_budget)
    spent = (budget * Decimal(rng.randrange(40, 59)) / 100).quantize(Decimal("0.01"))
    spent = max(spent, carried.executed if carried and carried.executed else Decimal(0))

    def line(old, executed, scored):
        bare = replace(old, executed=executed, execution_rate=None, score=None)
        rate = scoring.execution_rate(bare, template).value
        return replace(
            bare,
            execution_rate=rate,
            score=scoring.execution_score(bare, template).value if scored else None,
        )

    current = funding.current_year_appropriation
    carried_spent = carried.executed if carried and carried.executed else Decimal(0)
    funding = replace(
        funding,
        total=line(total, spent, True),
        current_year_appropriation=line(current, spent - carried_spent, False) if current else None,
    )
    old, new = format(synth.known(total.executed).normalize(), "f"), format(spent.normalize(), "f")
    goals = replace(form.goals, actual=(form.goals.actual or "").replace(old, new))
    full = [replace(ind, score=ind.points, deviation=None) for ind in form.indicators]
    return _rescored(replace(form, funding=funding, goals=goals), template, full)


def _copied(rng: random.Random, form: Form, template) -> Form:
    return replace(form, goals=replace(form.goals, actual=form.goals.expected))


def _grade_off(rng: random.Random, form: Form, template) -> Form:
    """One band better than the total earns (one worse for the top band)."""
    ranked = sorted(template.grades, key=lambda g: -g.min)
    earned = ranked.index(scoring.grade(form.total, template)[0])
    return replace(form, grade=ranked[earned - 1 if earned else 1].label)


PLANT: dict[str, Callable[[random.Random, Form, object], Form]] = {
    "score-above-points": _above_points,
    "low-execution": _low_execution,
    "goals-copied": _copied,
    "grade-out-of-band": _grade_off,
}


# --- writing -------------------------------------------------------------------------------


def _write(made: list[_Made]) -> list[Planted]:
    """One batch in one transaction: the rows, then their events chained from the trail's
    head (:func:`jixiao.web.evaluations.actions.trail.append_many`)."""
    with transaction.atomic():
        Evaluation.objects.bulk_create([m.evaluation for m in made])
        actions.trail.append_many(events=[event for m in made for event in _events(m)])
        submitted_from_trail(Evaluation.objects.filter(pk__in=[m.evaluation.pk for m in made]))
    return [
        Planted(m.evaluation.pk, m.evaluation.project.code, m.evaluation.year, m.kind)
        for m in made
        if m.kind
    ]


def submitted_from_trail(rows) -> int:
    """``submitted_at`` of ``rows`` (forms stored in a batch) set from their trail: the latest
    submit event's time, as the submit step sets it."""
    submits = Event.objects.filter(evaluation=OuterRef("pk"), action="submit").order_by("-id")
    return rows.update(submitted_at=Subquery(submits.values("at")[:1]))


def _events(m: _Made) -> Iterator[Event]:
    """The form's events as the actions write them (time and hashes set by ``append_many``)."""
    ev = m.evaluation
    yield actions.trail.event(
        evaluation=ev,
        user=m.filler,
        action="create",
        state_from="",
        state_to=State.DRAFT.value,
        version=1,
        diff=trail.field_diff({}, ev.data),
    )
    for version, ((action, actor, diff, comment), (old, new)) in enumerate(
        zip(m.steps, m.states), start=2
    ):
        yield actions.trail.event(
            evaluation=ev,
            user=actor,
            action=action,
            state_from=old,
            state_to=new,
            version=version,
            diff=diff,
            comment=comment,
        )
