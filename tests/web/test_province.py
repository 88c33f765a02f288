"""The synthetic province of ``jixiao demo --synthetic N``: the tree, the workflow states,
the trail, the roll-up columns as a save fills them, and the planted slips on record."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from jixiao.web import province
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.orgs.models import Organisation

pytestmark = pytest.mark.django_db

YEARS = [2022, 2023, 2024]


@pytest.fixture
def made():
    return province.load(300, YEARS, seed=7, slip_rate=0.1)


def test_the_tree_and_the_accounts(made):
    kinds = Organisation.Kind
    assert Organisation.objects.get(kind=kinds.BUREAU).name == province.BUREAU
    departments = Organisation.objects.filter(kind=kinds.DEPARTMENT)
    assert departments.count() >= 2
    assert all(d.children.count() >= 2 for d in departments)
    assert Project.objects.count() == 100
    assert all(
        ev.project.unit.kind == kinds.UNIT
        for ev in Evaluation.objects.select_related("project__unit")
    )
    users = {a.username: get_user_model().objects.get(username=a.username) for a in made.accounts}
    assert all(users[a.username].check_password(a.password) for a in made.accounts)
    assert [a.role.value for a in made.accounts] == ["admin", "reviewer", "filler"]
    assert actions.access.visible(users["syn-admin"]).count() == 300


def test_every_project_every_year_and_all_states(made):
    assert made.evaluations == Evaluation.objects.count() == 300
    per_project = Counter(Evaluation.objects.values_list("project_id", flat=True))
    assert set(per_project.values()) == {3}
    assert set(Evaluation.objects.values_list("year", flat=True)) == set(YEARS)
    states = Counter(Evaluation.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "approved"} <= set(states)
    assert set(Evaluation.objects.filter(year=2022).values_list("state", flat=True)) <= {
        "submitted",
        "returned",
        "approved",
    }


def test_the_trail_holds_every_step(made):
    count, breaks, _head = actions.trail.verify()
    assert breaks == []
    assert count == Event.objects.count()
    for ev in Evaluation.objects.all():
        events = list(ev.events.order_by("id"))
        assert events[0].action == "create"
        assert [e.version for e in events] == list(range(1, ev.version + 1))
        assert events[-1].state_to == ev.state
        assert bool(ev.review_scores) == any(e.action == "review_score" for e in events)


def test_roll_up_columns_are_those_a_save_fills(made):
    names = [
        "budget_wan",
        "executed_wan",
        "execution_rate",
        "execution_score",
        "indicator_score",
        "review_total",
        "scale",
        "errors",
        "warnings",
        "notices",
        "indicator_points",
        "goals_copied",
        "grade_out_of_band",
        "error_codes",
        "total",
        "grade",
    ]
    for ev in Evaluation.objects.all():
        stored = [getattr(ev, n) for n in names]
        actions.forms.store(evaluation=ev, form=actions.forms.form_of(ev))
        assert [getattr(ev, n) for n in names] == stored, ev.project.code


def test_slips_are_planted_at_the_rate_and_recorded(made):
    assert len(made.planted) == 30
    assert Counter(p.kind for p in made.planted) == {kind: 6 for kind in province.SLIPS}
    by_id = {ev.pk: ev for ev in Evaluation.objects.select_related("project")}
    checks = {
        "score-above-points": lambda ev: "score-above-points" in ev.error_codes,
        "low-execution": lambda ev: (
            ev.execution_rate < 60 and ev.indicator_score == ev.indicator_points
        ),
        "goals-copied": lambda ev: (
            ev.goals_copied and ev.data["goals"]["actual"] == ev.data["goals"]["expected"]
        ),
        "grade-out-of-band": lambda ev: ev.grade_out_of_band,
        "review-gap": lambda ev: ev.execution_score + ev.indicator_score - ev.review_total >= 10,
    }
    for planted in made.planted:
        ev = by_id[planted.evaluation_id]
        assert (ev.project.code, ev.year) == (planted.code, planted.year)
        assert checks[planted.kind](ev), planted
    clean = [ev for pk, ev in by_id.items() if pk not in {p.evaluation_id for p in made.planted}]
    assert all(ev.errors == 0 and not ev.goals_copied and not ev.grade_out_of_band for ev in clean)


def test_a_second_province_is_refused(made):
    with pytest.raises(province.ProvinceExists):
        province.load(10, YEARS)


def _jixiao(*args: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_command_makes_a_province_the_trail_verifies_and_the_slips_are_listed(tmp_path):
    data = str(tmp_path / "data")
    made = _jixiao(
        "demo",
        "--synthetic",
        "60",
        "--years",
        "2023,2024",
        "--slip-rate",
        "0.1",
        "--data-dir",
        data,
    )
    assert made.returncode == 0, made.stderr
    assert (
        "已生成 60 份自评表" in made.stdout
        and "植入差错 6 份" in made.stdout
        and "syn-admin" in made.stdout
    )
    with open(tmp_path / "data" / "synthetic-slips.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 6 and {r["kind"] for r in rows} == set(province.SLIPS)
    assert {r["year"] for r in rows} <= {"2023", "2024"}
    verified = _jixiao("verify-trail", "--data-dir", data)
    assert verified.returncode == 0 and "审计链完整" in verified.stdout
    again = _jixiao("demo", "--synthetic", "10", "--data-dir", data)
    assert again.returncode == 2 and "已存在" in again.stderr
    wrong = _jixiao("demo", "--synthetic", "10", "--years", "二〇二三", "--data-dir", data)
    assert wrong.returncode == 2 and "--years" in wrong.stderr
