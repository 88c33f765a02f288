"""Scanned forms read by OCR: the committed scans (LibreOffice prints of the
project's own forms, sealed and scanned) and scans made in the run from jixiao's
own PDFs, each compared field by field with what the same form's text reads to.
Every figure is right, or wrong with a problem at it: never wrong silently; a
text may be (a dropped character both readings agree on), and those are counted.

A few pages only (OCR costs a few CPU seconds a page; JIXIAO_OCR_HEAVY=1 reads two
more scans): the figures over all the seed forms are bench/bench_scans.py's
(docs/benchmarks.md).
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.readers import FORMATS, ReadError, read_bytes, read_path, scan, sniff
from jixiao.writers import Format, write_form

scan_engines = pytest.importorskip(
    "jixiao.readers.scan_engines", reason="the ocr extra is not installed (pip install '.[ocr]')"
)
if not scan_engines.available("rapidocr"):
    pytest.skip("the ocr extra is not installed (pip install '.[ocr]')", allow_module_level=True)

from tests.scans import Damage, as_pdf, as_png, as_tiff, make_scan, scored  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCANS = FIXTURES / "scans"
FILES = FIXTURES / "files"
FLOOR = 0.85
"""Fields right at least, on each scan here (a seal over a figure blanks it, with its
problem); the figures over all the seed forms are the bench's."""


TEXT_SLIPS = 0.02
"""Of a scan's fields, texts read wrong without a problem at most: a long text's
character the engine dropped with both readings agreeing (a faint 。 at its end
under a seal) shows in no confidence. Figures, choices and dates: none."""


def _is_text(wrong: str) -> bool:
    from jixiao.contract import fields

    path = wrong.split(":")[0].split("_parsed")[0]
    field = fields.field(path)
    return field is not None and field.kind is fields.Kind.TEXT and "_parsed" not in wrong


def _check(name: str, got, want) -> None:
    score = scored(got, want)
    print(f"{name}: {score}")  # the per-field accuracy, shown with -s
    texts = [w for w in score.wrong or [] if _is_text(w)]
    others = [w for w in score.wrong or [] if not _is_text(w)]
    assert not others, f"{name}: read wrong without a problem: {others}"
    assert len(texts) <= TEXT_SLIPS * score.total, f"{name}: texts read wrong silently: {texts}"
    assert score.right / score.total >= FLOOR, f"{name}: {score}"


@pytest.mark.parametrize(
    ("scan_name", "source"),
    [("sample-national.jpg", "sample-national.pdf"), ("synth-shanghai.pdf", "synth-shanghai.pdf")],
)
def test_a_committed_scan_reads_as_its_pdf_or_says_where_not(scan_name, source):
    got = read_path(SCANS / scan_name)
    want = read_path(FILES / source)
    _check(scan_name, got, want)
    ev = got[0]
    assert ev.template == want[0].template
    assert all(s.page == 1 for s in ev.sources.values())


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The national sample exported to PDF by jixiao's writer (one page)."""
    want = read_path(FILES / "sample-national.json")
    folder = tmp_path_factory.mktemp("scans")
    path = folder / "national.pdf"
    write_form(want[0], templates.load(want[0].template), Format.PDF, path)
    return path


HEAVY = pytest.mark.skipif(
    not os.environ.get("JIXIAO_OCR_HEAVY"),
    reason="more OCR pages than CI's budget holds: JIXIAO_OCR_HEAVY=1 runs them",
)
"""CI reads a few pages only (OCR costs a few CPU seconds a page); these read more."""


@HEAVY
@pytest.mark.parametrize(
    ("kind", "damage"),
    [
        (as_png, Damage(tilt=0.5, seals=1)),
        (as_tiff, Damage(tilt=1.5, seals=2, quality=60)),
    ],
    ids=["png-0.5deg", "tiff-1.5deg-two-seals"],
)
def test_a_scan_of_jixiaos_pdf_reads_as_the_pdf(exported, kind, damage):
    want = read_path(exported)
    data = kind(make_scan(exported.read_bytes(), 5, damage))
    assert sniff(data) == "image"
    got = read_bytes(data, "scan")
    _check(f"{kind.__name__} {damage}", got, want)


@pytest.fixture(scope="module")
def image_pdf(exported):
    """jixiao's PDF scanned with a seal and tilted, as an image PDF, read once by OCR
    with its progress told."""
    data = as_pdf(make_scan(exported.read_bytes(), 3, Damage(seals=1, tilt=1.0)))
    told: list[tuple[int, int]] = []
    read = scan.read_scan_cells(data, "scan.pdf", progress=lambda n, pages: told.append((n, pages)))
    return data, read, told


