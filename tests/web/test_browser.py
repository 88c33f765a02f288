"""The pages in a real browser: Playwright drives Debian's Chromium
(/usr/bin/chromium; never ``playwright install``) against a live server.

Walks the issue's path as far as the pages go today: the unit's filler opens
a form, sees a finding beside its field, fixes it and watches total and grade
recomputed, saves and submits; the reviewer returns it with a comment on a
field; the filler fixes and resubmits; the reviewer approves; the form is
locked, the PDF downloads and the history shows each step. Screenshots (zh-Hans
and English) go to a temporary folder, or to docs/images/ with
JIXIAO_SCREENSHOTS=docs/images, so a test run leaves the checkout clean.
"""

from __future__ import annotations

import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from ..conftest import need_tool
from .evidence_samples import PDF

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.django_db(transaction=True),
]
need_tool(str(CHROMIUM), "chromium", module=True)
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

IMAGES = Path(
    os.environ.get("JIXIAO_SCREENSHOTS") or Path(tempfile.gettempdir()) / "jixiao-screens"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are ordinary sync code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def slips(tree, forms):
    from jixiao.web.evaluations import actions
    from jixiao.web.evaluations.models import Project

    project = Project.objects.create(code="A1-002", name=forms[1].project.name, unit=tree.unit_a1)
    return actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[1])


