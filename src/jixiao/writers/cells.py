"""Cell text for spreadsheets and CSV that a spreadsheet program will not run.

A cell starting with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice; a quote in front makes it plain text (CSV injection)."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str | None) -> str:
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text
