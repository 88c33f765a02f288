"""Read scanned forms: a PDF without a text layer, or a JPEG, PNG or TIFF image.

Each page is an image (a PDF's pages drawn by pdfium at :data:`DPI`; an image's
frames by Pillow, scaled to that size), then:

1. the red seal taken out by its colour, the page turned straight, its table
   found from its ruling lines, each cell cut into its lines of text
   (:mod:`jixiao.readers.scan_image`);
2. every line read by the OCR engine (:mod:`jixiao.readers.scan_engines`), with
   one confidence per character;
3. the cells turned into rows as a PDF's are (:func:`jixiao.readers.grid.to_rows`,
   the lines above the table first), and the forms read by the same template
   readers as every other file (:func:`jixiao.readers.grid.read_grid`);
4. every value read from a cell any of whose characters the engine was unsure
   of (below :data:`FIGURE_CONFIDENCE` for a figure, :data:`TEXT_CONFIDENCE`
   for text) is a problem at its field. Such a figure is not given: it is left
   blank unless the form's arithmetic confirms the reading (the form's checks
   agree with it and not without it, :func:`jixiao.domain.recompute.recompute`),
   and the problem says which. A text is kept with its problem.

Each value's source is its page and cell, as for a PDF; :data:`readings` of a
form give each cell's box on the page image (in points from the top left) and
its confidences.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from jixiao.contract import fields, paths
from jixiao.contract.json import evaluation_dict, evaluation_from_dict
from jixiao.domain.model import Evaluation, Problem, Source
from jixiao.readers.base import ReadError, Row
from jixiao.readers.grid import Span, cell_name, column_letter, radicals_folded, read_grid, to_rows

HOW_TO_ADD = (
    "安装文字识别（OCR）组件：pip install 'jixiao[ocr]'（RapidOCR，模型随包安装，离线可用）"
)
"""What the refusal of a scan says on a machine without the ``ocr`` extra."""
log = logging.getLogger(__name__)
DPI = 200
"""Pixels per inch a PDF page is drawn at; images are scaled to an A4 page's size at it."""
PAGE_PIXELS = round(297 / 25.4 * DPI)
"""The long side of an A4 page at :data:`DPI`: what an image is scaled to."""
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
MAX_PAGES = 50
"""Pages read per scanned file (a scan of a form is a few pages)."""
MAX_IMAGE_PIXELS = 120_000_000
"""An image larger than this (a 600 dpi A3 scan is 70 M) is refused, not decoded."""
FIGURE_CONFIDENCE = 0.90
"""A figure any of whose characters the engine read with less confidence is not given."""
TEXT_CONFIDENCE = 0.60
"""A text any of whose characters the engine read with less is a problem (kept)."""
NUMERIC = {fields.Kind.AMOUNT, fields.Kind.RATE, fields.Kind.POINTS, fields.Kind.SCORE}

Progress = Callable[[int, int], None]
"""Told (page, pages) as each page is read."""


@dataclass(frozen=True, slots=True)
class CellReading:
    """What the engine read in one cell: its text, each character's confidence,
    and its box on the page (points from the page's top left: x0, top, x1, bottom)."""

    page: int
    cell: str
    text: str
    confidences: tuple[float, ...]
    box: tuple[float, float, float, float]
    rows: int = 1
    """Rows of the page's table the cell spans (more where a ruling is missing)."""

    @property
    def confidence(self) -> float:
        return min(self.confidences, default=1.0)


def is_image(data: bytes) -> bool:
    """JPEG, PNG or TIFF, by the first bytes."""
    return (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:4]
        in (
            b"II*\x00",
            b"MM\x00*",
        )
    )


def read_scan(
    data: bytes,
    file: str,
    template_id: str | None = None,
    progress: Progress | None = None,
) -> list[Evaluation]:
    """Every form in a scan (a PDF without text, or an image)."""
    return [form for form, _ in read_scan_cells(data, file, template_id, progress)]


