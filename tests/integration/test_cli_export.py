"""``jixiao export``: one file per form, named after the project; clear errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jixiao.cli import EXIT_UNREADABLE, EXIT_UNWRITABLE, app
from jixiao.contract.json import evaluation_dict
from jixiao.readers import read_path
from jixiao.samples import paths as sample_paths

runner = CliRunner()


def _sample_forms():
    return [ev for path in sample_paths() for ev in read_path(path)]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "json", "csv"])
def test_export_writes_one_file_per_form_named_after_the_project(tmp_path, fmt):
    files = [str(p) for p in sample_paths()]
    result = runner.invoke(app, ["export", *files, "--to", fmt, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    forms = _sample_forms()
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(f"{ev.project.name}.{fmt}" for ev in forms)
    assert len(result.stdout.splitlines()) == len(forms)  # one path a line


def test_export_pdf_of_one_form(tmp_path):
    path = next(p for p in sample_paths() if p.suffix == ".md")
    result = runner.invoke(app, ["export", str(path), "--to", "pdf", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (pdf,) = tmp_path.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_json_is_the_import_contract(tmp_path):
    path = sample_paths()[0]
    runner.invoke(app, ["export", str(path), "--to", "json", "-o", str(tmp_path)])
    (ev,) = read_path(path)
    (written,) = tmp_path.glob("*.json")
    assert json.loads(written.read_text("utf-8")) == evaluation_dict(ev)


def test_two_forms_of_one_project_get_numbered_names(tmp_path):
    text = sample_paths()[0].read_text("utf-8")
    first, second = tmp_path / "一.txt", tmp_path / "二.txt"
    first.write_text(text, "utf-8")
    second.write_text(
        text + "\n\n", "utf-8"
    )  # same form, another file (not a duplicate by content)
    result = runner.invoke(
        app, ["export", str(first), str(second), "--to", "csv", "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in (tmp_path / "out").iterdir())
    assert len(names) == 2 and names[1] == names[0] + "-2"


def test_an_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "报告.txt"
    blocker.write_text("x")
    for target in (blocker, blocker / "子目录"):
        result = runner.invoke(
            app, ["export", str(sample_paths()[0]), "--to", "xlsx", "-o", str(target)]
        )
        assert result.exit_code == EXIT_UNWRITABLE
        assert str(target) in result.stderr and (
            "不是文件夹" in result.stderr or "无法创建" in result.stderr
        )


def test_unreadable_input_still_exports_the_rest(tmp_path):
    missing = tmp_path / "没有这个文件.txt"
    result = runner.invoke(
        app,
        ["export", str(missing), str(sample_paths()[0]), "--to", "json", "-o", str(tmp_path / "o")],
    )
    assert result.exit_code == EXIT_UNREADABLE
    assert "文件不存在" in result.stderr
    assert len(list((tmp_path / "o").iterdir())) == 1


def test_an_unknown_format_is_refused(tmp_path):
    result = runner.invoke(
        app, ["export", str(sample_paths()[0]), "--to", "odt", "-o", str(tmp_path)]
    )
    assert result.exit_code == 2 and "odt" in result.output + result.stderr


def test_two_workers_write_what_one_writes(tmp_path):
    files = [str(p) for p in sample_paths()]
    for fmt in ("json", "pdf"):
        one = runner.invoke(app, ["export", *files, "--to", fmt, "-o", str(tmp_path / f"1{fmt}")])
        two = runner.invoke(
            app, ["export", *files, "--to", fmt, "-o", str(tmp_path / f"2{fmt}"), "--workers", "2"]
        )
        assert one.exit_code == two.exit_code == 0, two.output
        # the same files, printed in the same order, whichever worker wrote each
        assert [line.split("/")[-1] for line in one.stdout.splitlines()] == [
            line.split("/")[-1] for line in two.stdout.splitlines()
        ]
        for path in (tmp_path / f"1{fmt}").iterdir():
            other = (tmp_path / f"2{fmt}" / path.name).read_bytes()
            if fmt == "json":
                assert other == path.read_bytes()
            else:
                assert other.startswith(b"%PDF") and len(other) > 10_000