def new_page(browser, live_server):
    """A fresh browser profile that asks for Chinese, as users' browsers do."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        accept_downloads=True,
        viewport={"width": 1360, "height": 900},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(browser, live_server, name: str):
    page = new_page(browser, live_server)
    page.goto("/login/")
    page.get_by_label("账号").fill(name)
    page.get_by_label("口令").fill(f"{name}-口令-2026")
    page.get_by_role("button", name="登录").click()
    return page


def open_edit(page) -> None:
    """Click 填写 and wait until htmx (a deferred script) listens to the inputs."""
    page.get_by_role("link", name="填写").click()
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function("() => window.htmx !== undefined")


def submit_with_reasons(page) -> None:
    """Submit, giving a reason for each error left on the form (reasons given before stay)."""
    panel = page.locator("form.submit-errors")
    for box in panel.get_by_role("textbox").all():
        if not box.input_value():
            box.fill("已与主管部门核实，按实际情况填报")
    panel.get_by_role("button", name="说明理由并提交").click()


def shot(page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True)


def test_upload_fill_review_return_resubmit_approve(browser, live_server, tree):
    from jixiao import samples
    from jixiao.domain.approved_targets import ApprovedTarget
    from jixiao.web.evaluations import actions
    from jixiao.web.evaluations.models import Evaluation, Project

    Project.objects.create(code="A1-002", name="河道保洁养护", unit=tree.unit_a1)
    approved = [
        ApprovedTarget("保洁河道长度", "≥120(公里)", Decimal("20.00")),
        ApprovedTarget("水面漂浮物清除率", "≥95.00(%)", Decimal("20.00")),
    ]
    actions.targets.approve(
        user=tree.users["reviewer_a"], code="A1-002", year=2023, rows=approved
    )  # 绩效目标批复: locks both rows
    filler = sign_in(browser, live_server, "filler_a1")
    expect(filler.get_by_role("heading", name="待办", exact=True)).to_be_visible()  # the start

    # A new form from an uploaded file.
    filler.get_by_role("link", name="新建自评表").click()
    upload = filler.get_by_role("region", name="上传自评表文件")
    upload.get_by_label("项目").select_option("A1-002")
    slips_file = next(p for p in samples.paths() if p.name == "national-2023-slips.txt")
    upload.get_by_label(re.compile("^自评表文件")).set_input_files(str(slips_file))
    upload.get_by_role("button", name="上传并建立草稿").click()
    # The file names the project otherwise: refused with both names shown, then confirmed.
    mismatch = filler.locator("#mismatch")
    expect(mismatch).to_contain_text("示例区河道保洁养护（含错误的示例）")
    expect(mismatch).to_contain_text("河道保洁养护")
    shot(filler, "pages-upload-mismatch-zh")
    upload = filler.get_by_role("region", name="上传自评表文件")
    upload.get_by_label(re.compile("^我已核对")).check()
    upload.get_by_label(re.compile("^自评表文件")).set_input_files(str(slips_file))
    upload.get_by_role("button", name="上传并建立草稿").click()
    expect(filler.locator("#state")).to_have_text("草稿")
    slips = Evaluation.objects.get(project__code="A1-002")

    # The finding sits beside the field it points at.
    expect(filler.locator("#notes-f-indicators-1-score")).to_contain_text(
        "得分 22.00 超过分值 20.00"
    )
    expect(filler.locator("#notes-f-grade")).to_contain_text("与总分不符")

    # 佐证材料 for the first indicator: one "add" action a row, its file input opened by it.
    evidence_row = filler.locator("#f-indicators-0").locator("xpath=following-sibling::tr[1]")
    expect(filler.get_by_label("为「1. 保洁河道长度」上传")).to_be_hidden()
    evidence_row.get_by_text("添加佐证材料").click()
    filler.get_by_label("为「1. 保洁河道长度」上传").set_input_files(
        files=[{"name": "河道巡查记录.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    filler.locator("#f-indicators-0").locator("xpath=following-sibling::tr[1]").get_by_role(
        "button", name="上传", exact=True
    ).click()
    expect(filler.get_by_role("link", name="河道巡查记录.pdf")).to_be_visible()
    shot(filler, "pages-form-zh")
    filler.get_by_role("link", name="自评表", exact=True).click()
    expect(filler.get_by_role("cell", name="A1-002")).to_be_visible()
    shot(filler, "pages-list-zh")
    filler.get_by_role("link", name=slips.project.name).click()

    # An approved target is locked; unlocked, it changes only with a reason, shown beside it.
    open_edit(filler)
    expect(filler.locator("#f-indicators-1-target")).to_have_text("≥95.00(%)")  # text, not an input
    filler.get_by_role("button", name="解锁「2. 水面漂浮物清除率」的指标值").click()
    filler.wait_for_function("() => window.htmx !== undefined")
    expect(
        filler.get_by_role("status").filter(has_text="已解锁「水面漂浮物清除率」")
    ).to_be_visible()
    filler.locator("#f-indicators-1-target").fill("≥96.00(%)")
    filler.get_by_label(re.compile("「水面漂浮物清除率」调整理由")).fill("上级下达任务调整")
    expect(filler.locator("#notes-f-indicators-1-target")).to_contain_text(
        "指标值与批复不一致：原 ≥95.00(%)，现 ≥96.00(%)，理由：上级下达任务调整"
    )

    # Fix it: the figures and findings follow as one types.
    filler.locator("#f-indicators-1-score").fill("20.00")
    expect(filler.locator("#notes-f-indicators-1-score")).not_to_contain_text("超过分值")
    total = filler.locator("#calc-f-total .figure")
    expect(total).to_contain_text("按规则 100.00")
    filler.locator("#f-total").fill("100.00")
    expect(filler.locator("#calc-f-grade")).to_contain_text("优")
    expect(filler.locator("#notes-f-total")).to_be_empty()
    filler.locator("#calc-f-total .figure").focus()
    expect(filler.locator("#why-f-total")).to_be_visible()  # the explanation, on hover or focus
    shot(filler, "pages-edit-zh")
    filler.locator("#f-grade").fill("优")
    filler.get_by_role("button", name="保存草稿").first.click()
    expect(filler.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    refused = filler.locator("form.submit-errors")
    expect(refused).to_contain_text(
        "实际完成情况写「120 公里」"
    )  # errors left need a reason to submit
    submit_with_reasons(filler)
    expect(filler.locator("#state")).to_have_text("已提交")

    # The reviewer returns it with a comment on one indicator.
    reviewer = sign_in(browser, live_server, "reviewer_a")
    reviewer.get_by_role("navigation", name="主导航").get_by_role("link", name="待我审核").click()
    expect(reviewer.get_by_role("heading", name="待我审核")).to_be_visible()
    reviewer.get_by_role("link", name=slips.project.name).click()
    expect(reviewer.locator("#notes-f-indicators-1-target")).to_contain_text(
        "理由：上级下达任务调整"
    )
    reviewer.get_by_label(re.compile("对「1. 保洁河道长度」的意见")).fill(
        "完成值未达到目标，不应得满分"
    )
    shot(reviewer, "pages-review-zh")
    reviewer.get_by_label("语言").select_option("en")
    reviewer.get_by_role("button", name="切换").click()
    expect(reviewer.get_by_role("heading", name="Review comment")).to_be_visible()
    shot(reviewer, "pages-review-en")
    reviewer.get_by_label("Language").select_option("zh-hans")
    reviewer.get_by_role("button", name="Switch").click()
    reviewer.get_by_label(re.compile("对「1. 保洁河道长度」的意见")).fill(
        "完成值未达到目标，不应得满分"
    )
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator("#state")).to_have_text("已退回")

    # The unit sees the comment beside the row, fixes and resubmits.
    filler.reload()
    expect(filler.locator("#notes-f-indicators-0")).to_contain_text("完成值未达到目标，不应得满分")
    open_edit(filler)
    rule_score = filler.locator("#calc-f-indicators-0-score .figure").inner_text().split()[-1]
    filler.locator("#f-indicators-0-score").fill(rule_score)
    expect(filler.locator("#notes-f-indicators-0-score")).to_be_empty()
    expect(filler.locator("#notes-f-indicators-0-deviation")).to_contain_text("未填写偏差原因")
    filler.get_by_label("1. 保洁河道长度 · 偏差原因分析及改进措施").fill(
        "汛期两段河道封闭施工，明年恢复保洁"
    )
    expect(filler.locator("#notes-f-indicators-0-deviation")).to_be_empty()
    new_total = filler.locator("#calc-f-total .figure")
    expect(new_total).not_to_contain_text("100.00")
    filler.locator("#f-total").fill(new_total.inner_text().split()[-1])
    filler.locator("#f-grade").fill(
        filler.locator("#calc-f-grade .figure").inner_text().split()[-1]
    )
    filler.get_by_role("button", name="保存草稿").first.click()
    submit_with_reasons(filler)
    expect(filler.locator("#state")).to_have_text("已重新提交")

    # The reviewer approves; the form is locked.
    reviewer.goto(f"/forms/{slips.pk}/review/")
    expect(reviewer.locator("#notes-f-goals-actual")).to_contain_text("单位说明：已与主管部门核实")
    reviewer.get_by_label("复核").first.fill("9.99")  # the execution score, beside the self score
    reviewer.locator("#review-f-indicators-0-score").fill("19.00")
    reviewer.get_by_role("button", name="保存复核得分").click()
    expect(reviewer.locator("#f-indicators-0-score").locator("xpath=..")).to_contain_text("复核")
    expect(reviewer.locator("#review-f-indicators-0-score")).to_have_value("19.00")
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.get_by_role("heading", name="确认审核通过？")).to_be_visible()  # asked first
    reviewer.get_by_role("button", name="确认通过").click()
    expect(reviewer.locator("#state")).to_have_text("已通过（锁定）")
    filler.reload()
    expect(filler.get_by_text("已审核通过，表已锁定")).to_be_visible()
    expect(filler.get_by_role("link", name="填写")).to_have_count(0)
    expect(filler.locator("#f-indicators-0-score").locator("xpath=..")).to_contain_text(
        "复核 19.00"
    )

    with filler.expect_download() as download:
        filler.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith("2023.pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    filler.get_by_role("link", name="修改记录").click()
    steps = filler.locator(".trail .action").all_inner_texts()
    assert steps == [
        "新建",
        "上传佐证材料",
        "保存",
        "提交",
        "退回",
        "保存",
        "提交",
        "复核评分",
        "通过",
    ]
    expect(filler.locator(".event-evidence_add")).to_contain_text(
        "指标「保洁河道长度」：河道巡查记录.pdf"
    )
    expect(filler.locator(".event-return")).to_contain_text("完成值未达到目标，不应得满分")
    first_save = filler.locator(".event-save").first
    expect(first_save).to_contain_text("22.00")
    expect(first_save).to_contain_text("≥96.00(%)")
    expect(first_save).to_contain_text("目标调整理由 · 水面漂浮物清除率")
    shot(filler, "pages-history-zh")

    # English, switched on the page.
    filler.get_by_label("语言").select_option("en")
    filler.get_by_role("button", name="切换").click()
    expect(filler.get_by_role("heading", name=re.compile("History"))).to_be_visible()
    shot(filler, "pages-history-en")
    filler.goto(f"/forms/{slips.pk}/")
    expect(filler.get_by_role("heading", name="Performance indicators")).to_be_visible()
    shot(filler, "pages-form-en")
    filler.goto("/forms/")
    expect(filler.get_by_role("heading", name="My forms")).to_be_visible()
    shot(filler, "pages-list-en")
    reviewer.get_by_label("语言").select_option("en")
    reviewer.get_by_role("button", name="切换").click()
    reviewer.goto(f"/forms/{slips.pk}/review/")
    expect(reviewer.get_by_text("This form is not waiting for review.")).to_be_visible()
    expect(reviewer.get_by_role("textbox")).to_have_count(0)  # nothing to comment on a locked form


def test_a_stale_save_from_a_second_tab_keeps_the_text(browser, live_server, tree, slips):
    first = sign_in(browser, live_server, "filler_a1")
    first.goto(f"/forms/{slips.pk}/edit/")
    second = first.context.new_page()
    second.goto(f"/forms/{slips.pk}/edit/")  # goto waits for the load event
    second.locator("#f-indicators-1-score").fill("20.00")
    second.get_by_role("button", name="保存草稿").first.click()
    expect(second.get_by_text("已保存")).to_be_visible()
    first.locator("#f-goals-actual").fill("第一个标签页里写的文字")
    first.get_by_role("button", name="保存草稿").first.click()
    expect(first.get_by_role("alert")).to_contain_text("您编辑的是第 1 版，当前为第 2 版")
    expect(first.locator("#f-goals-actual")).to_have_value("第一个标签页里写的文字")


def test_login_locks_after_five_failures(browser, live_server, tree):
    page = new_page(browser, live_server)
    for _ in range(4):
        page.goto("/login/")
        page.get_by_label("账号").fill("filler_a1")
        page.get_by_label("口令").fill("错误的口令-0000")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_contain_text("账号或口令不正确")
    page.get_by_label("口令").fill("错误的口令-0000")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()
    page.goto("/login/")  # the right password no longer helps
    page.get_by_label("账号").fill("filler_a1")
    page.get_by_label("口令").fill("filler_a1-口令-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()


def test_another_units_form_is_not_reachable_by_url(browser, live_server, tree, slips):
    page = sign_in(browser, live_server, "filler_b1")
    response = page.goto(f"/forms/{slips.pk}/")
    assert response.status == 404
    expect(page.get_by_text(slips.project.name)).to_have_count(0)


def test_a_session_ends_after_two_idle_hours(browser, live_server, tree, slips):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    page = sign_in(browser, live_server, "filler_a1")
    page.goto(f"/forms/{slips.pk}/")
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert (
        timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)
    )  # counted from the last request
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # two idle hours pass
    page.reload()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert f"next=/forms/{slips.pk}/" in page.url