def read_scan_cells(
    data: bytes,
    file: str,
    template_id: str | None = None,
    progress: Progress | None = None,
) -> list[tuple[Evaluation, dict[str, CellReading]]]:
    """Every form in a scan, each with the cells its values were read from
    (field path → the cell's reading)."""
    from jixiao import templates

    rows, cells = scan_rows(data, file, progress)
    guessed: Problem | None = None
    if template_id is None:
        text = "\n".join(row.text() for row in rows)
        if templates.detect(text) is None and (found := templates.by_evidence(text)):
            # a header under the seal or misread: the template its other headers name
            template_id, missing = found
            guessed = Problem(
                "template",
                f"扫描件上未能读出表头「{'、'.join(missing)}」，按其余表头认作模板 {template_id}",
            )
    forms = read_grid(rows, file, template_id)
    if guessed is not None:
        forms = [replace(form, problems=(guessed, *form.problems)) for form in forms]
    by_place: dict[tuple[int | None, str | None], CellReading] = {
        (c.page, c.cell): c for c in cells
    }
    out = []
    for form in forms:
        read = {
            path: by_place[(source.page, source.cell)]
            for path, source in form.sources.items()
            if (source.page, source.cell) in by_place
        }
        form = replace(
            form,
            sources={
                path: replace(source, box=read[path].box) if path in read else source
                for path, source in form.sources.items()
            },
        )
        form = crowded(unread(doubted(form, read), read, cells), read, cells)
        out.append((unit_doubted(form, cells), read))
    return out


_UNIT_IN = re.compile(r"[(（](万元|元)[)）]")


def unit_doubted(form: Evaluation, cells: list[CellReading]) -> Evaluation:
    """A problem at the money's unit where the cell it was printed in (项目资金（万元）)
    was read with doubt about it: a unit misread scales every amount (kept, said)."""
    if form.funding.unit is None or "funding.unit" in {p.field for p in form.problems}:
        return form
    for cell in cells:
        found = _UNIT_IN.search(cell.text)
        if found is None or len(cell.confidences) != len(cell.text):
            continue
        confidence = min(cell.confidences[found.start() : found.end()], default=1.0)
        if confidence < FIGURE_CONFIDENCE:
            problem = Problem(
                "funding.unit",
                f"金额单位文字识别置信度低（{confidence:.2f}），读作「{found.group(1)}」：请与原件核对",
                cell.text,
            )
            return replace(form, problems=(*form.problems, problem))
    return form


_NUMBER = re.compile(r"\d+(?:[.,，]\d+)*")
_FIGURES_ONLY = re.compile(r"^[\d.,，:：%()（）\s=≥≤<>＝]+$")
_CROWDABLE = {"indicators[].target", "indicators[].actual"}
"""Text fields that hold one figure (年度指标值, 实际完成值), besides the figures."""


def crowded(form: Evaluation, read: dict[str, CellReading], cells: list[CellReading]) -> Evaluation:
    """A problem at each figure of the rows a cell spans that holds figures only and
    more than one (two cells run together where a ruling was lost under a seal:
    "0.00(%)115.00", "15.00 15.00"): the field that took the cell, and each figure
    of those rows left blank or made of the row's cells (one of them took what was
    the other's, or nothing); nothing is guessed."""
    said = {p.field for p in form.problems}
    problems = []
    for cell in cells:
        if not _FIGURES_ONLY.match(cell.text) or len(_NUMBER.findall(cell.text)) < 2:
            continue
        first = _row_of(cell.cell)
        if not first.isdigit():
            continue
        spanned = {str(r) for r in range(int(first), int(first) + max(1, cell.rows))}
        for path, source in form.sources.items():
            field = fields.field(path)
            if field is None or not (field.kind in NUMERIC or field.path in _CROWDABLE):
                continue
            if path in said or source.page != cell.page or not source.cell:
                continue
            if source.cell != cell.cell:
                if _row_of(source.cell) not in spanned:
                    continue
                if ":" not in source.cell and _value(form, path) is not None:
                    continue  # a figure of its own cell, read whole
            said.add(path)
            problems.append(
                Problem(
                    path,
                    "扫描件上一格中有几个数字连在一起（框线可能缺失），此项可能错位：请与原件核对",
                    cell.text,
                )
            )
    return replace(form, problems=(*form.problems, *problems)) if problems else form


def _value(form: Evaluation, path: str) -> object:
    try:
        return paths.model_get(form, path)
    except (KeyError, IndexError, AttributeError, TypeError):
        return None