def test_a_pdf_without_text_is_read_by_ocr_with_progress(exported, image_pdf):
    _data, read, told = image_pdf
    assert told == [(1, 1)]
    _check("image PDF", [ev for ev, _ in read], read_path(exported))
    # read_bytes sends a PDF without text to the scan reader (a blank page: no table)
    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(blank, "PDF", resolution=100)
    with pytest.raises(ReadError) as caught:
        read_bytes(blank.getvalue(), "blank.pdf")
    assert "扫描件中没有找到表格" in caught.value.reason


def test_every_value_keeps_its_page_cell_and_box(image_pdf):
    _data, [(ev, cells)], _told = image_pdf
    reading = cells["funding.executed"]
    assert ev.sources["funding.executed"].cell == reading.cell
    x0, top, x1, bottom = reading.box
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842  # points on an A4 page
    assert 0 <= reading.confidence <= 1 and len(reading.confidences) == len(reading.text)
    # the box is the source's too, in the JSON contract, and comes back from it
    from jixiao.contract.json import evaluation_dict, evaluation_from_dict

    assert ev.sources["funding.executed"].box == reading.box
    data = evaluation_dict(ev)
    assert data["sources"]["funding.executed"]["box"] == list(reading.box)
    assert evaluation_from_dict(data).sources["funding.executed"].box == reading.box


# --- doubt: a low-confidence figure is a problem, never a guess ----------------------------


def _doubt(path: str, text: str) -> tuple:
    ev = read_path(FILES / "sample-national.json")[0]
    cell = scan.CellReading(1, "C5", text, (0.99, 0.42) + (0.99,) * (len(text) - 2), (0, 0, 1, 1))
    return ev, scan.doubted(ev, {path: cell})


def test_a_doubtful_figure_the_arithmetic_confirms_is_kept_and_said():
    rate = _rate()
    _ev, out = _doubt("funding.execution_rate", str(rate))
    assert out.funding.total.execution_rate == rate
    [problem] = [p for p in out.problems if p.field == "funding.execution_rate"]
    assert "0.42" in problem.message and "算术核对" in problem.message


def _rate() -> Decimal:
    rate = read_path(FILES / "sample-national.json")[0].funding.total.execution_rate
    assert rate is not None
    return rate


def test_a_doubtful_figure_nothing_confirms_is_left_blank_with_a_problem():
    ev, out = _doubt("funding.initial_budget", "123.45")
    assert ev.funding.total.initial_budget is not None
    assert out.funding.total.initial_budget is None
    [problem] = [p for p in out.problems if p.field == "funding.initial_budget"]
    assert "未读取" in problem.message and problem.raw == "123.45"


# --- the file kinds and the refusal without OCR ----------------------------------------------


def test_images_are_known_by_their_bytes_and_listed():
    from PIL import Image

    image = Image.new("RGB", (20, 20), "white")
    for kind in ("JPEG", "PNG", "TIFF"):
        buffer = io.BytesIO()
        image.save(buffer, kind)
        assert sniff(buffer.getvalue()) == "image", kind
    suffixes = {s for f in FORMATS for s in f.suffixes}
    assert {".jpg", ".jpeg", ".png", ".tif", ".tiff"} <= suffixes


def test_an_image_without_a_table_is_refused_with_a_reason():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(buffer, "PNG")
    with pytest.raises(ReadError) as caught:
        read_bytes(buffer.getvalue(), "blank.png")
    assert "没有找到表格" in caught.value.reason and "框线" in caught.value.reason


def test_a_broken_image_is_refused_with_a_reason():
    with pytest.raises(ReadError) as caught:
        read_bytes(b"\xff\xd8\xff\xe0 not a photo", "photo.jpg")
    assert "图片无法打开" in caught.value.reason and ".jpg" in caught.value.reason


def test_without_an_engine_a_scan_is_refused_with_how_to_add_it(monkeypatch, exported):
    def none(name=None):
        raise scan_engines.Unavailable(scan_engines.HOW_TO_ADD)

    monkeypatch.setattr(scan_engines, "engine", none)
    data = as_pdf(make_scan(exported.read_bytes(), 1, Damage(seals=0)))
    with pytest.raises(ReadError) as caught:
        read_bytes(data, "scan.pdf")
    assert "OCR" in caught.value.reason and "pip install 'jixiao[ocr]'" in caught.value.reason


def test_doctor_says_whether_ocr_is_there():
    from jixiao import doctor

    part = doctor.ocr()
    assert part.key == "ocr" and part.present
    assert "扫描件" in part.affects and "jixiao[ocr]" in part.fix


# --- the image steps --------------------------------------------------------------------------


def test_the_seal_goes_and_the_black_under_it_stays():
    import numpy as np

    from jixiao.readers import scan_image

    page = np.full((100, 100, 3), 245, np.uint8)
    page[40:60, :] = (0, 0, 0)  # a black stroke
    page[:, 30:70] = (page[:, 30:70] * np.array([0.9, 0.2, 0.25])).astype(np.uint8)  # red over it
    grey = scan_image.unsealed(page)
    assert grey[10, 50] > 240  # the seal alone: as white as paper, no ink to the grid
    assert grey[50, 50] < 60  # the stroke under the seal: dark
    assert grey[50, 10] < 60
    assert scan_image.ink(grey)[5:35, 35:65].max() == 0


