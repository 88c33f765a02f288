"""Cell text for spreadsheets and CSV that a spreadsheet program will not run.

A cell starting with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice; in CSV a quote in front makes it plain text (CSV
injection); in xlsx the cell is typed as a string instead (:func:`append_row`)."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str | None) -> str:
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def append_row(sheet, values) -> None:
    """Append a row to an openpyxl sheet with its texts as texts: "=1+1" is
    stored as the string it is (Excel shows it, never runs it), without the
    visible quote :func:`defuse` puts in CSV."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
