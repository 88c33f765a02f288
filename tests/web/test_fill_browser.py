"""A clerk fills in blank forms in a real browser (Playwright, Debian's Chromium): a
national form and a Shanghai 2019 form from 新建自评表 to 提交审核, without typing any figure
the rules compute (执行率, 资金得分, quantitative 得分, 总分, 等级 are shown as computed),
and each is submitted with no error finding left. Screenshots as in test_browser.py
(``JIXIAO_SCREENSHOTS=docs/images`` refreshes the committed ones)."""

from __future__ import annotations

import re

import pytest

from .test_browser import browser, expect, shot, sign_in  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]


def _blank(page, template: str, unit: str) -> None:
    page.get_by_role("link", name="新建自评表").click()
    blank = page.get_by_role("region", name="空白自评表")
    blank.get_by_label("项目").select_option("A1-001")
    blank.get_by_label("年度").fill("2025")
    blank.get_by_label("模板").select_option(template)
    blank.get_by_label("金额单位").select_option(unit)
    blank.get_by_role("button", name="建立空白草稿").click()
    expect(page.locator("#state")).to_have_text("草稿")
    page.get_by_role("link", name="填写").click()
    page.wait_for_function("() => window.htmx !== undefined")


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        box = page.locator(f'[name="{name}"]')
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)


def _add_rows(page, rows: list[dict[str, str]]) -> None:
    """Add each indicator row with 添加指标 (the page comes back with it open) and fill it."""
    for n, row in enumerate(rows):
        page.get_by_role("button", name="添加指标").click()
        expect(page.locator(f'[name="indicators[{n}].name"]')).to_be_visible()
        _fill(page, {f"indicators[{n}].{key}": value for key, value in row.items()})


def _no_computed_inputs(page, paths: list[str]) -> None:
    for path in paths:
        expect(page.locator(f'[name="{path}"]')).to_have_count(0)


def _submit_clean(page) -> None:
    """No error finding on the saved form: the plain 提交审核 button, no reasons asked."""
    expect(page.locator(".sev-error")).to_have_count(0)
    expect(page.locator("form.submit-errors")).to_have_count(0)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#state")).to_have_text("已提交")
    expect(page.locator("#done")).to_contain_text("已提交审核")


def test_a_blank_national_form_filled_to_the_end(browser, live_server, tree, project_a1):
    filler = sign_in(browser, live_server, "filler_a1")
    _blank(filler, "national-2020", "万元")
    _no_computed_inputs(filler, ["funding.execution_rate", "funding.score", "total", "grade"])
    expect(filler.locator("#h-funding")).to_contain_text("（万元）")
    _fill(
        filler,
        {
            "funding.initial_budget": "120.00",
            "funding.annual_budget": "120.00",
            "funding.executed": "114.00",
            "funding.breakdown.current_year_appropriation.initial_budget": "100.00",
            "funding.breakdown.current_year_appropriation.annual_budget": "100.00",
            "funding.breakdown.current_year_appropriation.executed": "96.00",
            "funding.breakdown.prior_year_carryover.initial_budget": "20.00",
            "funding.breakdown.prior_year_carryover.annual_budget": "20.00",
            "funding.breakdown.prior_year_carryover.executed": "18.00",
            "funding.breakdown.other_funds.initial_budget": "0",
            "funding.breakdown.other_funds.annual_budget": "0",
            "funding.breakdown.other_funds.executed": "0",
            "goals.expected": "全年完成社区安全巡查 1,200 次，群众满意度不低于 90%。",
            "goals.actual": "全年巡查 1,260 次，抽样调查满意度 95%，未发生重大安全事件。",
        },
    )
    # the execution rate and its score follow the typing (htmx), never typed
    expect(filler.locator("#calc-f-funding-execution-rate")).to_contain_text("95.00")
    _add_rows(
        filler,
        [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "巡查次数",
                "target": "≥1200(次)",
                "actual": "1260(次)",
                "points": "30",
            },
            {
                "level1": "产出指标",
                "level2": "质量指标",
                "name": "隐患整改率",
                "target": "≥95(%)",
                "actual": "98(%)",
                "points": "20",
            },
            {
                "level1": "效益指标",
                "level2": "社会效益指标",
                "name": "重大安全事件数",
                "target": "=0(起)",
                "actual": "0(起)",
                "points": "30",
            },
            {
                "level1": "满意度指标",
                "level2": "服务对象满意度指标",
                "name": "群众满意度",
                "target": "≥90(%)",
                "actual": "95(%)",
                "points": "10",
            },
        ],
    )
    # as typed, the rules' figures and the findings follow (htmx), the total and grade too
    expect(filler.locator("#f-total")).to_have_text("99.50")
    expect(filler.locator("#f-grade")).to_have_text("优")
    expect(filler.locator(".sev-error")).to_have_count(0)
    shot(filler, "pages-fill-national-zh")
    filler.get_by_role("button", name="保存草稿").first.click()
    expect(filler.get_by_text("已保存。")).to_be_visible()
    expect(filler.locator("#f-funding-execution-rate")).to_have_text("95.00")
    expect(filler.locator("#f-funding-score")).to_have_text("9.50")
    expect(filler.locator("#f-indicators-0-score")).to_have_text("30.00")
    expect(filler.locator("#f-total")).to_have_text("99.50")
    expect(filler.locator("#f-grade")).to_have_text("优")
    _submit_clean(filler)