def unread(form: Evaluation, read: dict[str, CellReading], cells: list[CellReading]) -> Evaluation:
    """A problem at each field left blank in a row where the scan holds text no
    field took (a figure the engine misread beyond recognition, cells run together
    where a ruling was lost): what was there is in the problem, nothing is guessed."""
    taken = {(c.page, c.cell) for c in read.values()}
    loose: dict[tuple[int, str], list[CellReading]] = {}
    for cell in cells:
        if (cell.page, cell.cell) in taken or (cell.text and _is_label_text(cell.text)):
            continue
        loose.setdefault((cell.page, _row_of(cell.cell)), []).append(cell)
    if not loose:
        return form
    said = {p.field for p in form.problems}
    problems = list(_run_into_header(form, loose, said))
    for path, source in form.sources.items():
        if path in said or source.page is None or not source.cell:
            continue
        left = loose.get((source.page, _row_of(source.cell)))
        if not left:
            continue
        try:
            value = paths.model_get(form, path)
        except (KeyError, IndexError, AttributeError, TypeError):
            continue
        if value is not None:
            continue
        raw = " ".join(c.text or "（有字迹，未识别出）" for c in left)
        problems.append(
            Problem(path, "扫描件这一行有未能对应到栏目的文字，此项未读出：请与原件核对", raw)
        )
    return replace(form, problems=(*form.problems, *problems)) if problems else form


_HEADED = {
    "expected": "goals.expected",
    "actual_goal": "goals.actual",
    "total": "total",
    "grade": "grade",
}
"""The form's own fields (not a row's) by the column of the family whose header names
them (:data:`jixiao.readers.family.COMMON_LABELS`)."""
RUN_ON = 4
"""Characters past a header that make a cell a header run into its value."""


def _run_into_header(
    form: Evaluation, loose: dict[tuple[int, str], list[CellReading]], said: set[str]
) -> Iterator[Problem]:
    """A problem at a field left blank whose header heads a cell no field took and
    runs on into text (实际完成情况对现有的…: the ruling between the header and its
    value lost, under a seal or a fold): the value is in that cell, not guessed out."""
    from jixiao.readers.family import COMMON_LABELS

    for column, path in _HEADED.items():
        if path in said or _value(form, path) is not None:
            continue
        headers = sorted((_squashed(h) for h in COMMON_LABELS[column]), key=len, reverse=True)
        for cell in (c for cells in loose.values() for c in cells):
            text = _squashed(cell.text)
            header = next((h for h in headers if text.startswith(h)), None)
            if header is not None and len(text) - len(header) >= RUN_ON:
                said.add(path)
                yield Problem(
                    path,
                    "扫描件上表头与内容连在一格（框线可能缺失），此项未读出：请与原件核对",
                    cell.text,
                )
                break


_ROW = re.compile(r"[A-Z]+(\d+)")


def _row_of(cell: str) -> str:
    found = _ROW.match(cell)
    return found.group(1) if found else cell


_DASH = re.compile(r"^[-—–/－\s]*$")


def _is_label_text(text: str) -> bool:
    if not _LABELS:
        _LABELS.update(_labels())
    key = _squashed(text)
    return bool(_DASH.match(key)) or key in _LABELS


def scan_rows(
    data: bytes, file: str, progress: Progress | None = None
) -> tuple[list[Row], list[CellReading]]:
    """The rows of every page's table (the lines above it first), and each cell's reading."""
    refusal = "是扫描件或图片，需要文字识别（OCR）才能读取："
    try:
        from jixiao.readers import scan_engines, scan_image
    except ImportError:  # numpy or OpenCV missing: the extra is not installed
        raise ReadError(file, refusal + HOW_TO_ADD) from None
    try:
        engine = scan_engines.engine()
    except scan_engines.Unavailable as error:
        raise ReadError(file, f"{refusal}{error}") from None
    rows: list[Row] = []
    cells: list[CellReading] = []
    for number, count, rgb, scale in _pages(data, file):
        grey = scan_image.unsealed(rgb)
        grey, _angle = scan_image.deskewed(grey)
        grid = scan_image.find_grid(grey)
        if grid is not None:
            above = scan_image.outside_lines(grey, grid)
            inside = scan_image.cell_lines(grey, grid)
            pieces = [image for image, _ in above] + [image for ls in inside for image, _ in ls]
            found = _second_opinion(engine, pieces, engine.recognise(pieces))
            readings = iter(found)
            offset = 0
            for _image, box in above:
                reading = next(readings)
                text, confidences = _folded(reading.text, reading.confidences)
                if not text.strip():
                    continue
                offset += 1
                ref = f"A{offset}"
                rows.append(Row((text,), Source(file, page=number, cell=ref)))
                cells.append(CellReading(number, ref, text, confidences, _points(box, scale)))
            spans = []
            for cell, lines in zip(grid.cells, inside, strict=True):
                parts = [next(readings) for _ in lines]
                text, confidences = _joined([(p.text, p.confidences) for p in parts])
                text, confidences = _folded(text, confidences)
                text, confidences = _label(text, confidences)
                spans.append(Span(offset + cell.row, cell.col, text, cell.rows, cell.cols))
                if text or lines:  # ink the engine read nothing in is said too (unread)
                    ref = cell_name(offset + cell.row, cell.col)
                    cells.append(
                        CellReading(
                            number,
                            ref,
                            text,
                            confidences or (0.0,),
                            _points(cell.box, scale),
                            cell.rows,
                        )
                    )
            rows += to_rows(spans, _row_source(file, number))
        log.info("%s: 第 %d/%d 页已识别", file, number, count)
        if progress is not None:
            progress(number, count)
    if not rows:
        raise ReadError(
            file, "扫描件中没有找到表格：文字识别（OCR）按框线找表，自评表应是有框线的表格"
        )
    return rows, cells


