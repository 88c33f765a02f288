"""Writers: forms → the files people submit, print and load elsewhere.

``write_form`` writes one form in one :class:`Format`: the official layout
(xlsx, PDF, docx) drawn by :mod:`jixiao.writers.layout` from the template's
data, the JSON of the import contract, or CSV with one row per indicator.
``file_names`` names a batch's files after their projects; ``output_dir``
makes sure the folder can be written before any work is done. A batch of PDFs
(``services.batch``) lays every form out first (``lay_out``), cuts the fonts to
the batch once, then draws each (``draw_pdf``) or all as one (``pdf.write_merged``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's help imports this module for Format: the domain is not loaded
    from jixiao.domain.model import Evaluation
    from jixiao.domain.template import Template
    from jixiao.writers.layout import Grid
    from jixiao.writers.pdf import Fonts

__all__ = [
    "Format",
    "UndrawableText",
    "WriteError",
    "draw_pdf",
    "file_names",
    "lay_out",
    "output_dir",
    "safe_name",
    "write_form",
]


class Format(str, Enum):
    XLSX = "xlsx"
    PDF = "pdf"
    DOCX = "docx"
    JSON = "json"
    CSV = "csv"


class WriteError(Exception):
    """Output that cannot be written: the message names the path and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UndrawableText(WriteError):
    """A PDF refused before drawing: the form has characters no font here has
    (``chars``), which would print as empty boxes."""

    def __init__(self, path: str, reason: str, chars: list[str]):
        super().__init__(path, reason)
        self.chars = chars


def output_dir(path: Path) -> Path:
    """The folder for a batch, created if missing; WriteError if it cannot be written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError(str(path), "已存在同名文件，不是文件夹") from None
    except OSError as error:
        raise WriteError(str(path), f"无法创建输出目录：{error.strerror or error}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise WriteError(str(path), "输出目录不可写（没有写入权限）")
    return path


def write_form(ev: Evaluation, template: Template, fmt: Format, path: Path) -> None:
    """Write one form to ``path`` in ``fmt``."""
    # Imported here: openpyxl and python-docx are not needed by the other commands.
    from jixiao.contract.json import dumps, evaluation_dict
    from jixiao.writers.csv import write_csv
    from jixiao.writers.docx import write_docx
    from jixiao.writers.xlsx import write_xlsx

    if fmt is Format.PDF:
        draw_pdf(lay_out(ev, template, path), path)
        return
    draw = {Format.XLSX: write_xlsx, Format.DOCX: write_docx}
    with _refusals(path):
        if fmt is Format.JSON:
            path.write_text(dumps(evaluation_dict(ev)) + "\n", encoding="utf-8")
        elif fmt is Format.CSV:
            write_csv(ev, template, path)
        else:
            draw[fmt](lay_out(ev, template, path), str(path))


def lay_out(ev: Evaluation, template: Template, path: Path | str) -> Grid:
    """The form as the official layout's grid; WriteError naming ``path`` (the file it
    was to be) where the template's layout cannot draw it."""
    from jixiao.writers.layout import LayoutError, layout

    try:
        return layout(ev, template)
    except LayoutError as error:
        raise WriteError(str(path), str(error)) from None


def draw_pdf(grid: Grid, path: Path | str, fonts: Fonts | None = None) -> None:
    """The PDF of a form laid out before, at ``path``, drawn with ``fonts`` (a batch's;
    the shipped ones by default): UndrawableText before drawing a character no font
    here has, WriteError where the file cannot be written."""
    from jixiao.writers.pdf import write_pdf

    with _refusals(path):
        write_pdf(grid, str(path), fonts)


@contextmanager
def _refusals(path: Path | str) -> Iterator[None]:
    """The writers' failures as WriteError (or UndrawableText) naming ``path``."""
    from jixiao.writers.fonts import NoGlyphs
    from jixiao.writers.layout import LayoutError

    try:
        yield
    except LayoutError as error:
        raise WriteError(str(path), str(error)) from None
    except NoGlyphs as error:
        raise UndrawableText(str(path), error.reason, error.chars) from None
    except OSError as error:
        raise WriteError(str(path), f"无法写入：{error.strerror or error}") from None


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}
MAX_STEM = 80
"""Characters of a file name's stem: 80 Chinese characters are 240 bytes, under the usual 255."""


def safe_name(name: str | None, fallback: str = "未命名项目") -> str:
    """A file-name stem from a project name, safe on Windows, macOS and Linux."""
    from jixiao.domain.normalize import clean

    stem = _UNSAFE.sub("_", clean(name) or "").strip(" ._")[:MAX_STEM].rstrip(" .")
    if not stem:
        return fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem += "_"
    return stem


def file_names(forms: Iterable[Evaluation], fmt: Format) -> list[str]:
    """One file name per form, after its project, made unique within the batch
    (compared ignoring case, as Windows and macOS do): 项目.xlsx, 项目-2.xlsx …"""
    names, taken = [], set()
    for ev in forms:
        stem = safe_name(ev.subject)
        name, n = f"{stem}.{fmt.value}", 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}.{fmt.value}"
        taken.add(name.casefold())
        names.append(name)
    return names