SHANGHAI_ROWS = [
    (
        "投入与管理",
        "预算执行率",
        "预算执行数与当年预算数之比",
        "8",
        "≥90% 得 8 分；80–90% 得 6–8 分",
        None,
    ),
    (
        "投入与管理",
        "资金使用合规性",
        "资金使用符合财务制度",
        "28",
        "无违规得满分，每发现一处扣 2 分",
        "27",
    ),
    (
        "产出目标",
        "设备更新完成率",
        "完成更新的设备占计划的比例",
        "34",
        "100% 得满分，每少 1% 扣 1 分",
        "33",
    ),
    (
        "效果目标",
        "服务对象满意度",
        "问卷调查的满意比例",
        "15",
        "≥90% 得满分，每少 1% 扣 0.5 分",
        "14",
    ),
    (
        "影响力目标",
        "长效管理机制",
        "维护保养制度建立与执行",
        "15",
        "制度健全且执行得满分，酌情扣分",
        "14",
    ),
]


def test_a_blank_shanghai_2019_form_filled_to_the_end(browser, live_server, tree, project_a1):
    filler = sign_in(browser, live_server, "filler_a1")
    _blank(filler, "shanghai-2019", "元")
    _no_computed_inputs(filler, ["funding.execution_rate", "total", "grade"])
    # the Shanghai 2019 fields are on the page, in its layout's words
    for label in ("具体实施处", "自评时间", "主要绩效", "主要问题", "改进措施"):
        expect(filler.get_by_label(re.compile(label)).first).to_be_visible()
    _fill(
        filler,
        {
            "project.division": "设备管理科",
            "project.recurring": "true",
            "funding.annual_budget": "200,000.00",
            "funding.prior_year_budget": "180000",
            "funding.executed": "190000",
            "goals.expected": "完成 40 台场馆设备更新，设备完好率达到 95% 以上。",
            "evaluated_on": "2026-03-15",
            "achievements": "按计划完成设备更新，场馆服务能力提升。",
            "problems_found": "部分设备到货延迟，验收材料归档不及时。",
            "improvements": "加强供应商履约管理，验收后一周内归档。",
        },
    )
    rows = []
    for level1, name, explanation, points, rule, score in SHANGHAI_ROWS:
        row = {
            "level1": level1,
            "name": name,
            "explanation": explanation,
            "points": points,
            "rule": rule,
        }
        if score is not None:  # judged by its 评分规则 (not computable); the 预算执行率 row is
            row["score"] = score
            row["deviation"] = "存在少量问题，已整改"
        rows.append(row)
    _add_rows(filler, rows)
    expect(filler.locator("#f-total")).to_have_text("96.00")
    expect(filler.locator(".sev-error")).to_have_count(0)
    shot(filler, "pages-fill-shanghai-zh")
    filler.get_by_role("button", name="保存草稿").first.click()
    expect(filler.get_by_text("已保存。")).to_be_visible()
    expect(filler.locator("#f-funding-execution-rate")).to_have_text("95.00")
    expect(filler.locator("#f-indicators-0-score")).to_have_text("8.00")  # ≥90% → 8, by the rule
    expect(filler.locator("#f-total")).to_have_text("96.00")
    expect(filler.locator("#f-grade")).to_have_text("优秀")
    expect(filler.locator("#h-narratives")).to_be_visible()
    shot(filler, "pages-form-shanghai-zh")
    _submit_clean(filler)
