"""Whether a form read from a file is the project's it is filed under: the same 项目名称,
the same 实施单位 (a 部门整体支出 form: the same 主管部门 evaluated) and the year asked.

Pure: the web's upload (one form) and its bulk import use the same function, and both
show each difference with the two values, the file's and the project's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from jixiao.domain.model import Evaluation
from jixiao.domain.normalize import squash


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One field whose value in the file differs from the project's."""

    field: str  # project.name, project.unit, project.department, year
    label: str  # 项目名称 …
    label_en: str
    in_file: str
    expected: str


def _same(a: str, b: str) -> bool:
    """Equal after NFKC folding, spaces and the kinds of brackets aside (（） and ())."""

    def fold(text: str) -> str:
        return squash(unicodedata.normalize("NFKC", text)).casefold()

    return fold(a) == fold(b)


def mismatches(
    form: Evaluation,
    *,
    name: str | None,
    unit: str | None,
    year: int | None = None,
    department_record: bool = False,
) -> list[Mismatch]:
    """The differences between the form's 项目名称, 实施单位 and 年度 and the project's
    (``name``, ``unit`` the organisation's name, ``year`` the year asked: None asks none).
    A value the file does not print is no difference: there is nothing to compare. For a
    部门整体支出 record (``department_record``) the organisation evaluated is printed as
    主管部门 and there is no project name."""
    found = []
    checks: list[tuple[str, str, str, str | None, str | None]]
    if department_record:
        checks = [("project.department", "单位", "organisation", form.project.department, unit)]
    else:
        checks = [
            ("project.name", "项目名称", "project name", form.project.name, name),
            ("project.unit", "实施单位", "implementing unit", form.project.unit, unit),
        ]
    for path, label, label_en, printed, expected in checks:
        if printed and expected and not _same(printed, expected):
            found.append(Mismatch(path, label, label_en, printed, expected))
    if year is not None and form.year is not None and form.year != year:
        found.append(Mismatch("year", "年度", "year", str(form.year), str(year)))
    return found
