"""Workbooks and old formats (issue 17, item 5).

A project-library export (tests/fixtures/files/workbooks, made by
make_fixtures.py --workbooks: openpyxl for the xlsx, xlwt for the xls) has six
sheets of which one is a 自评表: only that sheet becomes a form, the others are
skipped with their reasons, in the reader, the batch and the CLI. The .xls is
read by xlrd to the same rows and the same form as the .xlsx. WPS files that
are Office files inside are read as such, the others, OFD, presentations, old
Word files and encrypted or damaged OLE files are refused saying what they are.
Every file here is written by a real library (openpyxl, xlwt, zipfile); the
few refusals of OLE files that no library here writes (an encrypted workbook,
an old .doc) are real xlwt workbooks with one record or one stream name
changed, as the comments say.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlwt
from openpyxl import Workbook

from jixiao.contract.json import evaluation_dict
from jixiao.readers import FORMATS, SUFFIXES, ReadError, read_bytes, read_file, read_path, sniff
from jixiao.readers.xls import xls_sheets
from jixiao.readers.xlsx import xlsx_sheets
from jixiao.services.batch import read_batch
from tests.conftest import FIXTURES

WORKBOOKS = FIXTURES / "files" / "workbooks"
LIBRARY = [WORKBOOKS / "project-library.xlsx", WORKBOOKS / "project-library.xls"]
SKIPPED = ["说明", "项目清单", "预算执行", "绩效指标库", "Sheet6"]


def refusal(path: Path) -> str:
    with pytest.raises(ReadError) as caught:
        read_path(path)
    assert caught.value.file == str(path)
    return caught.value.reason


@pytest.mark.parametrize("path", LIBRARY, ids=[p.suffix for p in LIBRARY])
def test_only_the_form_sheet_of_a_project_library_becomes_a_form(path):
    reading = read_file(path)
    assert len(reading.forms) == 1
    form = evaluation_dict(reading.forms[0])
    assert form["source"] == {"file": str(path), "form_index": 0}
    assert form["template"] == "national-2020" and form["year"] == 2024
    assert form["project"]["name"] == "示例部政务信息系统运维（2024）"
    assert (form["project"]["department"], form["project"]["unit"]) == ("示例部", "示例部信息中心")
    funding = form["funding"]
    assert [funding[k] for k in ("initial_budget", "annual_budget", "executed")] == [
        "120.00",
        "128.50",
        "121.30",
    ]
    assert [funding[k] for k in ("points", "execution_rate", "score")] == ["10.00", "94.39", "9.43"]
    part = funding["breakdown"]["current_year_appropriation"]
    assert [part["annual_budget"], part["executed"], part["execution_rate"]] == [
        "108.50",
        "101.30",
        "93.36",
    ]
    assert [(i["level1"], i["name"], i["points"], i["score"]) for i in form["indicators"]] == [
        ("产出指标", "系统巡检次数", "20.00", "20.00"),
        ("产出指标", "系统可用率", "20.00", "20.00"),
        ("产出指标", "故障响应时间", "10.00", "10.00"),
        ("效益指标", "业务连续性", "20.00", "18.00"),
        ("满意度指标", "用户满意度", "20.00", "20.00"),
    ]
    assert (form["total"], form["total_points"], form["grade"]) == ("97.43", "100.00", "优")
    assert form["problems"] == []
    assert form["sources"]["funding.executed"] == {"sheet": "自评表", "cell": "E6"}
    assert [s.sheet for s in reading.skipped] == SKIPPED
    reasons = {s.sheet: s.reason for s in reading.skipped}
    assert reasons["Sheet6"] == "空工作表"
    assert "不是自评表" in reasons["项目清单"] and "不是自评表" in reasons["绩效指标库"]
    # the budget table carries two of the form's three labels: named with the one it lacks
    assert "「年度指标值」" in reasons["预算执行"]


def test_the_xls_gives_the_same_rows_and_form_as_the_xlsx():
    xlsx, xls = (p.read_bytes() for p in LIBRARY)
    from_xlsx = xlsx_sheets(xlsx, "library")
    from_xls = xls_sheets(xls, "library")
    assert [title for title, _ in from_xls] == [title for title, _ in from_xlsx]
    for (_, a), (_, b) in zip(from_xlsx, from_xls, strict=True):
        assert [(r.cells, r.refs, r.source) for r in a] == [(r.cells, r.refs, r.source) for r in b]
    forms = [evaluation_dict(read_bytes(data, "library")[0]) for data in (xlsx, xls)]
    assert forms[0] == forms[1]


def _xls(sheets: dict[str, list[tuple]], path: Path, merges=()) -> Path:
    """An .xls written by xlwt: each sheet's cells (row, col, value, number format)."""
    book = xlwt.Workbook(encoding="utf-8")
    for title, cells in sheets.items():
        sheet = book.add_sheet(title)
        for row, col, value, number_format in cells:
            style = xlwt.easyxf(num_format_str=number_format) if number_format else xlwt.XFStyle()
            sheet.write(row, col, value, style)
        for r1, r2, c1, c2 in merges:
            sheet.merge(r1, r2, c1, c2)
    book.save(str(path))
    return path