def _second_opinion(engine, pieces: list, found: list) -> list:
    """The lines in doubt read again at the engine's second, larger scale, which is
    their text; where the two readings differ, every character of it in dispute is
    in doubt (confidence 0). One reading alone drops or changes a character now and
    then with a high confidence; two at different scales rarely agree on the same
    slip. Read again (:func:`_in_doubt`): a figure's line and a short one, cheap to
    read again (a fifth of a page's pixels), and every line when :data:`READ_TWICE`
    is set; never the template's headers as printed."""
    from jixiao.readers.scan_engines import Reading

    if not _LABELS:
        _LABELS.update(_labels())
    again = [
        n
        for n, reading in enumerate(found)
        if reading.text.strip()
        and not _printed_label(reading.text, reading.confidences)
        and (READ_TWICE or _in_doubt(reading.text, reading.confidences))
    ]
    if not again:
        return found
    out = list(found)
    seconds = engine.recognise([pieces[n] for n in again], second=True)
    for n, second in zip(again, seconds, strict=True):
        if _squashed(second.text) != _squashed(found[n].text):
            out[n] = Reading(second.text, _disputed(second, found[n].text))
        else:
            out[n] = second
    return out


READ_TWICE = False
"""Every line read at both scales (the bench's accuracy baseline), not only those in doubt."""
SHORT_LINE = 8
"""Characters up to which a line is read again: a unit, a choice, a short name, a
figure misread as letters (IO for 10)."""
FIGURE_LINE = 16
"""Characters up to which a line with a digit is read again: a figure's cell
(1,234,567.89; ≥95%; 0.00(%)115.00 where two ran together under a lost ruling)."""
_DIGIT = re.compile(r"\d")


SURE_SHORT = 0.98
"""Confidence every character of a short line without a digit has at least, for the
line not to be read again: of such lines read twice, those the second reading read
otherwise had a character below it (a 0 read as a, 人 as 入, 目 as 自)."""


def _in_doubt(text: str, confidences: tuple[float, ...]) -> bool:
    """Whether a line is read again: a figure's (a digit in a short line), a short one
    read with any doubt. A long text is read once: its own confidences say its doubt
    (below :data:`TEXT_CONFIDENCE` a problem), and it holds most of a page's pixels
    (the 评分规则, 指标解释)."""
    length = len(_squashed(text))
    digit = _DIGIT.search(text) is not None
    if length <= SHORT_LINE and not digit:
        return min(confidences, default=0.0) < SURE_SHORT
    return length <= FIGURE_LINE and digit


def _printed_label(text: str, confidences: tuple[float, ...]) -> bool:
    """Whether a line reads, with confidence, as a header label of the templates as
    printed (项目名称, 评分规则 …): a header is no value, and the template's labels are
    known, so it is not read a second time (a fifth of a page's lines)."""
    key = _squashed(text)
    return min(confidences, default=0.0) >= FIGURE_CONFIDENCE and (
        key in _LABELS or key in _SHORT_LABELS
    )


