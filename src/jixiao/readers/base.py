"""What every reader shares: the error for unreadable input, rows of cells with
their line numbers, number parsing that records a problem instead of guessing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jixiao.domain.model import Problem, Source
from jixiao.domain.normalize import clean, fold, squash
from jixiao.domain.template import Template


class ReadError(Exception):
    """Input that cannot be read at all: the message names the file and why."""

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Row:
    """One table row as found: its cells (raw text) and where it came from."""

    cells: tuple[str, ...]
    source: Source
    refs: tuple[str, ...] = field(default=(), compare=False)  # each cell's name ("C7"), where known
    _filled: tuple[tuple[int, str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Asked for many times per row while a form is recognised: build once.
        object.__setattr__(
            self, "_filled", tuple((i, c) for i, c in enumerate(self.cells) if c.strip())
        )

    def filled(self) -> list[tuple[int, str]]:
        """(column, text) of the non-empty cells."""
        return list(self._filled)

    def text(self) -> str:
        return " ".join(c for c in self.cells if c.strip())


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
YUAN_IN = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
"""Yuan in one of each amount unit forms print."""


def amount_unit(text: str) -> tuple[str, str] | None:
    """An amount printed with its unit in the cell ("4753.66万元", "2.6亿元", OCR's
    "万兀"): (the figure's text, the unit); None for a cell without one."""
    tail = text.rstrip()[-1:]
    if tail not in ("元", "兀"):  # most cells: a bare figure, told at once
        return None
    value = squash(fold(text)).replace(",", "").replace("兀", "元")
    for unit in ("亿元", "万元", "元"):
        if value.endswith(unit) and _NUMBER.fullmatch(value[: -len(unit)]):
            return value[: -len(unit)], unit
    return None


def in_unit(figure: Decimal, printed: str, wanted: str) -> Decimal:
    """An amount printed in one unit, in another: exact (a Decimal product)."""
    return figure * YUAN_IN[printed] / YUAN_IN[wanted]


_DASHES = {"-", "—", "–", "/", "－"}


_REMEMBERED = 4096
"""Texts whose column ``column_of`` keeps per template: the labels, which repeat
form after form, fit many times over; a large batch's other cells stop being added."""


def column_of(
    template: Template, text: str | None, known: dict[str, str | None] | None = None
) -> str | None:
    """``template.column(text)``, remembered per template for the texts seen: a
    reader asks it of every cell of every row, and labels repeat form after form.
    ``known`` is ``columns_seen(template)``, when the caller holds it."""
    if not text:
        return None
    if known is None:
        known = columns_seen(template)
    if text in known:
        return known[text]
    column = template.column(text)
    if len(known) < _REMEMBERED:
        known[text] = column
    return column


def columns_seen(template: Template) -> dict[str, str | None]:
    """The texts ``column_of`` has seen for this template, and their columns."""
    return template.derived("readers.column_of", _nothing_seen)


def _nothing_seen(template: Template) -> dict[str, str | None]:
    return {}


class Collector:
    """Gathers problems and sources while a form is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.sources: dict[str, Source] = {}

    def note(self, path: str, source: Source) -> None:
        self.sources[path] = source

    def problem(self, path: str, message: str, raw: str | None = None) -> None:
        self.problems.append(Problem(path, message, raw))

    def number(
        self, raw: str | None, path: str, source: Source, dash_ok: bool = False
    ) -> Decimal | None:
        """A printed figure: "490,000.00" → 490000.00, "99.77%" → 99.77.

        Blank → None. A dash → None (with a problem unless ``dash_ok``, as for the
        parts' points). Anything else unreadable → None with a problem."""
        self.note(path, source)
        text = (raw or "").strip().replace(",", "").replace("，", "")
        if text.endswith("%"):
            text = text[:-1].strip()
        if not text:
            return None
        if text in _DASHES:
            if not dash_ok:
                self.problem(path, "此处应为数字，表上为横线", raw)
            return None
        if not _NUMBER.fullmatch(text):
            self.problem(path, "无法读取为数字", raw)
            return None
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            self.problem(path, "无法读取为数字", raw)
            return None

    def text(self, raw: str | None, path: str, source: Source) -> str | None:
        self.note(path, source)
        return clean(raw)
