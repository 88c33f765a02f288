"""Text as web pages and archives store a form → rows of cells with their line.

The format half of reading text (the layout half is :mod:`jixiao.readers.family`).
The shapes seen on real pages:

* cells between pipes, a row a line, padded at the end (``a | b | ||||``);
* one cell a line, each ending in `` |``, an empty cell a bare ``|``;
* markdown tables (``| a | b |`` with a ``|---|`` line);
* tab-separated cells;
* one cell a line with no separator at all, an empty line an empty cell;
* labels and values on running lines separated by spaces
  (``预算数 6.84 到位数 6.84``);
* everything run together with no separator at all — one "cell" per line here;
  :mod:`jixiao.readers.family` cuts it at the labels it knows.

Every cell keeps its place: an empty cell between two pipes is an empty cell,
since in the one-cell-a-line shape the empty cells are the blank columns.
"""

from __future__ import annotations

import re
from enum import Enum

from jixiao.domain.model import Source
from jixiao.readers.base import Row

_MARKDOWN_RULE = re.compile(r"^\s*:?-{2,}:?\s*$")
_SPACES = re.compile(r"\s+")


class Shape(str, Enum):
    PIPES = "pipes"  # cells between |, a row or a cell a line
    TABS = "tabs"
    LINES = "lines"  # one cell a line with no separator, an empty line an empty cell
    RUNNING = "running"  # cells separated by spaces
    GLUED = "glued"  # no separator at all


def shape_of(text: str) -> Shape:
    """The shape most of the text's lines have."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return Shape.RUNNING
    piped = sum(1 for line in lines if "|" in line)
    tabbed = sum(1 for line in lines if "\t" in line)
    if piped >= max(3, len(lines) // 4):
        return Shape.PIPES
    if tabbed >= max(3, len(lines) // 4):
        return Shape.TABS
    words = [len(_SPACES.split(line.strip())) for line in lines]
    if len(lines) >= 20 and sum(1 for n in words if n == 1) >= 0.7 * len(lines):
        return Shape.LINES
    spaced = sum(1 for line in lines if len(_SPACES.split(line.strip())) > 2)
    if spaced >= max(2, len(lines) // 5):
        return Shape.RUNNING
    return Shape.GLUED


def split_text(text: str, file: str) -> tuple[Shape, list[Row]]:
    """The text's rows of cells, by its shape; blank lines left out."""
    shape = shape_of(text)
    spaced = shape is Shape.RUNNING and spaced_letters(text)
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if shape is Shape.LINES and rows:  # an empty line is an empty cell here
                rows.append(Row(("",), Source(file, line=number)))
            continue
        cells = _cells(line, shape, spaced)
        if cells is None:
            continue
        rows.append(Row(cells, Source(file, line=number)))
    return shape, rows


def _cells(line: str, shape: Shape, spaced: bool = False) -> tuple[str, ...] | None:
    body = line.strip()
    if shape is Shape.PIPES and "|" in body:
        if body.startswith("|") and len(body) > 1 and body != "|":
            body = body[1:]  # a markdown row's opening pipe
        if body.endswith("|"):
            body = body[:-1]  # the pipe that ends the line ends the last cell
        cells = tuple(c.strip() for c in body.split("|"))
        if len(cells) > 1 and all(_MARKDOWN_RULE.match(c) or not c for c in cells):
            return None  # a markdown rule line
        return cells
    if shape is Shape.TABS and "\t" in body:
        return tuple(c.strip() for c in body.split("\t"))
    if shape is Shape.RUNNING or (shape is Shape.PIPES and len(body) <= 60):
        # a short line outside the table (项目单位(盖章):… 主要领导签字:) is label and value
        # pairs; a long one is a text, kept whole
        if spaced:
            # OCR puts a space between the characters of a word (项 目 名 称): cells
            # are apart by two spaces or more there, and a word's spaces go
            return tuple(_CJK_GAP.sub("", c) for c in _WIDE_SPACES.split(body))
        return tuple(_SPACES.split(body))
    return (body,)


_WIDE_SPACES = re.compile(r"\s{2,}")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) (?=\S)|(?<=\S) (?=[\u3400-\u9fff])")


def spaced_letters(text: str) -> bool:
    """Whether the text came through OCR spacing the characters of its words: a
    third of its lines hold three words or more of one Chinese character."""
    lines = [line for line in text.splitlines() if line.strip()]
    spaced = 0
    for line in lines:
        words = _SPACES.split(line.strip())
        single = sum(1 for w in words if len(w) == 1 and "\u3400" <= w <= "\u9fff")
        spaced += single >= 3 and single >= 0.3 * len(words)
    return bool(lines) and spaced >= max(2, len(lines) // 3)