def test_xls_numbers_are_shown_as_the_cell_shows_them_without_float_noise(tmp_path):
    noisy = 0.1 + 0.2  # 0.30000000000000004 as a double
    path = _xls(
        {
            "表": [
                (0, 0, noisy, None),
                (0, 1, noisy, "0.00"),
                (0, 2, 121.30000000000001, "0.00"),
                (0, 3, 2.345, "0.00"),
                (0, 4, 1234567.5, "#,##0.00"),
                (0, 5, 0.9439, "0.00%"),
                (0, 6, 15, "0"),
                (0, 7, "≥90.00(%)", None),
            ]
        },
        tmp_path / "numbers.xls",
    )
    [(title, rows)] = xls_sheets(path.read_bytes(), str(path))
    assert title == "表"
    assert rows[0].cells == (
        "0.3",
        "0.30",
        "121.30",
        "2.35",
        "1,234,567.50",
        "94.39%",
        "15",
        "≥90.00(%)",
    )


def test_xls_merged_cells_are_one_cell_as_in_xlsx(tmp_path):
    cells = [(0, 0, "项目名称", None), (0, 2, "某项目", None), (1, 0, "一级", None)]
    cells.append((3, 2, "x", None))  # a cell below, so the rows merged down are drawn
    merges = [(0, 0, 0, 1), (1, 3, 0, 0)]  # A1:B1 across, A2:A4 down
    xls = _xls({"S": cells}, tmp_path / "m.xls", merges)
    book = Workbook()
    sheet = book.active
    sheet.title = "S"
    for row, col, value, _ in cells:
        sheet.cell(row + 1, col + 1, value)
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("A2:A4")
    buffer = io.BytesIO()
    book.save(buffer)
    rows_xlsx = xlsx_sheets(buffer.getvalue(), "m")[0][1]
    rows_xls = xls_sheets(xls.read_bytes(), "m")[0][1]
    assert rows_xls[0].cells == rows_xlsx[0].cells == ("项目名称", "某项目")
    assert rows_xls[0].refs == rows_xlsx[0].refs == ("A1", "C1")
    assert rows_xls[1].cells == ("一级", "", "")


def test_a_workbook_without_a_form_sheet_is_refused_naming_its_sheets(tmp_path):
    book = Workbook()
    book.active.title = "项目清单"
    book.active.append(["项目名称", "主管部门", "年初预算数"])
    book.active.append(["某项目", "某局", 10])
    budget = book.create_sheet("预算表")
    budget.append(["项目名称", "年初预算数", "全年预算数", "全年执行数"])
    budget.append(["某项目", 10, 10, 9])
    path = tmp_path / "export.xlsx"
    book.save(path)
    reason = refusal(path)
    assert reason.startswith("工作簿的 2 个工作表都不是自评表")
    assert "「项目清单」不是自评表" in reason and "「预算表」" in reason
    assert "「年度指标值」" in reason  # what the budget table lacks


def test_a_single_sheet_that_is_no_form_is_refused_naming_the_sheet(tmp_path):
    path = _xls({"台账": [(0, 0, "序号", None), (0, 1, "名称", None)]}, tmp_path / "list.xls")
    assert refusal(path).startswith("工作表「台账」：不是自评表")


