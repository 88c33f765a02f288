"""The command line as a user runs it: JSON contract, exit codes, messages."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao import samples
from tests.conftest import seed_path

SAMPLE_TAB, SAMPLE_MD, SLIPS = (
    next(p for p in samples.paths() if p.name == name)
    for name in ("national-2023-tab.txt", "national-2023-markdown.md", "national-2023-slips.txt")
)


def jixiao(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_samples_lists_existing_files():
    run = jixiao("samples")
    assert run.returncode == 0
    listed = [Path(line) for line in run.stdout.splitlines()]
    assert SAMPLE_TAB in listed and SLIPS in listed
    assert all(p.exists() for p in listed)


def test_import_json_contract():
    run = jixiao("import", SAMPLE_TAB, SAMPLE_MD, "--json")
    assert run.returncode == 0, run.stderr
    forms = json.loads(run.stdout)
    assert [f["source"]["form_index"] for f in forms] == [0, 1, 0]
    first = forms[0]
    assert set(first) >= {
        "source",
        "template",
        "year",
        "project",
        "funding",
        "goals",
        "indicators",
        "total",
        "total_points",
        "grade",
        "problems",
    }
    assert first["template"] == "national-2020" and first["year"] == 2023
    assert first["funding"]["execution_rate"] == "99.77"
    assert first["funding"]["breakdown"]["prior_year_carryover"]["points"] is None
    # the 成本指标 cell spanning both label columns, and a row broken over a page end
    assert (first["indicators"][3]["level1"], first["indicators"][3]["level2"]) == (
        "成本指标",
        "成本指标",
    )
    assert first["indicators"][6]["level1"] == "满意度指标"
    assert first["indicators"][6]["level2"] == "服务对象满意度指标"
    assert first["indicators"][2]["target_parsed"] == {
        "kind": "quantitative",
        "op": "≤",
        "value": "2",
        "unit": "小时",
        "note": None,
    }
    yuan = forms[2]
    assert yuan["funding"]["unit"] == "元" and yuan["funding"]["executed"] == "466830.00"
    assert yuan["goals"]["expected"].startswith("更新区文化馆")  # <p> tags removed


def test_score_exit_codes_and_json():
    clean = jixiao("score", SAMPLE_TAB, SAMPLE_MD, "--json")
    assert clean.returncode == 0, clean.stdout
    slips = jixiao("score", SLIPS, "--json")
    assert slips.returncode == 1
    (form,) = json.loads(slips.stdout)
    by_field = {f["field"]: f for f in form["figures"]}
    rate = by_field["funding.execution_rate"]
    assert (rate["printed"], rate["computed"], rate["status"]) == ("99.99", "99.98", "differs")
    assert rate["fits"] == ["half-up", "up"]
    assert by_field["indicators[1].score"]["computed"] == "20.00"  # 22 printed for 20 points
    assert by_field["total"]["computed"] == "102.00"
    assert (by_field["grade"]["printed"], by_field["grade"]["computed"]) == ("良", "优")
    qualitative = by_field["indicators[2].score"]
    assert qualitative["range"] == ["8.00", "10.00"] and qualitative["status"] == "match"


def test_rounding_option_changes_the_verdict():
    assert jixiao("score", SAMPLE_TAB, "--rounding", "half-up").returncode == 1
    assert jixiao("score", SAMPLE_TAB, "--rounding", "down").returncode == 0


def test_unreadable_input_exit_2_and_readable_still_printed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "form.txt"
    binary.write_bytes(b"\x00\x01\x02garbage")
    run = jixiao("import", tmp_path / "missing.txt", empty, binary, SAMPLE_MD, "--json")
    assert run.returncode == 2
    assert len(json.loads(run.stdout)) == 1  # stdout is only JSON
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 4 and "Traceback" not in run.stderr
    assert "missing.txt: 文件不存在" in lines[0]
    assert "empty.txt: 空文件" in lines[1]
    assert "form.txt" in lines[2]
    assert lines[3].startswith("共 4 个文件：读出 1 张表；拒收 3 个")


def test_unreadable_wins_over_differences(tmp_path):
    assert jixiao("score", SLIPS, tmp_path / "nope.txt").returncode == 2


def test_text_without_a_form_is_explained(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("会议纪要\n\n今天讨论了预算。\n", encoding="utf-8")
    run = jixiao("import", note)
    assert run.returncode == 2
    assert "看不出是哪种自评表" in run.stderr


def test_gb18030_text_is_read(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SAMPLE_TAB.read_text("utf-8").encode("gb18030"))
    run = jixiao("import", gbk, "--json")
    assert run.returncode == 0
    assert json.loads(run.stdout)[0]["project"]["name"] == "示例区政务数据共享平台运维（2023）"


def test_unknown_template_is_refused():
    run = jixiao("score", SAMPLE_TAB, "--template", "nowhere-1999")
    assert run.returncode == 2 and "nowhere-1999" in run.stderr


def test_score_human_output_marks_differences():
    run = jixiao("score", SLIPS)
    assert "99.99 ≠ 99.98" in run.stdout
    assert "表上的数符合「四舍五入、进一」" in run.stdout


@pytest.mark.seeds
def test_score_on_seeds_reports_half_up_differences():
    run = jixiao("score", seed_path("002"), seed_path("003"))
    assert "执行率 = 8.98 ÷ 9.00 = 99.777…% → 舍去 → 99.77%（按四舍五入为 99.78" in run.stdout
