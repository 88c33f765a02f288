"""Every seed form (23: 001–003 of the 2023 template, 000 and 004 of the old
Shanghai one) written by the project's writers as xlsx, PDF and docx, then read
back by the readers of those formats: the same model.

Compared: every field of the JSON contract (``evaluation_dict``) except
``source`` (the file and form number: a different file), ``sources`` (page and
cell or sheet and cell instead of text lines) and ``problems`` (the seed's
extraction damage, such as a split figure, is repaired in the model and not
printed again, so its repair notes do not come back). For PDF only, text values
are compared without whitespace: a space printed where a line wraps is not in
the PDF's text, so "① 预算" wrapped after ① reads back "①预算". Figures,
labels and every other value are compared exactly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.domain.model import Evaluation
from jixiao.domain.normalize import squash
from jixiao.readers import read_path
from jixiao.writers import Format, write_form
from tests.conftest import seed_path

pytestmark = pytest.mark.seeds

SEED_FORMS = (
    [("000", n) for n in range(3)]
    + [("001", n) for n in range(2)]
    + [("002", n) for n in range(4)]
    + [("003", n) for n in range(13)]
    + [("004", 0)]
)
IDS = [f"{seed}-{n}" for seed, n in SEED_FORMS]
FORMATS = [Format.XLSX, Format.PDF, Format.DOCX]
NOT_COMPARED = ("source", "sources", "problems")
TEXT_KEYS = {
    "name",
    "department",
    "unit",
    "division",
    "expected",
    "actual",
    "target",
    "deviation",
    "rule",
    "explanation",
    "achievements",
    "problems_found",
    "improvements",
    "text",
    "note",
    "grade",
    "level1",
    "level2",
}


@cache
def _forms(seed: str) -> tuple[Evaluation, ...]:
    return tuple(read_path(seed_path(seed)))


@pytest.fixture(scope="session")
def written(tmp_path_factory):
    """Each seed form written once per format in the session: (seed, n, fmt) → path."""
    folder = tmp_path_factory.mktemp("roundtrip")
    done: dict[tuple[str, int, Format], Path] = {}

    def get(seed: str, n: int, fmt: Format) -> Path:
        if (seed, n, fmt) not in done:
            ev = _forms(seed)[n]
            path = folder / f"{seed}-{n}.{fmt.value}"
            write_form(ev, templates.load(ev.template), fmt, path)
            done[(seed, n, fmt)] = path
        return done[(seed, n, fmt)]

    return get


def contract(ev: Evaluation) -> dict:
    data = evaluation_dict(ev)
    for key in NOT_COMPARED:
        data.pop(key, None)
    return data


def without_wrap_spaces(value, key: str | None = None):
    """Text values with whitespace removed, recursively; figures untouched."""
    if isinstance(value, dict):
        return {k: without_wrap_spaces(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [without_wrap_spaces(v, key) for v in value]
    if isinstance(value, str) and key in TEXT_KEYS:
        return squash(value)
    return value


def test_the_seeds_hold_23_forms():
    assert sum(len(_forms(s)) for s in ("000", "001", "002", "003", "004")) == len(SEED_FORMS) == 23


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.value for f in FORMATS])
@pytest.mark.parametrize(("seed", "n"), SEED_FORMS, ids=IDS)
def test_written_form_reads_back_to_the_same_model(written, seed, n, fmt):
    ev = _forms(seed)[n]
    back = read_path(written(seed, n, fmt))
    assert len(back) == 1
    expected, got = contract(ev), contract(back[0])
    if fmt is Format.PDF:
        expected, got = without_wrap_spaces(expected), without_wrap_spaces(got)
    assert got == expected


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.value for f in FORMATS])
def test_every_value_read_back_says_where_it_is(written, fmt):
    path = written("003", 4, fmt)
    ev = read_path(path)[0]
    assert ev.sources["project.name"].file == str(path)
    for key in ("project.name", "funding.executed", "indicators[0].score", "total"):
        source = ev.sources[key]
        assert source.cell, key
        if fmt is Format.PDF:
            assert source.page == 1
        elif fmt is Format.XLSX:
            assert source.sheet == "绩效自评表"
        else:
            assert source.cell.startswith("T")


def test_a_form_over_two_pdf_pages_says_which_page_each_value_is_on(written):
    ev = read_path(written("000", 0, Format.PDF))[0]
    assert ev.sources["project.name"].page == 1
    assert ev.sources[f"indicators[{len(ev.indicators) - 1}].score"].page == 2
    assert ev.sources["total"].page == 2
