"""The domain core behaves alike as Python and compiled with mypyc (setup.py).

CI runs the suite twice: on an editable install (plain Python) and on an
installed wheel (compiled), where JIXIAO_EXPECT_COMPILED=1 makes sure the wheel
really is compiled rather than silently fallen back to Python."""

from __future__ import annotations

import copy
import importlib
import os
import pickle
import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao import samples, templates
from jixiao.domain.audit.finding import RULES, Finding, Severity
from jixiao.domain.audit.settings import settings
from jixiao.domain.recompute import recompute
from jixiao.domain.targets import Op, Target, parse_target
from jixiao.readers import read_path

SETUP = Path(__file__).resolve().parents[2] / "setup.py"


def compiled_modules() -> list[str]:
    """The modules setup.py compiles, by name."""
    paths = re.findall(r'"src/(jixiao/[\w/]+)\.py"', SETUP.read_text(encoding="utf-8"))
    return [p.replace("/", ".").removesuffix(".__init__") for p in paths]


def test_setup_names_the_core():
    names = compiled_modules()
    assert "jixiao.domain.audit.text" in names and "jixiao.domain.scoring" in names
    for name in names:
        importlib.import_module(name)  # every one exists


@pytest.mark.skipif(
    not os.environ.get("JIXIAO_EXPECT_COMPILED"), reason="set by CI for the compiled wheel"
)
def test_the_wheel_is_compiled():
    plain = [
        name
        for name in compiled_modules()
        if importlib.import_module(name).__file__.endswith(".py")
    ]
    assert plain == [], f"not compiled: {plain}"


def test_frozen_values_pickle():
    # The workers of a batch import send forms and findings between processes.
    target = parse_target("≥90.00(%)；含复评")
    assert target == Target(Op.GE, Decimal("90.00"), "%", "含复评")
    assert pickle.loads(pickle.dumps(target)) == target
    finding = Finding(
        "score-above-points",
        Severity.ERROR,
        "indicators[3].score",
        "得分高于分值",
        "score above points",
        "12",
        "10",
        "12 > 10",
    )
    assert pickle.loads(pickle.dumps(finding)) == finding
    for value in (RULES[finding.code], settings(templates.load("national-2020"))):
        assert copy.deepcopy(value) == value and pickle.loads(pickle.dumps(value)) == value


def test_figures_copy_and_pickle():
    # A figure's explanation may hold the template (written when asked), whose
    # caches hold functions: such a figure copies, but only one of plain values pickles.
    forms = [form for path in samples.paths() for form in read_path(path)]
    checks = [check for form in forms for check in recompute(form, templates.load(form.template))]
    assert any(check.by_rounding for check in checks) and any(
        check.figure.low is not None for check in checks
    )
    plain = [check for check in checks if isinstance(check.figure.why, str)]
    assert plain
    for check in checks:
        copies = [copy.copy(check)] + (
            [pickle.loads(pickle.dumps(check))] if check in plain else []
        )
        for again in copies:
            assert (
                again.field,
                again.printed,
                again.status,
                dict(again.by_rounding),
                again.label,
            ) == (check.field, check.printed, check.status, dict(check.by_rounding), check.label)
            figure, before = copy.copy(again.figure), check.figure
            assert (figure.value, figure.low, figure.high, figure.raw, figure.explanation) == (
                before.value,
                before.low,
                before.high,
                before.raw,
                before.explanation,
            )


def test_forms_copy_and_pickle_whole():
    # Compiled, the model's classes are native: a form must come back from a worker
    # and from copy.deepcopy with every field, its sources (not compared) included.
    forms = [form for path in samples.paths() for form in read_path(path)]
    assert any(form.sources for form in forms) and any(form.indicators for form in forms)
    for form in forms:
        for again in (pickle.loads(pickle.dumps(form)), copy.deepcopy(form)):
            assert again == form and again.sources == form.sources
            assert type(again.funding.total) is type(form.funding.total)
            assert [i.target_parsed for i in again.indicators] == [
                i.target_parsed for i in form.indicators
            ]
