"""Administration workbooks (xlsx): read a sheet's rows under its header, every problem named by
file, row and column (:class:`RowError`); write a list as a sheet (the cells made inert by
:func:`jixiao.writers.cells.defuse`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
HEADER_ROWS = 10  # the header is looked for in the first rows (a title may come before it)


class FileRefused(Exception):
    """The file as a whole cannot be read (not an xlsx, no header …); the message names it."""


@dataclass
class RowError:
    """One problem of one row: its number in the sheet, the column (letter and heading)."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return _("第 %(row)s 行 %(column)s：%(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }


@dataclass
class Line:
    """A row of the sheet: its number and its cells by column key; ``where`` names a cell."""

    number: int
    cells: dict[str, str]
    columns: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "")

    def error(self, key: str, problem: str) -> RowError:
        return RowError(self.number, self.columns.get(key, key), problem)


@dataclass
class Report:
    """What an import did: counts by outcome, the rows refused, extra lines (new passwords)."""

    file: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.errors


def apply(lines: Iterable[Line], report: Report, each: Callable[[Line], None]) -> Report:
    """Every line through ``each``, all or nothing: a line ``each`` refuses (RowProblem) is
    named in ``report``, and with any refused nothing is stored, no note handed out."""
    with transaction.atomic():
        for line in lines:
            try:
                each(line)
            except RowProblem as problem:
                report.errors.append(problem.error)
        if report.errors:
            transaction.set_rollback(True)
            report.notes = []  # nothing was made: e.g. no new password to hand out
    return report


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read(
    data: bytes, file: str, columns: Mapping[str, tuple[str, ...]], required: Sequence[str]
) -> list[Line]:
    """The rows of the first sheet of ``data`` below its header, as :class:`Line` s.

    ``columns``: key → the headings that name it (Chinese first, English too); the header is
    the first of the first :data:`HEADER_ROWS` rows that has every ``required`` heading.
    Raises :class:`FileRefused` naming the file."""
    from openpyxl import load_workbook

    from jixiao.readers.base import ReadError
    from jixiao.readers.xlsx import check_zip

    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("文件 %(file)s 超过 %(mb)s MB，未读取") % {"file": file, "mb": MAX_BYTES >> 20}
        )
    try:
        check_zip(data, file, "xlsx")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ReadError as error:
        raise FileRefused(str(error)) from None
    except Exception:
        raise FileRefused(
            _("文件 %(file)s 不是可读取的 Excel 工作簿（.xlsx）") % {"file": file}
        ) from None
    sheet = book.worksheets[0]
    lines: list[Line] = []
    header: dict[int, str] | None = None
    names: dict[str, str] = {}
    wanted = {h.casefold(): key for key, heads in columns.items() for h in heads}
    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_text(v) for v in row]
        if header is None:
            found = {i: wanted[c.casefold()] for i, c in enumerate(cells) if c.casefold() in wanted}
            if set(required) <= set(found.values()):
                header = found
                names = {
                    key: _("%(letter)s 列「%(head)s」")
                    % {"letter": get_column_letter(i + 1), "head": cells[i]}
                    for i, key in found.items()
                }
            elif n >= HEADER_ROWS:
                break
            continue
        if not any(cells):
            continue
        if len(lines) >= MAX_ROWS:
            raise FileRefused(
                _("文件 %(file)s 超过 %(n)s 行，未读取") % {"file": file, "n": MAX_ROWS}
            )
        got = {key: cells[i] for i, key in header.items() if i < len(cells)}
        lines.append(Line(n, got, names))
    book.close()
    if header is None:
        heads = "、".join(columns[k][0] for k in required)
        raise FileRefused(
            _("文件 %(file)s 的第一个工作表前 %(n)s 行中没有表头（须有：%(heads)s）")
            % {"file": file, "n": HEADER_ROWS, "heads": heads}
        )
    return lines


def write(title: str, heads: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: the headings, then the rows (texts made inert)."""
    from openpyxl import Workbook

    from jixiao.writers.cells import defuse

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(heads))
    for row in rows:
        sheet.append([defuse(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class RowProblem(Exception):
    """A row refused (raised by an import's line handler, collected in the report)."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error
