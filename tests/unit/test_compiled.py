"""The domain core behaves alike as Python and compiled with mypyc (setup.py).

CI runs the suite twice: on an editable install (plain Python) and on an
installed wheel (compiled), where JIXIAO_EXPECT_COMPILED=1 makes sure the wheel
really is compiled rather than silently fallen back to Python."""

from __future__ import annotations

import importlib
import os
import pickle
import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.domain.audit.finding import Finding, Severity
from jixiao.domain.targets import Op, Target, parse_target

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


@pytest.mark.skipif(not os.environ.get("JIXIAO_EXPECT_COMPILED"), reason="set by CI for the compiled wheel")
def test_the_wheel_is_compiled():
    plain = [name for name in compiled_modules() if importlib.import_module(name).__file__.endswith(".py")]
    assert plain == [], f"not compiled: {plain}"


def test_frozen_values_pickle():
    # The workers of a batch import send forms and findings between processes.
    target = parse_target("≥90.00(%)；含复评")
    assert target == Target(Op.GE, Decimal("90.00"), "%", "含复评")
    assert pickle.loads(pickle.dumps(target)) == target
    finding = Finding("score-above-points", Severity.ERROR, "indicators[3].score", "得分高于分值",
                      "score above points", "12", "10", "12 > 10")
    assert pickle.loads(pickle.dumps(finding)) == finding
