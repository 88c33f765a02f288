"""The dashboards in a real browser (Debian's Chromium, as tests/web/test_browser.py):
a department reviewer and the bureau admin open every chart, the figures of each table view
match the roll-up page, a click on a dot opens its form, and screenshots are saved (to a
temporary folder, or to docs/images/ with JIXIAO_SCREENSHOTS=docs/images)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_DOWN, Decimal

import pytest

from .conftest import edited
from .test_browser import CHROMIUM, browser, expect, shot, sign_in  # noqa: F401 (browser is a fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]
YEAR = 2023
CHARTS = ("grades", "rates", "scores", "budget", "findings", "indicators", "years")


@pytest.fixture
def province(tree, forms):
    """The five sample forms and twelve generated ones (both templates) over the three units,
    in every workflow state, with P-000 filled in 2021 and 2022 as well; P-016 has no 2023 form."""
    from jixiao import templates
    from jixiao.testing import synth
    from jixiao.web.evaluations import actions
    from jixiao.web.evaluations.models import Evaluation, Project

    units = [tree.unit_a1, tree.unit_a2, tree.unit_b1]
    fillers = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}
    made = [
        *forms,
        *synth.forms(6, templates.load("national-2020"), seed=3),
        *synth.forms(6, templates.load("shanghai-2019"), seed=4),
    ]
    for n, form in enumerate(made):
        unit = units[n % 3]
        project = Project.objects.create(
            code=f"P-{n:03}", name=form.project.name or f"项目{n}", unit=unit
        )
        actions.forms.create(
            user=tree.users[fillers[unit]], project=project, form=edited(form, year=YEAR)
        )
    for year, form in ((YEAR - 2, forms[2]), (YEAR - 1, forms[3])):
        actions.forms.create(
            user=tree.users["filler_a1"],
            project=Project.objects.get(code="P-000"),
            form=edited(form, year=year),
        )
    Evaluation.objects.filter(project__code="P-016").update(year=YEAR - 1)
    # 万元 with six places (as 元 forms give): the pages show two, 四舍五入
    Evaluation.objects.filter(project__code="P-000", year=YEAR).update(
        budget_wan=Decimal("2946.553276"), executed_wan=Decimal("2946.555")
    )
    states = ["draft", "submitted", "returned", "resubmitted", "approved"]
    for n, ev in enumerate(Evaluation.objects.filter(year=YEAR).order_by("project__code")):
        Evaluation.objects.filter(pk=ev.pk).update(state=states[n % 5])


def table_of(page, name: str) -> list[list[str]]:
    """Open a chart's table view and read its body rows."""
    box = page.locator(f"#box-{name}")
    box.get_by_role("button", name="表格视图").click()
    expect(box.locator(".chart-table")).to_be_visible()
    return [
        [c.strip() for c in row.locator("th, td").all_inner_texts()]
        for row in box.locator(".chart-table tbody tr").all()
    ]


def rollup_rows(page, query: str) -> tuple[list[str], list[list[str]], dict[str, list[str]]]:
    """The roll-up page's header, its form lines and its 小计 lines by name."""
    page.goto(f"/rollup/?year={YEAR}{query}")
    header = [h.strip() for h in page.locator("table.rollup thead th").all_inner_texts()]
    forms = [
        [c.strip() for c in r.locator("td, th").all_inner_texts()]
        for r in page.locator("table.rollup tr.rollup-form").all()
    ]
    subtotals = {}
    for r in page.locator("table.rollup tr.rollup-department, table.rollup tr.rollup-total").all():
        cells = [c.strip() for c in r.locator("td, th").all_inner_texts()]
        subtotals[cells[0]] = cells
    return header, forms, subtotals


def open_dashboards(page, query: str = "") -> None:
    page.goto(f"/dashboards/?year={YEAR}{query}")
    for name in CHARTS:
        expect(page.locator(f"#box-{name}")).to_have_attribute("data-ready", "true")


