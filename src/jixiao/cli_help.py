"""How ``jixiao --help`` lays out: click's plain help, as wide as the terminal, lines
wrapped by their width on screen (a Chinese character takes two columns) and every
command's summary in full.

Typer's rich help would load rich's markdown, syntax and traceback modules (with
markdown-it and pygments) only to format the help: two thirds of ``jixiao --help``.
The plain layout needs nothing beyond typer itself (docs/cli.md).

:class:`Group` and :class:`Command` are the classes ``cli`` gives typer. A command's
help text may hold :data:`FORMATS`: the one list of what can be read
(``jixiao.readers.FORMATS``) is put in its place only when that command's help is
shown, so the readers are not imported for the help of the whole program.
"""

from __future__ import annotations

import shutil
from typing import Any

from typer.core import TyperCommand, TyperGroup

FORMATS = "{formats}"
"""Put in a command's argument help where the readable formats are to be listed."""

_OPENING = set("（「『《〈【〔“‘([{")
"""Marks a line must not end with (they belong to what follows)."""
_CLOSING = set("，。、；：！？）」』》〉】〕”’…·,.;:!?)]}%")
"""Marks a line must not start with (they belong to what comes before)."""


_WIDE = (
    (0x1100, 0x115F),  # Hangul leading consonants
    (0x2E80, 0x303E),  # CJK radicals, ideographic description, CJK symbols and punctuation
    (0x3041, 0x33FF),  # kana, bopomofo, CJK strokes, enclosed and compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xA960, 0xA97F),  # Hangul jamo extended A
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE19),  # vertical forms
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small form variants
    (0xFF00, 0xFF60),  # fullwidth forms (，（）：)
    (0xFFE0, 0xFFE6),  # fullwidth signs
    (0x20000, 0x3FFFD),  # CJK extensions B and later
)
"""Code points a terminal draws two columns wide (East Asian Wide and Fullwidth, the
blocks help text uses): ``unicodedata`` would take longer to load than the help to print."""


def _wide(char: str) -> bool:
    point = ord(char)
    return point >= 0x1100 and any(low <= point <= high for low, high in _WIDE)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (East Asian) characters take two."""
    return sum(2 if _wide(c) else 1 for c in text)


def _pieces(text: str) -> list[str]:
    """``text`` cut where a line may break: at spaces (kept as pieces of their own),
    between Chinese characters, never inside a word of Latin letters or figures,
    never before a closing mark nor after an opening one."""
    pieces: list[str] = []
    word = ""
    for char in text:
        if char.isspace() or _wide(char):
            if word:
                pieces.append(word)
                word = ""
            pieces.append(" " if char.isspace() else char)
        else:
            word += char
    if word:
        pieces.append(word)
    joined: list[str] = []
    glue = False  # the last piece opened a bracket: the next one goes with it
    for piece in pieces:
        if joined and piece != " " and joined[-1] != " " and (glue or piece[0] in _CLOSING):
            joined[-1] += piece
        else:
            joined.append(piece)
        glue = piece != " " and piece[-1] in _OPENING
    return joined


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """One paragraph as lines at most ``width`` columns wide (a piece wider than that
    has a line of its own), the first starting with ``first``, the others ``rest``."""
    lines: list[str] = []
    line, used = first, display_width(first)
    empty = True
    for piece in _pieces(" ".join(text.split())):
        size = display_width(piece)
        if piece == " ":
            if not empty:
                line, used = line + " ", used + 1
            continue
        if not empty and used + size > width:
            lines.append(line.rstrip())
            line, used = rest, display_width(rest)
        line, used, empty = line + piece, used + size, False
    lines.append(line.rstrip())
    return lines


def _paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; the lines of one are joined."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


_BaseFormatter: Any = TyperGroup.context_class.formatter_class


class Formatter(_BaseFormatter):
    """Click's help formatter, measuring text by its columns on screen and as wide as
    the terminal (click stops at 80 columns; typer's rich help used the whole width)."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width=None):
        columns = shutil.get_terminal_size().columns
        super().__init__(indent_increment, width, max_width or columns)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        blocks = ["\n".join(wrap(p, self.width, indent, indent)) for p in _paragraphs(text)]
        self.write("\n\n".join(blocks) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(display_width(first) for first, _ in rows), col_max) + col_spacing
        margin = " " * (self.current_indent + first_col)
        text_width = max(self.width - self.current_indent - first_col, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + margin)
            lines = [line for p in _paragraphs(second) for line in wrap(p, text_width)]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(margin + line + "\n")


_BaseContext: Any = TyperGroup.context_class


class Context(_BaseContext):
    """Click's context, with the help laid out by :class:`Formatter`."""

    formatter_class = Formatter


def _fill_formats(command: Any) -> None:
    """The readable formats put into the help of ``command``'s parameters that ask for them."""
    for param in command.params:
        text = getattr(param, "help", None)
        if text and FORMATS in text:
            from jixiao.readers import formats_text  # the readers load only for this help

            param.help = text.replace(FORMATS, formats_text())


class Command(TyperCommand):
    """A command whose help is laid out by :class:`Formatter`."""

    context_class = Context

    def format_help(self, ctx, formatter) -> None:
        _fill_formats(self)
        super().format_help(ctx, formatter)


class Group(TyperGroup):
    """The program: its help lists every command with its summary in full (click
    would cut one longer than the line, typer's rich help one over two lines)."""

    context_class = Context

    def format_commands(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            summary = command.short_help or (_paragraphs(command.help or "") or [""])[0]
            rows.append((name, summary.split("\f")[0].strip()))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows, col_max=max(len(name) for name, _ in rows))
