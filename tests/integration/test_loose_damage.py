"""The old Shanghai reader under damage like PDF extraction's: lines split,
cells moved, characters dropped. It never raises anything but ReadError; what
it cannot read becomes a problem, and a damaged figure is either read as
printed or left empty — never read as some other figure."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import samples, templates
from jixiao.contract.json import evaluation_dict
from jixiao.domain.recompute import recompute
from jixiao.readers.base import ReadError
from jixiao.readers.text import read_text
from tests.conftest import seed_path

SAMPLE = next(p for p in samples.paths() if p.name == "shanghai-2019-tab.txt")

OPS = (
    "split_line",
    "split_cell",
    "move_cell",
    "shift_cell",
    "drop_char",
    "drop_line",
    "merge_lines",
)
damage = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1,
    max_size=6,
)


def apply(text: str, ops: list[tuple[str, int, int]]) -> str:
    lines = text.split("\n")
    for op, a, b in ops:
        i = a % len(lines)
        line, cells = lines[i], lines[i].split("\t")
        c = b % len(cells)
        if op == "split_line":
            pos = b % (len(line) + 1)
            lines[i : i + 1] = [line[:pos], line[pos:]]
        elif op == "split_cell" and cells[c]:
            pos = (b // 7) % len(cells[c])
            cells[c] = cells[c][:pos] + " " + cells[c][pos:]
            lines[i] = "\t".join(cells)
        elif op == "move_cell" and c + 1 < len(cells):
            cells[c], cells[c + 1] = cells[c + 1], cells[c]
            lines[i] = "\t".join(cells)
        elif op == "shift_cell":
            cells.insert(c, "")
            lines[i] = "\t".join(cells)
        elif op == "drop_char" and line:
            pos = b % len(line)
            lines[i] = line[:pos] + line[pos + 1 :]
        elif op == "drop_line" and len(lines) > 1:
            del lines[i]
        elif op == "merge_lines" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + "\t" + lines[i + 1]]
    return "\n".join(lines)


def read_or_refuse(text: str):
    """The forms, or None when the reader refused the file with a ReadError."""
    try:
        return read_text(text, "damaged.txt")
    except ReadError as error:
        assert error.file == "damaged.txt" and error.reason
        return None


def assert_usable(forms) -> None:
    """Every form read can be written as JSON and scored, and says what went wrong."""
    for ev in forms or ():
        json.dumps(evaluation_dict(ev), ensure_ascii=False)
        recompute(ev, templates.load(ev.template))
        assert all(p.field and p.message for p in ev.problems)


@cache
def _text(path) -> str:
    return path.read_text("utf-8")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=damage)
def test_damaged_sample_never_raises(ops):
    assert_usable(read_or_refuse(apply(_text(SAMPLE), ops)))


@pytest.mark.seeds
@pytest.mark.parametrize("number", ["000", "004"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=damage)
def test_damaged_seed_never_raises(number, ops):
    assert_usable(read_or_refuse(apply(_text(seed_path(number)), ops)))


# --- one figure damaged: read as printed, or left empty with a problem ----------------

# (line index in the sample, column, field path): the figures of the sample form.
FIGURES = [
    (3, 2, "funding.annual_budget"),
    (3, 6, "funding.prior_year_budget"),
    (4, 2, "funding.executed"),
    (4, 6, "funding.execution_rate"),
    *[
        (12 + n, column, f"indicators[{n}].{field}")
        for n in range(12)
        for column, field in ((3, "points"), (5, "score"))
    ],
    (24, 3, "total_points"),
    (24, 5, "total"),
]


def value_at(ev, path: str) -> Decimal | None:
    data = evaluation_dict(ev)
    for part in path.replace("[", ".").replace("]", "").split("."):
        data = data[int(part)] if part.isdigit() else data[part]
    return data


def _with_cell(text: str, line: int, column: int, change) -> tuple[str, str]:
    lines = text.split("\n")
    cells = lines[line].split("\t")
    printed = cells[column]
    cells[column] = change(printed)
    lines[line] = "\t".join(cells)
    return "\n".join(lines), printed


def _plain(printed: str) -> str:
    return printed.replace(",", "").rstrip("%")


@settings(max_examples=150, deadline=None)
@given(where=st.sampled_from(FIGURES), cut=st.integers(1, 20))
def test_a_figure_split_by_a_space_is_read_as_printed_or_not_at_all(where, cut):
    line, column, path = where
    original = read_text(_text(SAMPLE), "sample.txt")[0]

    def split(printed: str) -> str:
        at = 1 + cut % (len(printed) - 1) if len(printed) > 1 else 1
        return printed[:at] + " " + printed[at:]

    text, printed = _with_cell(_text(SAMPLE), line, column, split)
    if len(printed) < 2:
        return  # a one-digit figure cannot be split
    assert value_at(original, path) == _plain(printed)
    ev = read_text(text, "damaged.txt")[0]
    assert value_at(ev, path) in (value_at(original, path), None)
    assert any(p.field == path for p in ev.problems), ev.problems


@settings(max_examples=60, deadline=None)
@given(where=st.sampled_from(FIGURES))
def test_a_blank_figure_is_a_problem_on_its_field(where):
    line, column, path = where
    text, _ = _with_cell(_text(SAMPLE), line, column, lambda s: "")
    ev = read_text(text, "damaged.txt")[0]
    assert value_at(ev, path) is None
    assert any(p.field == path for p in ev.problems), ev.problems
