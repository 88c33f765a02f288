"""Every layout of the national family in every text shape of real web pages.

Each form of tests/fixtures/family is laid out as its template prints it (the
grid the exports draw), then written as web archives store tables — cells
between pipes, the same with empty cells dropped and the row padded, one cell a
line, running lines — and read back as text: every printed field comes back."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.domain.model import Source
from jixiao.readers import read_path
from jixiao.readers.grid import Span, to_rows
from jixiao.readers.text import read_text
from jixiao.writers.layout import layout
from tests.unit.test_shapes import _squashed

from .test_family_round_trip import FAMILY, FORMS, _printed


def _rows(form, template) -> list[list[str]]:
    grid = layout(form, template)
    spans = [Span(c.row, c.col, c.text, c.rows, c.cols) for c in grid.cells]
    table = [list(r.cells) for r in to_rows(spans, lambda row, col: Source("x", line=row + 1))]
    titles = [[grid.title]] + ([[grid.subtitle]] if grid.subtitle else [])
    return titles + [[c.replace("\n", "") for c in cells] for cells in table]


SHAPES = {
    "bare-lines": lambda rows: "\n".join(c for cells in rows for c in cells),
    "pipes": lambda rows: "\n".join(" | ".join(cells) + " |" for cells in rows),
    "pipes-padded": lambda rows: "\n".join(
        " | ".join(c for c in cells if c) + " | " + "|" * 6 for cells in rows
    ),
    "one-cell-a-line": lambda rows: "\n".join(
        f"{c} |" if c else "|" for cells in rows for c in cells
    ),
    "running": lambda rows: "\n".join(
        " ".join(c.replace(" ", "") for c in cells if c) for cells in rows
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", FORMS)
def test_a_family_form_reads_the_same_in_every_text_shape(name, shape):
    (form,) = read_path(FAMILY / f"{name}.json")
    template = templates.load(form.template)
    text = SHAPES[shape](_rows(form, template))
    (back,) = read_text(text, f"{name}.{shape}.txt")
    assert back.template == form.template
    want = _squashed(_printed(evaluation_dict(form), template))
    assert _squashed(_printed(evaluation_dict(back), template)) == want


SHAPE_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"


def test_the_committed_shape_fixtures_are_the_family_forms():
    """bench/bench_mutations.py damages these files: they must still be the forms."""
    from tests.fixtures.shapes.make_shapes import FILES

    for file, (name, _shape) in FILES.items():
        (form,) = read_path(FAMILY / f"{name}.json")
        template = templates.load(form.template)
        (back,) = read_path(SHAPE_FIXTURES / file)
        want = _squashed(_printed(evaluation_dict(form), template))
        assert _squashed(_printed(evaluation_dict(back), template)) == want, file
    (page,) = read_path(SHAPE_FIXTURES / "department.html")
    assert page.template == "national-department" and len(page.indicators) == 5
    (run,) = read_path(SHAPE_FIXTURES / "transfer-glued.txt")
    assert run.total == 99 and len(run.indicators) == 4
