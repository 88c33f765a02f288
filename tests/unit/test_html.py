"""Web pages saved from a browser: tables laid out with their spans, text outside
tables in page order, scripts and styles not text."""

from __future__ import annotations

import pytest

from jixiao.readers import ReadError, read_bytes
from jixiao.readers.html import html_rows, looks_like_html


def test_cells_are_placed_where_a_browser_puts_them():
    page = """<html><body><h1>某项目自评表</h1><p>(2024年度)</p>
    <table>
      <tr><td rowspan="2">一级</td><td colspan="2">宽</td><td>d</td></tr>
      <tr><td>b</td><td>c</td><td>e</td></tr>
    </table></body></html>"""
    rows = html_rows(page, "p.html")
    assert [r.cells for r in rows[:2]] == [("某项目自评表",), ("(2024年度)",)]
    # the rowspan's cell is empty in the row below; the colspan's cell is one cell
    assert rows[2].cells == ("一级", "宽", "d")
    assert rows[3].cells == ("", "b", "c", "e")
    assert rows[2].source.file == "p.html" and rows[2].source.line == 3


def test_scripts_styles_and_comments_are_not_text():
    page = (
        "<html><head><style>td{}</style></head><body><script>var 项目名称=1</script><!-- 总分 -->"
        + ("<table><tr><td>a</td><td>b<br>c</td></tr></table></body></html>")
    )
    rows = html_rows(page, "p.html")
    assert [r.cells for r in rows] == [("a", "b\nc")]


def test_a_page_is_told_by_its_first_bytes():
    assert looks_like_html(b"\xef\xbb\xbf<!DOCTYPE html><html>")
    assert looks_like_html(b"<!-- saved from url -->\n<html>")
    assert not looks_like_html("项目名称\t某项目".encode())


def test_a_page_without_a_table_is_refused_with_a_reason():
    with pytest.raises(ReadError) as refused:
        read_bytes(
            "<html><body><p>2022年度项目绩效自评报告</p></body></html>".encode(), "r.html", ".html"
        )
    assert "没有表格" in refused.value.reason


def test_absurd_spans_are_cut():
    rows = html_rows(
        '<table><tr><td rowspan="99999" colspan="x">a</td><td>b</td></tr></table>', "p.html"
    )
    assert rows[0].cells == ("a", "b")


def test_a_table_inside_a_layout_table_is_a_grid_of_its_own():
    page = """<table><tr><td>某单位网站</td></tr><tr><td><p>2024年度项目自评表</p>
      <table><tr><td rowspan="2">产出指标</td><td>数量指标</td></tr><tr><td>质量指标</td></tr></table>
    </td></tr><tr><td>附件下载</td></tr></table>"""
    rows = html_rows(page, "p.html")
    cells = [r.cells for r in rows]
    assert ("2024年度项目自评表",) in cells  # the layout cell keeps its own text
    assert ("产出指标", "数量指标") in cells and ("", "质量指标") in cells
    assert not any("数量指标" in c and len(c) == 1 for c in cells)  # not folded into one cell