@pytest.mark.parametrize("angle", [-1.5, -0.5, 0.8, 1.5])
def test_a_tilted_page_is_turned_straight(exported, angle):
    import numpy as np

    from jixiao.readers import scan_image
    from tests.scans import pages

    page = pages(exported.read_bytes(), 100)[0].convert("L")
    tilted = np.asarray(page.rotate(angle, fillcolor=255))
    found = scan_image.skew_angle(scan_image.ink(tilted))
    assert abs(found + angle) <= 0.1, (angle, found)


@pytest.mark.skipif(
    not scan_engines.available("tesseract"), reason="tesseract chi_sim not installed"
)
def test_tesseract_reads_the_lines_too():
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from jixiao.writers import fonts

    image = Image.new("L", (360, 60), 255)
    font = ImageFont.truetype(str(fonts.SERIF), 36)
    ImageDraw.Draw(image).text((8, 8), "年度指标值 90.00", font=font, fill=0)
    [reading] = scan_engines.engine("tesseract").recognise([np.asarray(image)])
    assert "90.00" in reading.text.replace(" ", "")


def test_a_bold_stroke_across_a_narrow_cell_is_no_ruling():
    """一级指标 in bold fills its narrow cell: its 一 is a long thin stroke ending a
    cell's padding short of both borders; a ruling runs into the border it meets."""
    import numpy as np

    from jixiao.readers import scan_image

    page = np.full((1200, 1600), 250, np.uint8)
    for y in (200, 300, 400):
        page[y - 1 : y + 2, 100:1500] = 0
    for x in (100, 212, 800, 1500):
        page[199:401, x - 1 : x + 2] = 0
    page[248:252, 112:202] = 0  # the stroke: 10 px short of either border of its cell
    page[348:352, 212:800] = 0  # a ruling: runs into both borders
    grid = scan_image.find_grid(page)
    assert grid is not None
    near = [min(grid.ys, key=lambda y: abs(y - at)) for at in (200, 300, 350, 400)]
    assert all(abs(y - at) <= 3 for y, at in zip(near, (200, 300, 350, 400), strict=True))
    assert not [y for y in grid.ys if 230 < y < 270], grid.ys  # the stroke made no row
    by_top = {c.box[1]: c.rows for c in grid.cells if c.col == 0}
    stroke, beside = (by_top[min(by_top, key=lambda y: abs(y - at))] for at in (200, 300))
    assert (stroke, beside) == (1, 2)  # the stroke's cell one row, the one beside the ruling two


@pytest.mark.parametrize(
    ("text", "confidences", "doubt"),
    [
        ("225,000.00", (1, 1, 0.99, 0.78, 0.99, 0.99, 0.99, 0.98, 0.99, 1), 0.98),  # a comma
        ("1,234,567.00", (1, 0.5, 1, 1, 1, 0.6, 1, 1, 1, 1, 1, 1), 1.0),  # two commas
        ("1,234", (1, 0.5, 1, 1, 1), 0.5),  # 1.234 or 1234: the separator says which
        ("10.00", (1, 1, 0.7, 1, 1), 0.7),  # a decimal point: a speck would move it
        ("163.90", (1, 1, 0.5, 1, 1, 1), 0.5),
        ("225,000.00", (1, 1, 0.4, 0.78, 0.99, 0.99, 0.99, 0.98, 0.99, 1), 0.4),  # a digit
    ],
)
def test_a_thousands_separator_alone_does_not_doubt_a_figure(text, confidences, doubt):
    assert scan.figure_confidence(text, confidences) == doubt


def test_figures_run_together_in_one_cell_are_problems_in_the_rows_it_spans():
    """A ruling lost under a seal: one cell holds 15.00 15.00 over two rows; the
    field that took it and the figure below made of its row are problems."""
    from dataclasses import replace

    from jixiao.domain.model import Source

    ev = read_path(FILES / "sample-national.json")[0]
    sources = {
        "indicators[0].points": Source("scan", page=1, cell="F14"),
        "indicators[1].points": Source("scan", page=1, cell="A15:N15"),
        "indicators[2].points": Source("scan", page=1, cell="F16"),
    }
    ev = replace(ev, sources=sources)
    run_together = scan.CellReading(1, "F14", "15.00 15.00", (1.0,) * 11, (0, 0, 1, 1), rows=2)
    alone = scan.CellReading(1, "F16", "15.00", (1.0,) * 5, (0, 0, 1, 1))
    out = scan.crowded(ev, {}, [run_together, alone])
    flagged = {p.field for p in out.problems if "连在一起" in p.message}
    assert flagged == {"indicators[0].points", "indicators[1].points"}
    assert scan.crowded(ev, {}, [alone]).problems == ev.problems


