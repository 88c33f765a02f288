"""One form in every text shape real web pages store: it reads the same.

The sample forms of the national project layout (tab-separated, read by the table
recogniser) are rewritten in the other shapes seen on real pages — cells between
pipes a row a line, the same with the empty cells dropped and the row padded at
the end, one cell a line with empty cells as a bare ``|``, labels and values on
running lines — and each must give every field the tab-separated text gives."""

from __future__ import annotations

from importlib import resources

import pytest

from jixiao.contract.json import evaluation_dict
from jixiao.readers.shapes import Shape, shape_of, split_text
from jixiao.readers.text import read_text

SAMPLES = ("national-2023-tab.txt", "national-2023-slips.txt")


def _sample(name: str) -> str:
    return resources.files("jixiao.samples").joinpath(name).read_text("utf-8")


def _lines(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("\t")] for line in text.splitlines() if line.strip()]


def pipes(text: str) -> str:
    return "\n".join(" | ".join(cells) + " |" for cells in _lines(text))


def pipes_padded(text: str) -> str:
    """Empty cells dropped, the row padded with bare pipes, as web archives store tables."""
    return "\n".join(" | ".join(c for c in cells if c) + " | " + "|" * 6 for cells in _lines(text))


def one_cell_a_line(text: str) -> str:
    return "\n".join(f"{c} |" if c else "|" for cells in _lines(text) for c in cells)


def running(text: str) -> str:
    """Cells on running lines separated by spaces (spaces inside a cell dropped)."""
    return "\n".join(" ".join(c.replace(" ", "") for c in cells if c) for cells in _lines(text))


def ocr_spaced(text: str) -> str:
    """Running lines as OCR gives them: a space between the Chinese characters of a
    word, cells apart by three spaces."""

    def spaced(cell: str) -> str:
        out = ""
        for a, b in zip(cell, cell[1:] + " ", strict=True):
            out += a + (" " if _han(a) and _han(b) else "")
        return out

    return "\n".join(
        "   ".join(spaced(c.replace(" ", "")) for c in cells if c) for cells in _lines(text)
    )


def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def bare_lines(text: str) -> str:
    """One cell a line with no separator, an empty cell an empty line."""
    return "\n".join(c for cells in _lines(text) for c in cells)


SHAPES = {
    "bare-lines": bare_lines,
    "ocr-spaced": ocr_spaced,
    "pipes": pipes,
    "pipes-padded": pipes_padded,
    "one-cell-a-line": one_cell_a_line,
    "running": running,
}


def _fields(form) -> dict:
    data = evaluation_dict(form)
    data.pop("source")
    data.pop("problems")
    data.pop("sources", None)
    return _squashed(data)


def _squashed(value):
    """Spaces inside texts do not count: the running shape cannot keep them."""
    if isinstance(value, dict):
        return {k: _squashed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_squashed(v) for v in value]
    return value.replace(" ", "") if isinstance(value, str) else value


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_form_reads_the_same_in_every_shape(sample, shape):
    text = _sample(sample)
    want = [_fields(f) for f in read_text(text, sample)]
    got = [_fields(f) for f in read_text(SHAPES[shape](text), f"{sample}:{shape}")]
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a == b


def test_the_shape_of_a_text_is_told_by_its_lines():
    text = _sample(SAMPLES[0])
    assert shape_of(text) is Shape.TABS
    assert shape_of(pipes(text)) is Shape.PIPES
    assert shape_of(one_cell_a_line(text)) is Shape.PIPES
    assert shape_of(running(text)) is Shape.RUNNING
    assert shape_of(bare_lines(text)) is Shape.LINES
    assert shape_of("项目名称某项目主管部门某局实施单位某中心年度资金总额:10") is Shape.GLUED


def test_an_empty_cell_keeps_its_place_and_the_line_end_pipe_ends_the_last_cell():
    _, rows = split_text("a | | b |\n|\nc |", "x.txt")
    assert [r.cells for r in rows] == [("a", "", "b"), ("",), ("c",)]
    assert [r.source.line for r in rows] == [1, 2, 3]


def test_a_markdown_rule_line_is_not_a_row():
    _, rows = split_text("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |", "x.md")
    assert [r.cells for r in rows] == [("a", "b"), ("1", "2"), ("3", "4"), ("5", "6")]