def _disputed(first, second: str) -> tuple[float, ...]:
    """The first reading's confidences with 0 for each character the second reading
    does not share and for its neighbours (a space, or a character only the second
    reading has, lies between two): "58.55" read again "5855" doubts "8.5"; a
    full-width （ against a ( is no dispute."""
    from difflib import SequenceMatcher

    from jixiao.domain.normalize import fold

    text = first.text
    confidences = list(first.confidences)
    folded = "".join(fold(ch)[:1] or ch for ch in text)  # one character for one
    other = fold(second)
    for tag, i1, i2, _j1, _j2 in SequenceMatcher(None, folded, other, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for i in range(max(0, i1 - 1), min(len(text), i2 + 1)):
            if text[i].strip():
                confidences[i] = 0.0
    return tuple(confidences)


def _squashed(text: str) -> str:
    from jixiao.domain.normalize import fold, squash

    return squash(fold(text))


def _labels() -> dict[str, str]:
    """Every header label of the bundled templates (folded and squashed → as printed)."""
    from jixiao import templates

    out: dict[str, str] = {}
    for template_id in templates.ids():
        template = templates.load(template_id)
        for label in (*template.detect, *(n for names in template.columns.values() for n in names)):
            key = _squashed(label)
            if len(key) >= 4:
                out.setdefault(key, label)
    return out


_LABELS: dict[str, str] = {}
_SHORT_LABELS = {
    "权重": "权重",
    "自评": "自评",
    "备注": "备注",
    "分值": "分值",
    "得分": "得分",
    "分数": "分数",
}
"""Two-character headers, repaired only when the engine's reading of them is
doubtful and a mark beside them is all that differs."""
_DASHES = re.compile(r"[—–―－-]")
_MONEY_UNIT = re.compile(r"^[(（]?(?:万元|元)[)）]?$")
_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]|_")


def _label(text: str, confidences: tuple[float, ...]) -> tuple[str, tuple[float, ...]]:
    """A header label the engine misread (年度指怀值, 偏差原因分析及改讲措施) read as the
    one label of the templates it is closest to, when it is close (a header is no value)."""
    from difflib import SequenceMatcher

    if not _LABELS:
        _LABELS.update(_labels())
    key = _squashed(text)
    if key in _LABELS or len(key) > 16:
        return text, confidences
    dashed = _DASHES.sub("一", key)
    if dashed != key and dashed in _LABELS:
        # 一 and a dash are one stroke to the engine (—级指标): a header's 一
        label = _LABELS[dashed]
        return label, (1.0,) * len(label)
    if min(confidences, default=1.0) < FIGURE_CONFIDENCE:
        # a doubtful header with marks about it (a seal's remains): the one label it
        # holds whole, with at most four characters more ("#1租锡评分规则", "权重、")
        stripped = _NOT_WORD.sub("", key)
        if stripped in _LABELS or stripped in _SHORT_LABELS:
            label = _LABELS.get(stripped) or _SHORT_LABELS[stripped]
            return label, (1.0,) * len(label)
        held = [label for label in _LABELS if label in key and len(key) - len(label) <= 4]
        if len(held) == 1 and _MONEY_UNIT.match(key.replace(held[0], "", 1)):
            # 项目资金（万元）: the rest is the money's unit the form prints, no seal's mark
            return text, confidences
        if len(held) == 1:
            label = _LABELS[held[0]]
            return label, (1.0,) * len(label)
    if len(key) < 4 or min(confidences, default=1.0) >= FIGURE_CONFIDENCE:
        # a sure reading is what is printed: a value like a label (工作目标完成情况
        # beside 年度目标完成情况) stays as it is
        return text, confidences
    best = [
        (SequenceMatcher(None, key, label).ratio(), label)
        for label in _LABELS
        if abs(len(label) - len(key)) <= 1
    ]
    best = sorted((b for b in best if b[0] >= 0.75), reverse=True)
    if not best or (len(best) > 1 and best[1][0] == best[0][0]):
        return text, confidences
    label = _LABELS[best[0][1]]
    return label, (1.0,) * len(label)


def _row_source(file: str, page: int) -> Callable[[int, int], Source]:
    def source(row: int, last_col: int) -> Source:
        return Source(file, page=page, cell=f"A{row + 1}:{column_letter(last_col)}{row + 1}")

    return source


def _points(box: tuple[int, int, int, int], scale: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (round(x0 * scale, 1), round(y0 * scale, 1), round(x1 * scale, 1), round(y1 * scale, 1))


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\uffef]")


