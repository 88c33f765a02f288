"""The streamed workbook (writers/xlsx_stream.py) read back by openpyxl: every value as
written and of its type, a formula-looking text still a text, the characters XML cannot
hold dropped, bold lines, number formats by column, the sheet frozen under its header and
printed landscape one page wide with the header atop every page; and, where LibreOffice
is installed, opened by it too."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.writers import xlsx_stream

LAYOUT = xlsx_stream.Layout(
    name="汇总表 '甲'", widths=(12, 30, 10), number_formats={1: "0.00", 2: "#,##0.00####"}
)
ROWS = [
    (["甲一中心", Decimal("97.50"), Decimal("1234.5")], False),
    (['=HYPERLINK("http://x")', 12, 3.25], False),
    (['<&>\x07 "引号"', None, ""], False),
    (["小计", Decimal("195.00"), Decimal("-0.000001")], True),
]


def _written() -> bytes:
    buffer = io.BytesIO()
    xlsx_stream.write(buffer, LAYOUT, "2024 年度自评汇总表", ["单位", "得分", "金额"], ROWS)
    return buffer.getvalue()


def test_every_value_comes_back_as_written_and_of_its_type():
    sheet = load_workbook(io.BytesIO(_written())).active
    assert sheet.title == "汇总表 '甲'"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2024 年度自评汇总表" and rows[1] == ("单位", "得分", "金额")
    assert rows[2] == ("甲一中心", 97.5, 1234.5)
    assert rows[3] == ('=HYPERLINK("http://x")', 12, 3.25)
    assert sheet["A4"].data_type == "s"  # a text, never a formula
    assert rows[4] == ('<&> "引号"', None, None)  # the bell dropped, the blanks blank
    assert Decimal(str(rows[5][2])) == Decimal("-0.000001")  # no exponent lost


def test_the_layout_styles_and_print_setup():
    sheet = load_workbook(io.BytesIO(_written())).active
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert not sheet["A2"].font.b and not sheet["B3"].font.b
    assert all(cell.font.b for cell in sheet[6])  # the 小计 line
    assert sheet["B3"].number_format == "0.00" and sheet["C3"].number_format == "#,##0.00####"
    assert sheet["B6"].number_format == "0.00" and sheet["A3"].number_format == "General"
    assert [sheet.column_dimensions[c].width for c in "ABC"] == [12, 30, 10]
    assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$2:$2"
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_rows_are_written_as_they_come():
    made = []

    def rows():
        for n in range(3000):
            made.append(n)
            yield ([f"单位{n}", n, Decimal(n) / 4], n % 100 == 99)

    buffer = io.BytesIO()
    xlsx_stream.write(buffer, LAYOUT, "大表", ["单位", "序号", "金额"], rows())
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active
    last = list(sheet.iter_rows(min_row=3002, values_only=True))
    assert made == list(range(3000)) and last == [("单位2999", 2999, 749.75)]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_it(tmp_path):
    book = tmp_path / "rollup.xlsx"
    book.write_bytes(_written())
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",  # UTF-8, as shown
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        timeout=120,
        check=False,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    text = (tmp_path / "rollup.csv").read_text(encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert text.splitlines()[:3] == [
        "2024 年度自评汇总表,,",
        "单位,得分,金额",
        '甲一中心,97.50,"1,234.50"',
    ]
