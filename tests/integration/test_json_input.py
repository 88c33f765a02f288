"""A file of the JSON contract goes back in: ``jixiao import/score/check`` read what
``jixiao import --json`` prints and ``jixiao export --to json`` writes, and give
back the same JSON; a broken file is refused naming the place."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jixiao.cli import EXIT_UNREADABLE, app
from jixiao.samples import paths as sample_paths

runner = CliRunner()


def _json(*args: str) -> list:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_the_import_json_of_every_sample_imports_to_the_same_json(tmp_path):
    files = [str(p) for p in sample_paths()]
    printed = _json("import", *files)
    saved = tmp_path / "forms.json"
    saved.write_text(json.dumps(printed, ensure_ascii=False), "utf-8")
    assert _json("import", str(saved)) == printed
    for command in ("score", "check"):  # and scores and audits them as the originals
        assert _json(command, str(saved)) == _json(command, *files)


def test_an_exported_json_file_imports_to_the_same_json(tmp_path):
    files = [str(p) for p in sample_paths()]
    result = runner.invoke(app, ["export", *files, "--to", "json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    exported = sorted(tmp_path.glob("*.json"))
    assert len(exported) >= 4
    for path in exported:
        assert _json("import", str(path)) == [json.loads(path.read_text("utf-8"))]


def test_json_without_a_json_name_is_read_by_its_content(tmp_path):
    printed = _json("import", str(sample_paths()[0]))
    saved = tmp_path / "forms.txt"
    saved.write_text(json.dumps(printed, ensure_ascii=False), "utf-8")
    assert _json("import", str(saved)) == printed


def test_broken_json_is_refused_naming_the_line_and_the_field(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"template": "national-2020",\n "total": }]', "utf-8")
    result = runner.invoke(app, ["import", str(broken)])
    assert result.exit_code == EXIT_UNREADABLE
    assert "broken.json" in result.output and "第 2 行" in result.output
    wrong = tmp_path / "wrong.json"
    form = _json("import", str(sample_paths()[0]))[0]
    form["indicators"][1]["score"] = 9.5  # a float loses digits: refused
    wrong.write_text(json.dumps([form], ensure_ascii=False), "utf-8")
    result = runner.invoke(app, ["import", str(wrong)])
    assert result.exit_code == EXIT_UNREADABLE
    assert "indicators[1].score" in result.output and "字符串" in result.output
