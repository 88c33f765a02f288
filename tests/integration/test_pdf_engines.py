"""The PDF reader's two paths — pdfium (the default) and pdfplumber (the
fallback, and the reader before pdfium) — read every PDF fixture to the same
rows (cells' texts, spans, pages and cell names) and the same forms, sources and
problems included.

The fixtures: the committed LibreOffice exports (tests/fixtures/files), PDFs
written in PDF syntax by hand (tests/fixtures/files/pdf, make_pdfs.py: lines
drawn as separate segments in an upside-down coordinate system, cells as
rectangles inside a Form XObject, an embedded CFF font, Helvetica beside it,
STSong-Light not embedded, a cell crossing a page break) and forms written here
by jixiao's own WeasyPrint writer."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.readers import pdf as pdf_reader
from jixiao.readers import pdfium, read_path
from jixiao.readers.grid import read_grid
from jixiao.testing import synth
from jixiao.writers import Format, write_form
from tests.conftest import FIXTURES
from tests.integration.test_office_roundtrip import NOT_COMPARED, without_wrap_spaces

FILES = FIXTURES / "files"
BY_HAND = FILES / "pdf"
COMMITTED = sorted(FILES.glob("*.pdf")) + sorted(BY_HAND.glob("*.pdf"))
NOT_EMBEDDED = {"stsong-national.pdf"}
"""Drawn in a font the PDF does not carry: pdfium reads it only where the machine
has a Chinese font (else the reader leaves the page to pdfplumber)."""


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    """Forms written by jixiao's PDF writer: national, Shanghai, and a national
    form of six times the indicators (over pages, its 一级指标 cells crossing them)."""
    folder = tmp_path_factory.mktemp("weasyprint")
    national, shanghai = templates.load("national-2020"), templates.load("shanghai-2019")
    rng = random.Random(2025)
    long = synth.form(rng, national, 2)
    long = replace(
        long,
        indicators=tuple(
            replace(ind, name=f"{ind.name}（第{n + 1}批）")
            for n in range(6)
            for ind in long.indicators
        ),
    )
    paths = []
    for name, ev, template in (
        ("national", synth.form(rng, national, 0), national),
        ("shanghai", synth.form(rng, shanghai, 1), shanghai),
        ("long", long, national),
    ):
        paths.append(folder / f"weasyprint-{name}.pdf")
        write_form(ev, template, Format.PDF, paths[-1])
    return paths


def both_ways(path: Path):
    data = path.read_bytes()
    return {engine: pdf_reader.pdf_rows(data, str(path), engine) for engine in pdf_reader.ENGINES}


def shown(rows) -> list[tuple]:
    return [(row.source, row.cells, row.refs) for row in rows]


def assert_same_both_ways(path: Path) -> None:
    rows = both_ways(path)
    assert shown(rows["pdfium"]) == shown(rows["pdfplumber"])
    forms = {
        engine: [evaluation_dict(ev) for ev in read_grid(found, str(path))]
        for engine, found in rows.items()
    }
    assert forms["pdfium"] == forms["pdfplumber"]
    assert forms["pdfium"], "the file holds a form"


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_a_committed_pdf_reads_the_same_both_ways(path):
    assert_same_both_ways(path)


def test_a_pdf_of_jixiaos_writer_reads_the_same_both_ways(written):
    for path in written:
        assert_same_both_ways(path)


def test_pdfium_reads_every_page_of_the_fixtures_whose_fonts_they_carry(written):
    pages = 0
    for path in [*COMMITTED, *written]:
        if path.name in NOT_EMBEDDED:
            continue
        document = pdfium.read_document(path.read_bytes(), pdf_reader.MAX_PAGES)
        assert document is not None, path.name
        assert document.read and all(page is not None for page in document.read), path.name
        pages += document.pages
    assert pages >= 20
    long = next(p for p in written if p.stem == "weasyprint-long")
    assert pdfium.read_document(long.read_bytes(), 300).pages >= 2


@pytest.mark.parametrize(
    "path", sorted(BY_HAND.glob("*.pdf")), ids=[p.name for p in sorted(BY_HAND.glob("*.pdf"))]
)
def test_a_pdf_made_by_hand_reads_back_to_its_form(path):
    want = json.loads((BY_HAND / f"{path.stem.split('-', 1)[1]}.json").read_text("utf-8"))
    got = []
    for ev in read_path(path):
        data = evaluation_dict(ev)
        for key in NOT_COMPARED:
            data.pop(key)
        got.append(data)
    assert without_wrap_spaces(got) == without_wrap_spaces(want)


def test_a_cell_crossing_a_page_break_is_read_on_both_pages():
    path = BY_HAND / "segments-long.pdf"
    rows = pdf_reader.pdf_rows(path.read_bytes(), str(path), "pdfium")
    first = next(row for row in rows if row.source.page == 2)
    assert first.cells[0] == "" and first.cells[1], "the merged 一级指标 cell, empty on page 2"
    ev = read_path(path)[0]
    assert {ev.sources[f"indicators[{n}].name"].page for n in range(len(ev.indicators))} == {1, 2}
    want = json.loads((BY_HAND / "long.json").read_text("utf-8"))[0]
    assert len(ev.indicators) == len(want["indicators"]) >= 25


def test_the_page_number_and_the_title_lines_are_read_as_before():
    path = BY_HAND / "segments-national.pdf"
    rows = pdf_reader.pdf_rows(path.read_bytes(), str(path), "pdfium")
    assert rows[0].cells == ("财政项目支出绩效自评表",) and rows[0].source.cell == "A1"
    assert rows[1].cells == ("（2022年度）",)
    assert not any("第 1 页" in row.text() or "第1页" in row.text() for row in rows)


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        pdf_reader.pdf_rows(b"%PDF-1.4", "x.pdf", "mupdf")


# --- the grid from rulings ---------------------------------------------------------------------


def frame(xs, ys):
    """Rulings of a full grid: every horizontal across, every vertical down."""
    return [(y, xs[0], xs[-1]) for y in ys], [(x, ys[0], ys[-1]) for x in xs]


def test_segments_meeting_within_3_points_are_one_ruling_and_further_apart_two():
    joined = pdfium._snap_join([(10.0, 0.0, 50.0), (11.5, 52.5, 100.0), (10.4, 110.0, 150.0)])
    assert [(round(y, 2), x0, x1) for y, x0, x1 in joined] == [
        (10.63, 0.0, 100.0),
        (10.63, 110.0, 150.0),
    ]
    assert pdfium._snap_join([(5.0, 0.0, 2.0)]) == [], "shorter than 3 pt: no ruling"


def test_a_grid_of_rulings_is_a_table_of_cells_with_their_spans():
    hs, vs = frame([0.0, 50.0, 100.0, 150.0], [0.0, 20.0, 40.0])
    # Merge the top row's last two cells: cut the vertical at x=100 above y=20.
    vs = [v for v in vs if v[0] != 100.0] + [(100.0, 20.0, 40.0)]
    (table,) = pdfium._tables(hs, vs)
    assert [(c.row, c.col, c.rows, c.cols) for c in table.cells] == [
        (0, 0, 1, 1),
        (0, 1, 1, 2),
        (1, 0, 1, 1),
        (1, 1, 1, 1),
        (1, 2, 1, 1),
    ]
    assert table.cell_at(120.0, 10.0) is table.cells[1]
    assert table.cell_at(120.0, 30.0) is table.cells[4]
    assert table.cell_at(160.0, 10.0) is None


def test_a_cell_without_its_bottom_border_reaches_the_tables_foot():
    hs, vs = frame([0.0, 50.0, 100.0], [0.0, 20.0, 40.0])
    hs = [h for h in hs if h[0] != 40.0] + [(40.0, 50.0, 100.0)]  # column 0 open at the foot
    hs = [h for h in hs if h[0] != 20.0] + [(20.0, 50.0, 100.0)]  # and merged down
    (table,) = pdfium._tables(hs, vs)
    assert (table.cells[0].row, table.cells[0].rows) == (0, 2)
    assert table.height == 2


def test_a_merged_region_that_is_no_rectangle_leaves_the_page_to_pdfplumber():
    hs, vs = frame([0.0, 50.0, 100.0], [0.0, 20.0, 40.0])
    # An L: the vertical at 50 missing in the top row, the horizontal at 20 missing on the left.
    vs = [v for v in vs if v[0] != 50.0] + [(50.0, 20.0, 40.0)]
    hs = [h for h in hs if h[0] != 20.0] + [(20.0, 50.0, 100.0)]
    assert pdfium._tables(hs, vs) is None


def test_a_hyphen_ending_a_line_is_read_as_the_hyphen(tmp_path):
    # Seed 000's third form wraps 「及格-中等」 after its hyphen: pdfium's text
    # gives such a hyphen as U+FFFE.
    from tests.integration.test_office_roundtrip import _forms

    ev = _forms("000")[2]
    path = tmp_path / "hyphen.pdf"
    write_form(ev, templates.load(ev.template), Format.PDF, path)
    assert_same_both_ways(path)
    rows = pdf_reader.pdf_rows(path.read_bytes(), str(path), "pdfium")
    assert any("及格-中等" in row.text() for row in rows)


BOXED = [FILES / "sample-national.pdf", FILES / "sample-shanghai.pdf", FILES / "three-pages.pdf"]


@pytest.mark.parametrize("path", BOXED, ids=[p.name for p in BOXED])
def test_a_value_read_from_a_pdf_keeps_the_box_that_holds_its_characters(path):
    """Each value's source has its page and box (points from the page's top left),
    and the characters pdfplumber finds in that box are the value as printed."""
    import pdfplumber

    from jixiao.contract import paths
    from jixiao.domain.normalize import squash

    forms = read_path(path)
    checked = 0
    with pdfplumber.open(path) as pdf:
        for ev in forms:
            data = evaluation_dict(ev)
            for field, source in ev.sources.items():
                assert source.page is not None and source.box is not None, field
                x0, top, x1, bottom = source.box
                assert 0 <= x0 < x1 and 0 <= top < bottom, (field, source.box)
                value = paths.json_get(data, field)
                if not isinstance(value, str) or ":" in (source.cell or ""):
                    continue  # a figure's text or a label filled down: not one cell's
                page = pdf.pages[source.page - 1]
                inside = page.within_bbox((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5))
                assert squash(value.replace(",", "")) in squash(
                    (inside.extract_text() or "").replace(",", "").replace("\n", "")
                ), (field, source)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("path", BOXED, ids=[p.name for p in BOXED])
def test_both_ways_give_each_cell_the_same_box(path):
    data = path.read_bytes()
    boxes: dict = {engine: {} for engine in pdf_reader.ENGINES}
    for engine in pdf_reader.ENGINES:
        pdf_reader.pdf_rows(data, str(path), engine, boxes=boxes[engine])
    assert boxes["pdfium"].keys() == boxes["pdfplumber"].keys()
    for place, box in boxes["pdfium"].items():
        other = boxes["pdfplumber"][place]
        assert all(abs(a - b) <= 1.0 for a, b in zip(box, other, strict=True)), (place, box, other)