def check_against_rollup(page) -> None:
    header, forms, subtotals = rollup_rows(page, "")
    col = {
        name: header.index(name)
        for name in (
            "主管部门",
            "项目编码",
            "全年预算数（万元）",
            "执行率(%)",
            "总分",
            "统一等级",
            "错误",
            "警告",
            "提示",
        )
    }
    open_dashboards(page)

    grades = {row[0]: int(row[1]) for row in table_of(page, "grades")}
    counted = Counter(f[col["统一等级"]] or "未评等级" for f in forms)
    assert grades == {g: counted.get(g, 0) for g in ("优", "良", "中", "差", "未评等级")}

    bands = [int(row[1]) for row in table_of(page, "rates")][:-1]
    rates = [Decimal(f[col["执行率(%)"]]) for f in forms]
    assert bands == [
        sum(
            1
            for r in rates
            if low <= r < low + 10 or (low == 100 and r >= 100) or (low == 0 and r < 0)
        )
        for low in range(0, 101, 10)
    ]

    points = {row[0]: (row[2], row[3]) for row in table_of(page, "scores")}
    assert points == {f[col["项目编码"]]: (f[col["执行率(%)"]], f[col["总分"]]) for f in forms}

    budget_rows = table_of(page, "budget")
    budget = {row[0]: row[-1] for row in budget_rows}
    assert budget == {
        name[3:-1]: cells[col["全年预算数（万元）"]]
        for name, cells in subtotals.items()
        if name.startswith("小计（")
    }

    findings = table_of(page, "findings")
    by_severity = Counter()
    for row in findings:
        by_severity[row[1]] += int(row[2])
    total = subtotals["合计"]
    assert [by_severity[s] for s in ("错误", "警告", "提示")] == [
        int(total[col[s]]) for s in ("错误", "警告", "提示")
    ]

    kinds = table_of(page, "indicators")
    *departments, everything = kinds
    assert everything[0] == "全部" and [d[0] for d in departments] == sorted(
        n[3:-1] for n in subtotals if "（" in n
    )
    for column in (1, 2, 3):
        assert int(everything[column]) == sum(int(d[column]) for d in departments)
    quantitative, qualitative = int(everything[1]), int(everything[2])
    share = (Decimal(qualitative) * 100 / (qualitative + quantitative)).quantize(
        Decimal("0.01"), ROUND_DOWN
    )
    assert Decimal(everything[4]) == share

    years = table_of(page, "years")
    shown = page.locator("#h-years").inner_text()
    code = re.search(r"P-\d{3}", shown).group(0)
    now = next(f for f in forms if f[col["项目编码"]] == code)
    assert years[-1][0] == str(YEAR) and (years[-1][3], years[-1][4]) == (
        now[col["执行率(%)"]],
        now[col["总分"]],
    )
    if code == "P-000":
        assert (
            years[-1][1:3] == ["2,946.55", "2,946.56"]
            and now[col["全年预算数（万元）"]] == "2,946.55"
        )
    amounts = [c for row in budget_rows for c in row[1:]] + [c for y in years for c in y[1:3]]
    amounts += [f[col["全年预算数（万元）"]] for f in forms] + [
        c[col["全年预算数（万元）"]] for c in subtotals.values()
    ]
    assert all(re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2}", a) for a in amounts if a), amounts


def first_dot(department=None) -> int:
    """The form of the score chart's first dot: of the first grade drawn (grades in code-point
    order), the first by project code."""
    from jixiao.web.evaluations.models import Evaluation

    forms = Evaluation.objects.filter(year=YEAR, execution_rate__isnull=False, total__isnull=False)
    if department is not None:
        forms = forms.filter(project__unit__parent=department)
    return forms.order_by("scale", "project__code").first().pk


def click_a_dot(page) -> int:
    """Click the first dot of the score chart; returns the id of the form that opened."""
    page.locator("#chart-scores").scroll_into_view_if_needed()
    target = page.evaluate("""() => {
        const chart = window.jixiaoCharts.scores;
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, chart.getOption().series[0].data[0]);
        const box = chart.getDom().getBoundingClientRect();
        return {x: box.left + x, y: box.top + y};
    }""")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(re.compile(r"/forms/\d+/$"))
    return int(re.search(r"/forms/(\d+)/$", page.url).group(1))


def test_a_department_reviewer_sees_its_figures(browser, live_server, tree, province):
    page = sign_in(browser, live_server, "reviewer_a")
    check_against_rollup(page)
    budget = table_of(page, "budget") if page.locator("#table-budget").is_hidden() else None
    assert budget is None  # left open by the check
    rows = page.locator("#table-budget tbody tr").all_inner_texts()
    assert len(rows) == 1 and "甲局" in rows[0] and "乙局" not in page.locator("main").inner_text()
    page.locator("#table-grades").scroll_into_view_if_needed()
    shot(page, "dashboards-reviewer-zh")
    assert click_a_dot(page) == first_dot(tree.dept_a)
    expect(page.locator("h1")).to_be_visible()


def test_the_bureau_admin_sees_every_department(browser, live_server, tree, province):
    page = sign_in(browser, live_server, "admin")
    check_against_rollup(page)
    rows = page.locator("#table-budget tbody tr").all_inner_texts()
    assert len(rows) == 2
    shot(page, "dashboards-admin-zh")
    with page.expect_download() as download:
        page.locator("#box-grades").get_by_role("button", name="下载图片").click()
    assert download.value.suggested_filename.endswith(".png")
    assert click_a_dot(page) == first_dot()

    page.goto(f"/progress/?year={YEAR}")
    expect(page.locator("table.chase")).to_contain_text("未开始：P-016")
    expect(page.get_by_role("heading", name="催报清单")).to_be_visible()
    shot(page, "progress-admin-zh")
    page.goto(f"/rollup/?year={YEAR}&sort=-budget&rate_below=100")
    shot(page, "rollup-sorted-zh")

    page.goto(f"/dashboards/?year={YEAR}")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    for name in CHARTS:
        expect(page.locator(f"#box-{name}")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", name="Grade distribution (one scale)")).to_be_visible()
    shot(page, "dashboards-admin-en")
