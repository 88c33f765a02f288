"""``jixiao check`` as a user runs it: output, JSON contract, exit codes, reports."""

import json
from pathlib import Path

import pytest

from tests.conftest import seed_path
from tests.integration.test_cli import SAMPLE_MD, SAMPLE_TAB, SLIPS, jixiao


def test_clean_forms_exit_0_and_slips_exit_1():
    assert jixiao("check", SAMPLE_TAB, SAMPLE_MD).returncode == 0
    assert jixiao("check", SAMPLE_TAB, SLIPS).returncode == 1


def test_json_contract():
    run = jixiao("check", SLIPS, "--json")
    assert run.returncode == 1
    (form,) = json.loads(run.stdout)
    assert set(form) == {"source", "template", "project", "findings"}
    assert form["source"] == {"file": str(SLIPS), "form_index": 0}
    by_key = {(f["code"], f["field"]): f for f in form["findings"]}
    above = by_key[("score-above-points", "indicators[1].score")]
    assert set(above) == {
        "code",
        "severity",
        "field",
        "message",
        "message_en",
        "printed",
        "expected",
        "explanation",
        "location",
    }
    assert (above["severity"], above["printed"], above["expected"]) == ("error", "22.00", "20.00")
    assert above["message"] == "得分 22.00 超过分值 20.00"
    assert above["message_en"].startswith("score 22.00 exceeds")
    assert above["location"] == {"line": 15}
    total = by_key[("total-differs", "total")]
    assert total["explanation"] == "总分 = 10.00 + 20.00 + 22.00 + 10.00 + 20.00 + 20.00 = 102.00"


def test_min_severity_filters_but_errors_still_set_the_exit():
    run = jixiao("check", SLIPS, "--json", "--min-severity", "error")
    assert run.returncode == 1
    severities = {f["severity"] for f in json.loads(run.stdout)[0]["findings"]}
    assert severities == {"error"}
    warn = jixiao("check", SAMPLE_TAB, "--json", "--min-severity", "warning")
    assert all(
        f["severity"] != "info" for form in json.loads(warn.stdout) for f in form["findings"]
    )


def test_human_output_groups_by_form_with_field_and_figures():
    run = jixiao("check", SLIPS, "--min-severity", "warning")
    out = run.stdout
    assert "示例区河道保洁养护" in out
    assert "indicators[1].score（第 15 行） score-above-points" in out
    assert "得分 22.00 超过分值 20.00" in out
    assert "表上 99.00 → 应为 102.00" in out
    assert "超过总分值 100：有得分超过了分值" in out  # 102 of 100 points
    assert f"{SLIPS} 第 1 张" in out and " #0" not in out  # forms counted from 1 for people
    clean = jixiao("check", SAMPLE_MD, "--min-severity", "error")
    assert "✓ 未发现问题" in clean.stdout


def test_a_folder_is_walked_and_the_run_summarised_on_stderr(tmp_path):
    nested = tmp_path / "unit-a" / "2023"
    nested.mkdir(parents=True)
    (nested / "slips.txt").write_bytes(SLIPS.read_bytes())
    (tmp_path / "tab.txt").write_bytes(SAMPLE_TAB.read_bytes())
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("not a form")
    run = jixiao("check", tmp_path, "--json")
    assert run.returncode == 1, run.stderr
    files = [Path(f["source"]["file"]).name for f in json.loads(run.stdout)]
    assert files == ["tab.txt", "tab.txt", "slips.txt"]
    assert "审核 3 张自评表，1 张有错误。" in run.stderr
    assert "score-above-points 1" in run.stderr


def test_unreadable_input_wins_with_exit_2(tmp_path):
    run = jixiao("check", SLIPS, tmp_path / "missing.txt", "--json")
    assert run.returncode == 2
    assert len(json.loads(run.stdout)) == 1
    assert "missing.txt: 文件不存在" in run.stderr
    (tmp_path / "notes.pdf.tmp").write_text("not a form")
    run = jixiao("check", tmp_path)
    assert run.returncode == 2 and "notes.pdf.tmp" in run.stderr


def test_report_xlsx(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "审核意见.xlsx"
    run = jixiao("check", SLIPS, SAMPLE_TAB, "--report", out)
    assert run.returncode == 1 and out.exists()
    book = load_workbook(out)
    assert book.sheetnames == ["审核意见", "汇总"]
    rows = [[c.value for c in row] for row in book["审核意见"].iter_rows()]
    assert rows[0][:4] == ["文件", "表序", "项目名称", "级别"]
    above = next(r for r in rows if r[4] == "score-above-points")
    assert above[6:11] == [
        "indicators[1].score",
        "第 15 行",
        "得分 22.00 超过分值 20.00",
        "22.00",
        "20.00",
    ]
    summary = {r[0].value: r[3].value for r in book["汇总"].iter_rows(min_row=2)}
    # the tab sample's first form counts its 成本指标 with 产出 (40 + 10): the advised split
    assert summary["score-above-points"] == 1 and summary["weights-unusual"] == 2
    levels = [r[1].value for r in book["汇总"].iter_rows(min_row=2)]
    rank = {"错误": 3, "警告": 2, "提示": 1}
    assert levels == sorted(levels, key=lambda label: -rank[label])  # errors first


def test_report_html(tmp_path):
    out = tmp_path / "report.html"
    assert jixiao("check", SLIPS, "--report", out).returncode == 1
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-Hans"' in page
    assert "共审核 1 张自评表，其中 1 张有错误。" in page
    assert "<code>score-above-points</code>" in page and "得分 22.00 超过分值 20.00" in page
    assert "<script" not in page


def test_report_of_another_kind_is_refused(tmp_path):
    run = jixiao("check", SLIPS, "--report", tmp_path / "out.pdf")
    assert run.returncode == 2 and ".xlsx 或 .html" in run.stderr


@pytest.mark.seeds
def test_seeds_check_errors_on_four_forms():
    run = jixiao(
        "check",
        seed_path("001"),
        seed_path("002"),
        seed_path("003"),
        "--json",
        "--min-severity",
        "error",
    )
    forms = json.loads(run.stdout)
    assert run.returncode == 1 and len(forms) == 19
    assert sum(1 for f in forms if f["findings"]) == 4


def test_report_that_cannot_be_written_is_explained(tmp_path):
    run = jixiao("check", SLIPS, "--report", tmp_path / "no-such-folder" / "r.html")
    assert run.returncode == 2 and "无法写入" in run.stderr and "Traceback" not in run.stderr