def test_the_cli_lists_skipped_sheets_on_stderr_and_in_the_json(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "jixiao", "import", "--json", *map(str, LIBRARY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    forms = json.loads(run.stdout)
    assert len(forms) == 2
    for form, path in zip(forms, LIBRARY, strict=True):
        assert form["source"]["file"] == str(path) and form["source"]["form_index"] == 0
        listed = form["source"]["skipped_sheets"]
        assert [s["sheet"] for s in listed] == SKIPPED
        assert all(s["reason"] for s in listed)
    for path in LIBRARY:
        for sheet in SKIPPED:
            assert f"jixiao: {path}: 跳过工作表「{sheet}」：" in run.stderr
    assert "读出 2 张表" in run.stderr and "跳过不是自评表的工作表 10 个" in run.stderr
    # the JSON goes back in: the added key is accepted and the form is the same
    saved = tmp_path / "forms.json"
    saved.write_text(run.stdout, encoding="utf-8")
    again = read_path(saved)
    assert [evaluation_dict(ev)["total"] for ev in again] == ["97.43", "97.43"]


def test_a_form_file_has_no_skipped_sheets_key(tmp_path):
    from jixiao import samples

    path = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")
    run = subprocess.run(
        [sys.executable, "-m", "jixiao", "import", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert all("skipped_sheets" not in form["source"] for form in json.loads(run.stdout))


def test_the_batch_carries_the_skipped_sheets():
    [result] = list(read_batch([LIBRARY[1]]))
    assert len(result.forms) == 1 and [s.sheet for s in result.skipped] == SKIPPED


# --- .xls refusals -----------------------------------------------------------------


def _tiny_xls() -> bytes:
    buffer = io.BytesIO()
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x")
    book.save(buffer)
    return buffer.getvalue()


def test_an_encrypted_xls_is_refused_as_encrypted(tmp_path):
    data = bytearray(_tiny_xls())
    # An encrypted workbook has a FILEPASS record (0x2F) right after its BOF: the
    # record there in xlwt's file (INTERFACEHDR, 2 bytes) retyped as one.
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")
    assert data[bof + 20 : bof + 22] == b"\xe1\x00"
    data[bof + 20 : bof + 22] = b"\x2f\x00"
    path = tmp_path / "locked.xls"
    path.write_bytes(bytes(data))
    reason = refusal(path)
    assert "已加密" in reason and "密码" in reason and ".xlsx" in reason


def test_a_cut_or_damaged_xls_is_refused_as_damaged(tmp_path):
    data = _tiny_xls()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(data[: len(data) // 2])
    assert "损坏" in refusal(cut)
    garbage = tmp_path / "garbage.xls"
    garbage.write_bytes(data[:8] + bytes(600))
    reason = refusal(garbage)
    assert "损坏" in reason and ".xlsx" in reason and "密码" in reason


def _renamed(data: bytes, old: str, new: str) -> bytes:
    """The OLE file with one directory entry renamed (its UTF-16 name and length)."""
    at = data.find(old.encode("utf-16-le") + b"\x00\x00")
    assert at > 0 and len(new) < 32
    entry = bytearray(data[at : at + 128])
    entry[:64] = (new.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
    entry[64:66] = (2 * (len(new) + 1)).to_bytes(2, "little")
    return data[:at] + bytes(entry) + data[at + 128 :]


@pytest.mark.parametrize(
    ("stream", "name", "said"),
    [
        ("WordDocument", "old.doc", ["旧版 Word 文件（.doc）", ".docx"]),
        ("WordDocument", "old.wps", ["WPS 文字文件（.wps）", ".docx"]),
        ("EncryptedPackage", "locked.xlsx", ["已加密", "密码"]),
        ("PowerPoint Document", "slides.dps", ["WPS 演示文件（.dps）", "不是自评表"]),
        ("Contents", "own.et", ["WPS 表格文件（.et）", "WPS 专有格式", ".xlsx"]),
    ],
)
def test_other_ole_files_are_refused_saying_what_they_are(tmp_path, stream, name, said):
    # xlwt's OLE file with its Workbook stream renamed to what the other file kinds hold
    path = tmp_path / name
    path.write_bytes(_renamed(_tiny_xls(), "Workbook", stream))
    assert sniff(path.read_bytes()) == "ole"
    reason = refusal(path)
    assert all(words in reason for words in said), reason


# --- WPS and OFD -------------------------------------------------------------------


def test_wps_files_that_are_office_files_inside_are_read_as_such(tmp_path):
    xlsx, xls = (p.read_bytes() for p in LIBRARY)
    for name, data in (("as-xlsx.et", xlsx), ("as-xls.et", xls)):
        path = tmp_path / name
        path.write_bytes(data)
        assert evaluation_dict(read_path(path)[0])["total"] == "97.43"
    from jixiao import samples, templates
    from jixiao.writers import Format, write_form

    form = read_path(next(p for p in samples.paths() if p.name == "national-2023-tab.txt"))[0]
    docx = tmp_path / "form.docx"
    write_form(form, templates.load(form.template), Format.DOCX, docx)
    wps = tmp_path / "form.wps"
    wps.write_bytes(docx.read_bytes())
    assert evaluation_dict(read_path(wps)[0])["total"] == evaluation_dict(form)["total"]


def test_a_wps_file_of_no_known_format_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "form.et"
    path.write_bytes(b"\x01\x02WPS" + bytes(100))
    reason = refusal(path)
    assert reason.startswith("WPS 表格文件（.et）") and "另存为 .xlsx" in reason


def test_an_ofd_is_refused_with_the_way_to_pdf(tmp_path):
    path = tmp_path / "form.ofd"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
        z.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    assert sniff(path.read_bytes()) == "ofd"
    assert refusal(path).startswith("OFD 版式文件") and "另存为 PDF" in refusal(path)


def test_a_presentation_is_refused_as_one(tmp_path):
    path = tmp_path / "slides.dps"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    assert "演示文稿" in refusal(path)


def test_an_html_table_named_xls_is_read_as_the_page(tmp_path):
    from jixiao import samples

    text = next(p for p in samples.paths() if p.name == "national-2023-tab.txt").read_text(
        encoding="utf-8"
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in line.split("\t")) + "</tr>"
        for line in text.splitlines()
        if line.strip()
    )
    path = tmp_path / "导出.xls"
    path.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    forms = read_path(path)
    assert [evaluation_dict(ev)["total"] for ev in forms] == ["99.97", "87.01"]


def test_tab_separated_text_named_xls_is_read_as_the_text(tmp_path):
    from jixiao import samples

    sample = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")
    path = tmp_path / "导出.xls"
    path.write_bytes(sample.read_text(encoding="utf-8").encode("gb18030"))
    assert [evaluation_dict(ev)["total"] for ev in read_path(path)] == ["99.97", "87.01"]


def test_other_content_named_xls_is_refused_as_not_an_xls(tmp_path):
    path = tmp_path / "form.xls"
    path.write_bytes("没有表格的一段文字".encode())
    assert "扩展名为 .xls，但内容不是 Excel 97-2003 文件" in refusal(path)


# --- the one list of formats -------------------------------------------------------


def test_the_formats_list_names_every_suffix_once_and_the_help_shows_them():
    assert len(SUFFIXES) == len(set(SUFFIXES)) and all(s.startswith(".") for s in SUFFIXES)
    assert {".pdf", ".xlsx", ".xls", ".docx", ".et", ".wps", ".html", ".txt", ".json"} <= set(
        SUFFIXES
    )
    assert ".ofd" not in SUFFIXES and ".dps" not in SUFFIXES
    run = subprocess.run(
        [sys.executable, "-m", "jixiao", "import", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400"},
    )
    shown = " ".join(run.stdout.split())
    for kind in FORMATS:
        assert kind.what in shown and all(s in shown for s in kind.suffixes)


def test_a_damaged_xls_is_read_or_refused_never_a_crash_or_a_hang():
    """Bytes of the xls changed at random (and some cut short): each is read or
    refused with a ReadError, quickly. A cell moved to row 65535 once took xlrd a
    minute padding rows; ragged rows and the cell cap keep it under a second."""
    import random
    import time

    data = LIBRARY[1].read_bytes()
    rng = random.Random(17)
    slowest = 0.0
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.1:
            damaged = damaged[: rng.randrange(len(damaged))]
        started = time.perf_counter()
        with contextlib.suppress(ReadError):  # refused is fine; anything else fails
            read_bytes(bytes(damaged), "damaged.xls", ".xls")
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 5
