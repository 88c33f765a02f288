"""PDFs in bulk: the fonts cut once to a batch's characters (each PDF the same as
one drawn alone with the shipped fonts, page for page), and many forms merged into
one PDF to print (each form numbering its own pages), by the writers, the batch
service and ``jixiao export --merged``."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from jixiao import templates
from jixiao.cli import EXIT_UNDRAWABLE, EXIT_UNWRITABLE, app
from jixiao.readers import read_path
from jixiao.samples import paths as sample_paths
from jixiao.services import batch
from jixiao.testing import synth
from jixiao.writers import Format, pdf
from jixiao.writers.fonts import SANS_BOLD, SERIF, shipped_characters
from jixiao.writers.layout import layout
from tests.forms import long_form

from .exported import drawn_glyphs

OUTSIDE_EVERY_FONT = "\U00030000"  # 𰀀, CJK Extension G: in no Noto CJK font


def _page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


@pytest.fixture(scope="module")
def forms():
    """Six forms: four synthetic, one of 80 indicators (several pages), one of the
    old Shanghai layout."""
    national = templates.load("national-2020")
    made = list(synth.forms(4, national, seed=3))
    made.insert(2, long_form(80, words=3))
    made.append(next(synth.forms(1, templates.load("shanghai-2019"), seed=3)))
    return made


@pytest.fixture(scope="module")
def grids(forms):
    return [layout(ev, templates.load(ev.template)) for ev in forms]


def test_a_batchs_fonts_hold_every_character_its_forms_draw_and_little_else(grids, tmp_path):
    fonts = pdf.Fonts.for_batch(grids, tmp_path)
    assert not fonts.shipped and fonts.serif.parent == tmp_path
    drawn = {c for grid in grids for text in pdf.texts(grid) for c in text if not c.isspace()}
    wanted = {ord(c) for c in drawn} & shipped_characters()
    for cut, whole in ((fonts.serif, SERIF), (fonts.sans_bold, SANS_BOLD)):
        font = TTFont(str(cut))
        assert wanted <= set(font.getBestCmap())
        assert font["name"].getDebugName(1) == TTFont(str(whole))["name"].getDebugName(1)
        # the characters, ASCII and the glyphs their layout features reach: not 10,603
        assert len(font.getGlyphOrder()) < 2 * (len(wanted) + len(pdf.ASCII)) < 2_000
        assert cut.stat().st_size < whole.stat().st_size / 10


def test_each_pdf_of_a_batch_reads_as_one_drawn_alone(forms, tmp_path):
    alone, together = tmp_path / "alone", tmp_path / "together"
    alone.mkdir()
    together.mkdir()
    names = [f"{n}.pdf" for n in range(len(forms))]
    for ev, name in zip(forms, names):
        assert batch.write_one(ev, Format.PDF, str(alone / name)).error is None
    jobs = [(ev, str(together / name)) for ev, name in zip(forms, names)]
    results = list(batch.write_batch(jobs, Format.PDF, workers=2))
    assert [r.path for r in results] == [p for _, p in jobs] and not any(r.error for r in results)
    for name in names:
        assert _page_texts(together / name) == _page_texts(alone / name), name
        drawn = drawn_glyphs(together / name)
        assert drawn and all(drawn.values()), name
        # each file embeds its own glyphs only (not the batch's): no larger than alone
        assert (together / name).stat().st_size <= (alone / name).stat().st_size
    assert len(_page_texts(together / names[2])) >= 2  # the long form


@pytest.mark.parametrize("workers", [1, 2])
def test_merged_pdf_is_every_form_in_order_each_numbering_its_own_pages(
    forms, grids, tmp_path, workers, monkeypatch
):
    monkeypatch.setattr(pdf, "CHUNK", 2)  # parts joined: several even for six forms
    target = tmp_path / "all.pdf"
    results = list(batch.write_merged(forms, str(target), workers=workers))
    assert [r.error for r in results] == [None] * len(forms)
    pages = [r.pages for r in results]
    assert pages[2] >= 2 and sum(pages) > len(forms)
    merged = _page_texts(target)
    assert len(merged) == sum(pages)
    at = 0
    for n, count in enumerate(pages):
        alone = tmp_path / f"alone-{n}.pdf"
        pdf.write_pdf(grids[n], str(alone))
        assert merged[at : at + count] == _page_texts(alone)
        for page in range(1, count + 1):
            assert f"第 {page} 页，共 {count} 页" in merged[at + page - 1]
        at += count
    drawn = drawn_glyphs(target)
    assert all(drawn.values()) and {"项", "第", "页"} <= set(drawn)


def test_the_writers_merged_pdf_in_one_call(grids, tmp_path):
    target = tmp_path / "merged.pdf"
    pages = pdf.write_merged(grids[:3], target)
    assert len(pages) == 3 and len(_page_texts(target)) == sum(pages)
    assert pdf.write_merged([], tmp_path / "none.pdf") == []


def test_a_form_with_a_character_no_font_has_is_left_out_of_the_merged_pdf(forms, tmp_path):
    rare = dataclasses.replace(
        forms[1], project=dataclasses.replace(forms[1].project, name="项目" + OUTSIDE_EVERY_FONT)
    )
    target = tmp_path / "all.pdf"
    results = list(batch.write_merged([forms[0], rare, forms[3]], str(target)))
    assert [r.undrawable for r in results] == [False, True, False]
    assert "U+30000" in results[1].error and "第 2 张" in results[1].error
    assert len(_page_texts(target)) == results[0].pages + results[2].pages


def test_nothing_is_written_when_the_merge_is_stopped_or_has_no_form(forms, tmp_path):
    target = tmp_path / "all.pdf"
    results = batch.write_merged(forms[:3], str(target))
    next(results)
    results.close()  # the web's bulk export cancelled
    assert not target.exists()
    assert list(batch.write_merged([], str(target))) == [] and not target.exists()


# --- the CLI ----------------------------------------------------------------------------


def _samples() -> list[str]:
    return [str(p) for p in sample_paths()]


def test_export_merged_writes_one_pdf_of_every_form(tmp_path):
    target = tmp_path / "out" / "部门.pdf"
    result = CliRunner().invoke(app, ["export", *_samples(), "--merged", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    forms = [ev for path in sample_paths() for ev in read_path(path)]
    texts = _page_texts(target)
    assert len(texts) >= len(forms)
    joined = "".join("".join(t.split()) for t in texts)
    assert all("".join((ev.project.name or "").split()) in joined for ev in forms)
    assert f"合成 {target}" in result.stderr


def test_export_merged_refuses_an_output_folder_and_another_format(tmp_path):
    both = CliRunner().invoke(
        app, ["export", *_samples(), "--merged", str(tmp_path / "a.pdf"), "-o", str(tmp_path)]
    )
    xlsx = CliRunner().invoke(
        app, ["export", *_samples(), "--merged", str(tmp_path / "a.pdf"), "--to", "xlsx"]
    )
    neither = CliRunner().invoke(app, ["export", *_samples(), "--to", "pdf"])
    for refused in (both, xlsx, neither):
        assert refused.exit_code == 2
    assert "-o" in neither.output + neither.stderr
    assert not (tmp_path / "a.pdf").exists()


def test_export_merged_to_an_unwritable_place_exits_3(tmp_path):
    (tmp_path / "a.pdf").mkdir()
    result = CliRunner().invoke(app, ["export", *_samples(), "--merged", str(tmp_path / "a.pdf")])
    assert result.exit_code == EXIT_UNWRITABLE


def _fontconfig(tmp_path: Path, dirs: list[str]) -> Path:
    conf = tmp_path / "fonts.conf"
    dir_lines = "".join(f"<dir>{d}</dir>" for d in dirs)
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dir_lines}<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


@pytest.mark.parametrize("workers", ["1", "2"])
def test_export_merged_without_any_system_font_draws_every_character(tmp_path, workers):
    """The batch's cut fonts are all there is: no system font to fall back on."""
    sample = next(p for p in sample_paths() if p.name == "national-2023-tab.txt")
    source = tmp_path / "rare.txt"
    (ev, *_) = read_path(sample)
    text = sample.read_text("utf-8")
    source.write_text(text.replace(ev.project.name, ev.project.name + OUTSIDE_EVERY_FONT, 1))
    target = tmp_path / "all.pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(tmp_path, []))}
    command = [sys.executable, "-m", "jixiao", "export", str(sample), str(source)]
    done = subprocess.run(
        [*command, "--merged", str(target), "--workers", workers],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == EXIT_UNDRAWABLE, done.stderr  # the rare one left out
    assert "U+30000" in done.stderr
    printed = read_path(sample)
    drawn = drawn_glyphs(target)
    wanted = {c for ev in printed for c in ev.project.name or "" if not c.isascii()}
    assert wanted and wanted <= set(drawn) and all(drawn.values())
    assert len(_page_texts(target)) >= 2 * len(printed) - 1  # the sample's forms, and the
    # other file's but the rare one