def _joined(lines: list[tuple[str, tuple[float, ...]]]) -> tuple[str, tuple[float, ...]]:
    """A cell's lines as one text, as :func:`jixiao.readers.pdf.unwrap` joins a PDF
    cell's: no space at a break next to a Chinese character, a space elsewhere."""
    text = ""
    confidences: tuple[float, ...] = ()
    for line, conf in lines:
        line_text = line.strip()
        if not line_text:
            continue
        lead = len(line) - len(line.lstrip())
        conf = conf[lead : lead + len(line_text)]
        if text and not (_CJK.match(text[-1]) or _CJK.match(line_text[0])):
            text += " "
            confidences += (1.0,)
        text += line_text
        confidences += conf
    return text, confidences


def _folded(text: str, confidences: tuple[float, ...]) -> tuple[str, tuple[float, ...]]:
    """Radicals folded as a PDF's cells are; the confidences kept per character
    (all the lowest where folding changed the length)."""
    folded = radicals_folded(text)
    if len(folded) != len(confidences):
        confidences = (min(confidences, default=1.0),) * len(folded)
    return folded, confidences


def _pages(data: bytes, file: str) -> Iterator[tuple[int, int, Any, float]]:
    """(page number, pages, RGB image, points per pixel) of each page."""
    import numpy as np

    if is_image(data):
        from PIL import Image, ImageOps, ImageSequence

        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        try:
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
        except Exception as error:  # Pillow raises many kinds for a damaged image
            raise ReadError(
                file,
                f"图片无法打开，不是完整的 JPEG、PNG 或 TIFF（{' '.join(IMAGE_SUFFIXES)}）："
                f"{type(error).__name__}: {error}",
            ) from None
        if frames > MAX_PAGES:
            raise ReadError(file, f"图片有 {frames} 页，超过 {MAX_PAGES} 页的上限，请拆分后再导入")
        try:
            for n, frame in enumerate(ImageSequence.Iterator(image)):
                picture = ImageOps.exif_transpose(frame.convert("RGB")) or frame.convert("RGB")
                factor = PAGE_PIXELS / max(picture.size)
                if abs(factor - 1) > 0.05:
                    size = (round(picture.size[0] * factor), round(picture.size[1] * factor))
                    picture = picture.resize(size, Image.Resampling.LANCZOS)
                yield n + 1, frames, np.asarray(picture), 72 / DPI
        except Image.DecompressionBombError:
            raise ReadError(file, "图片像素过多，不像自评表的扫描件，未读取") from None
        except (OSError, ValueError) as error:
            raise ReadError(file, f"图片已损坏或不完整（{error}）") from None
        return
    import pypdfium2

    from jixiao.readers.pdfium import _LOCK

    with _LOCK:
        try:
            document = pypdfium2.PdfDocument(data)
        except Exception as error:
            raise ReadError(file, f"PDF 无法打开（{error}）") from None
        try:
            count = len(document)
            if count > MAX_PAGES:
                raise ReadError(
                    file,
                    f"扫描的 PDF 有 {count} 页，超过 {MAX_PAGES} 页的上限，请拆分后再导入",
                )
            images = []
            for index in range(count):
                page = document[index]
                try:
                    # drawn as RGB straight into an array (half the time of PIL's RGB)
                    bitmap = page.render(scale=DPI / 72, rev_byteorder=True)
                    pixels = bitmap.to_numpy()
                    if pixels.ndim == 2:  # a grey bitmap
                        pixels = np.repeat(pixels[..., None], 3, axis=2)
                    images.append(pixels[..., :3].copy())  # not a view of pdfium's memory
                finally:
                    page.close()
        finally:
            document.close()
    for index, rgb in enumerate(images):
        yield index + 1, count, rgb, 72 / DPI


# --- doubt ---------------------------------------------------------------------------