def test_a_header_run_into_its_value_is_a_problem_at_the_blank_field():
    """The ruling between 实际完成情况 and its text lost: the header's cell holds both,
    no field took it, and the form's 实际完成情况 is blank: a problem there, with the
    cell's text; never a problem where the field was read or the header is alone."""
    from dataclasses import replace

    ev = read_path(FILES / "sample-national.json")[0]
    blank = replace(ev, goals=replace(ev.goals, actual=None))
    text = "实际完成情况全年完成系统运维，保障平稳运行"
    merged = scan.CellReading(1, "C9", text, (0.99,) * len(text), (0, 0, 1, 1))
    alone = scan.CellReading(1, "C9", "实际完成情况", (0.99,) * 6, (0, 0, 1, 1))
    out = scan.unread(blank, {}, [merged])
    [problem] = [p for p in out.problems if p.field == "goals.actual"]
    assert "表头与内容连在一格" in problem.message and problem.raw == text
    assert not [p for p in scan.unread(ev, {}, [merged]).problems if p.field == "goals.actual"]
    assert not [p for p in scan.unread(blank, {}, [alone]).problems if p.field == "goals.actual"]


def test_components_are_labelled_in_16_bits_and_in_32_where_they_do_not_fit():
    """The grid's and the lines' components: the same stats either way; a page of noise
    with more components than 16 bits hold is labelled in 32, not refused or wrapped."""
    import cv2
    import numpy as np

    from jixiao.readers import scan_image

    page = np.zeros((300, 400), np.uint8)
    page[40:43, 10:390] = 255  # a ruling
    page[100:180, 200:203] = 255  # a vertical
    page[250:260, 50:60] = 255  # a blot
    count, labels, stats = scan_image.components(page)
    want = cv2.connectedComponentsWithStats(page, connectivity=8)
    assert labels.dtype == np.uint16 and count == want[0] == 4
    assert sorted(map(tuple, stats.tolist())) == sorted(map(tuple, want[2].tolist()))
    keep = stats[:, cv2.CC_STAT_AREA] > 100
    keep[0] = False  # the background
    assert (scan_image.mask_of(labels, keep) > 0).sum() == 380 * 3 + 80 * 3
    noise = np.zeros((1200, 1200), np.uint8)
    noise[::4, ::4] = 255  # 90,000 specks
    count, labels, _stats = scan_image.components(noise)
    assert count == 90_001 and labels.dtype == np.int32 and int(labels.max()) == 90_000


@pytest.mark.parametrize(
    ("text", "lowest", "again"),
    [
        ("人员到位率", 0.99, False),  # a short word read surely: once
        ("入员到位率", 0.66, True),  # read with doubt: again
        ("a", 0.41, True),  # a 0 read as a letter
        ("9.00", 0.999, True),  # a figure: always twice, however sure
        ("1,234,567.89", 0.999, True),
        ("项目资金管理办法是否符合相关财务会计制度的规定", 0.5, False),  # a long text: once
    ],
)
def test_a_line_is_read_again_where_it_is_a_figure_or_short_and_in_doubt(text, lowest, again):
    confidences = (1.0,) * (len(text) - 1) + (lowest,)
    assert scan._in_doubt(text, confidences) is again


def test_a_sure_reading_like_a_label_is_not_made_the_label():
    sure = scan._label("工作目标完成情况", (0.99,) * 8)
    assert sure[0] == "工作目标完成情况"
    unsure = scan._label("年度指怀值", (0.99, 0.99, 0.99, 0.5, 0.99))
    assert unsure[0] == "年度指标值"
    assert scan._label("—级指标", (0.99,) * 4)[0] == "一级指标"  # a dash for its 一


def test_a_doubtful_header_keeps_its_money_unit_and_the_unit_its_doubt():
    """项目资金（万元） read with doubt about （万元）: not cut to the label 项目资金 (the
    unit is printed, no seal's mark), and the unit read from it is a problem."""
    text, confidences = "项目资金（万元）", (1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.82)
    assert scan._label(text, confidences) == (text, confidences)
    ev = read_path(FILES / "sample-national.json")[0]
    assert ev.funding.unit is not None
    cell = scan.CellReading(1, "A5", text, confidences, (0, 0, 1, 1))
    [problem] = [p for p in scan.unit_doubted(ev, [cell]).problems if p.field == "funding.unit"]
    assert "金额单位" in problem.message and problem.raw == text
    sure = scan.CellReading(1, "A5", text, (0.99,) * len(text), (0, 0, 1, 1))
    assert scan.unit_doubted(ev, [sure]).problems == ev.problems
