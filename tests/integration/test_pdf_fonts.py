"""PDF export draws every character with a real glyph, whatever fonts the machine
has: the fonts jixiao ships, a system font for a character they lack, and a
refusal (exit 4) for a character no font has — never an empty box, never a crash.

Each export runs ``jixiao`` in a child process with ``FONTCONFIG_FILE`` pointed
at a configuration of our own (Latin fonts only, or no fonts at all): fontconfig
reads it once per process. Glyphs are checked in the fonts embedded in the PDF
(:func:`drawn_glyphs`), not in its text layer, which holds a character even
where it prints as a box.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.cli import EXIT_UNDRAWABLE
from jixiao.readers import read_path
from jixiao.samples import paths as sample_paths
from jixiao.writers import fonts

from .exported import drawn_glyphs, form_values

OUTSIDE_EVERY_FONT = "\U00030000"  # 𰀀, CJK Extension G: in no Noto CJK font
LATIN_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]


def _fontconfig(tmp_path: Path, dirs: list[str]) -> Path:
    conf = tmp_path / "fonts.conf"
    dir_lines = "".join(f"<dir>{d}</dir>" for d in dirs)
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dir_lines}<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


def _latin_only(tmp_path: Path) -> Path:
    dirs = [d for d in LATIN_DIRS if Path(d).is_dir()]
    if not dirs:
        reason = "no Latin fonts to configure (Debian: apt-get install fonts-dejavu-core)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason + "; CI must have them")
        pytest.skip(reason)
    return _fontconfig(tmp_path, dirs)


def _export(source: Path, out: Path, conf: Path | None, *more: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if conf is not None:
        env["FONTCONFIG_FILE"] = str(conf)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "jixiao",
            "export",
            str(source),
            "--to",
            "pdf",
            "-o",
            str(out),
            *more,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _han(values: list[str]) -> set[str]:
    return {c for v in values for c in v if not c.isascii() and not c.isspace()}


@pytest.fixture
def sample() -> Path:
    return next(p for p in sample_paths() if p.name == "national-2023-tab.txt")


@pytest.mark.parametrize("fonts_here", ["latin-only", "none"])
def test_every_character_has_a_glyph_without_system_cjk_fonts(tmp_path, sample, fonts_here):
    conf = _latin_only(tmp_path) if fonts_here == "latin-only" else _fontconfig(tmp_path, [])
    done = _export(sample, tmp_path / "out", conf)
    assert done.returncode == 0, done.stderr
    forms = read_path(sample)
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == len(forms)
    for ev in forms:
        drawn = drawn_glyphs(tmp_path / "out" / f"{ev.project.name}.pdf")
        wanted = _han(form_values(ev)) | set("第页共")
        assert len(wanted) > 100
        assert wanted <= set(drawn), sorted(wanted - set(drawn))
        assert [c for c in wanted if not drawn[c]] == []


def _with_project_name(sample: Path, tmp_path: Path, extra: str) -> Path:
    (ev, *_) = read_path(sample)
    text = sample.read_text("utf-8").replace(ev.project.name, ev.project.name + extra, 1)
    path = tmp_path / "rare.txt"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_character_no_font_has_is_refused_with_exit_4(tmp_path, sample, workers):
    source = _with_project_name(sample, tmp_path, OUTSIDE_EVERY_FONT)
    done = _export(source, tmp_path / "out", _fontconfig(tmp_path, []), "--workers", workers)
    assert done.returncode == EXIT_UNDRAWABLE == 4
    assert "U+30000" in done.stderr and fonts.FONT_PACKAGE in done.stderr
    assert "空框" in done.stderr
    names = {p.name for p in (tmp_path / "out").iterdir()}
    # the refused form has no file (not half of one); the other forms are written
    assert len(names) == len(read_path(source)) - 1
    assert not any(OUTSIDE_EVERY_FONT in n for n in names)


def test_a_character_beyond_the_shipped_fonts_is_drawn_from_a_system_font(tmp_path, sample):
    rare = "龘"  # not in 通用规范汉字表 nor GB 2312; Noto CJK SC has it
    assert ord(rare) not in fonts.shipped_characters()
    if not fonts.system_has(rare):
        reason = "no system CJK font (Debian: apt-get install fonts-noto-cjk)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason + "; CI must have it")
        pytest.skip(reason)
    source = _with_project_name(sample, tmp_path, rare)
    done = _export(source, tmp_path / "out", None)
    assert done.returncode == 0, done.stderr
    (pdf,) = (tmp_path / "out").glob(f"*{rare}*.pdf")
    drawn = drawn_glyphs(pdf)
    assert drawn[rare] and drawn["项"]


def test_undrawable_lists_each_missing_character_once_in_order():
    text = f"项目{OUTSIDE_EVERY_FONT} \n\t\u200b{OUTSIDE_EVERY_FONT}\U00030001"
    assert fonts.undrawable([text, "abc"]) == [OUTSIDE_EVERY_FONT, "\U00030001"]
    with pytest.raises(fonts.NoGlyphs) as refused:
        fonts.check_drawable([text])
    assert "U+30000" in refused.value.reason and "U+30001" in refused.value.reason