def doubted(form: Evaluation, read: dict[str, CellReading]) -> Evaluation:
    """The form with a problem at each field read from a cell the engine was unsure
    of; such a figure left blank unless the form's arithmetic confirms it."""
    from jixiao import templates

    problems: list[Problem] = []
    blank: list[str] = []
    doubtful: list[tuple[str, CellReading]] = []
    for path, cell in read.items():
        field = fields.field(path)
        numeric = field is not None and field.kind in NUMERIC
        if numeric and figure_confidence(cell.text, cell.confidences) < FIGURE_CONFIDENCE:
            doubtful.append((path, cell))
        elif not numeric and cell.confidence < TEXT_CONFIDENCE:
            problems.append(
                Problem(
                    path,
                    f"文字识别置信度低（{cell.confidence:.2f}），请与原件核对",
                    cell.text,
                )
            )
    template = templates.load(form.template)
    problems += _contradicted(form, read, template, {path for path, _ in doubtful})
    if doubtful:
        for path, cell in doubtful:
            if _confirmed(form, path, template):
                message = (
                    f"文字识别置信度低（{cell.confidence:.2f}）的数字，读作 {cell.text}，"
                    "已由表上的算术核对"
                )
            else:
                message = (
                    f"文字识别置信度低（{cell.confidence:.2f}）的数字，表上的算术不能证实，"
                    "未读取：请与原件核对"
                )
                blank.append(path)
            problems.append(Problem(path, message, cell.text))
    if not problems:
        return form
    if blank:
        form = _without(form, blank)
    return replace(form, problems=(*form.problems, *problems))


_FIGURE = re.compile(r"^-?\d{1,3}(?:[,.，]\d{3})*(?:\.\d{1,2})?$")
_SEPARATORS = ",.，"


def figure_confidence(text: str, confidences: tuple[float, ...]) -> float:
    """The confidence of a figure: its least sure character's, but for a thousands
    separator the digits about it place (three digits, then another separator:
    "225,000.00"): the figure is the same whether it is a comma, a point or absent,
    so a doubt about it alone (the engine is often unsure of a faint comma) does not
    doubt the figure. A decimal point does (a speck read as one moves the figure)."""
    if len(confidences) != len(text) or not _FIGURE.match(text):
        return min(confidences, default=1.0)
    out = 1.0
    for n, (ch, confidence) in enumerate(zip(text, confidences, strict=True)):
        if ch in _SEPARATORS:
            rest = re.split(f"[{_SEPARATORS}]", text[n + 1 :])[0]
            placed = len(rest) == 3 and any(c in _SEPARATORS for c in text[n + 4 :])
            neighbours = confidences[max(0, n - 1) : n + 2]
            if placed and min(neighbours[:1] + neighbours[-1:]) >= FIGURE_CONFIDENCE:
                continue
        out = min(out, confidence)
    return out


def _without(form: Evaluation, blank: list[str]) -> Evaluation:
    data = evaluation_dict(form)
    for path in blank:
        paths.json_set(data, path, None)
    out = evaluation_from_dict(data, form.source.file if form.source else "scan")
    return replace(out, sources=form.sources, problems=form.problems, source=form.source)


def _confirmed(form: Evaluation, path: str, template) -> bool:
    """Whether the form's checks agree with the figure at ``path`` more than they
    do with it blank: the arithmetic confirms the reading."""
    from jixiao.domain.recompute import Status, recompute

    value = paths.model_get(form, path)
    if not isinstance(value, Decimal):
        return False
    with_it = _matches(recompute(form, template))
    without = _matches(recompute(_without(form, [path]), template))
    return len(with_it - without) > 0 and not any(
        c.status is Status.DIFFERS for c in recompute(form, template) if c.field == path
    )


def _contradicted(
    form: Evaluation, read: dict[str, CellReading], template, doubtful: set[str]
) -> list[Problem]:
    """A problem at each figure read from the scan that a check of the form's
    arithmetic contradicts (the check's figure and the figures beside it, of its
    funding line or indicator row): one of them may be misread."""
    from jixiao.domain.recompute import Status, recompute

    out = []
    said: set[str] = set(doubtful)
    for check in recompute(form, template):
        if check.status is not Status.DIFFERS:
            continue
        parent = paths.parent(check.field)
        for path, cell in read.items():
            field = fields.field(path)
            if field is None or field.kind not in NUMERIC or path in said:
                continue
            if path == check.field or (parent and paths.parent(path) == parent):
                said.add(path)
                out.append(
                    Problem(
                        path,
                        f"扫描件上的数字与表上的算术（{check.field}）不符，可能识别有误：请与原件核对",
                        cell.text,
                    )
                )
    return out


def _matches(checks) -> set[str]:
    from jixiao.domain.recompute import Status

    return {
        c.field
        for c in checks
        if c.status is Status.MATCH and (c.figure.value is not None or c.label is not None)
    }
