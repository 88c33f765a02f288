"""The year in a real browser (#23 "done when"): the system administrator creates a department
and a unit (/manage/organisations/), the security administrator creates the unit's filler and
the department's reviewer (/manage/accounts/), the bureau issues a two-level task; the unit sees
its draft on /todo/, fills it and submits; the department approves; the bureau re-checks and
approves; a reminder reaches a late unit (in-app and in the test mailbox); 50 forms approved at
once. Playwright drives Debian's Chromium (/usr/bin/chromium). Set up through the actions
beforehand: the bureau with its admin and reviewer, the 三员 accounts, the projects and last
year's form, the late unit with its filler's e-mail address and the 50 submitted forms.
Screenshots at 1366×768, zh-CN, to a temporary folder or JIXIAO_SCREENSHOTS=docs/images."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from ..conftest import need_tool

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.django_db(transaction=True)]
need_tool(str(CHROMIUM), "chromium", module=True)
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

IMAGES = Path(
    os.environ.get("JIXIAO_SCREENSHOTS") or Path(tempfile.gettempdir()) / "jixiao-screens"
)
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "Year-walk-口令-2026"


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def new_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(browser, live_server, name: str, password: str = PASSWORD, new: str = ""):
    page = new_page(browser, live_server)
    page.goto("/login/")
    page.get_by_label("账号").fill(name)
    page.get_by_label("口令").fill(password)
    page.get_by_role("button", name="登录").click()
    if new:  # a new account changes its one-time password first
        page.goto("/account/password/")
        page.get_by_label("原密码").fill(password)
        page.get_by_label("新密码").fill(new)
        page.get_by_label("再输入一次").fill(new)
        page.get_by_role("button", name="修改密码").click()
        expect(page.get_by_role("status")).to_contain_text("密码已修改")
    return page


def shot(page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=False)


def account(username: str, org=None, role: str = "", admin_role: str = "", email: str = ""):
    from django.contrib.auth import get_user_model

    from jixiao.web.orgs.models import AdminRole, Membership

    user = get_user_model().objects.create_user(username, password=PASSWORD, email=email)
    if admin_role:
        AdminRole.objects.create(user=user, role=admin_role)
    else:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def test_the_year_walked_in_the_browser(browser, live_server, forms):
    from jixiao.domain.workflow import Action
    from jixiao.web.evaluations import actions
    from jixiao.web.evaluations.models import Evaluation, Project
    from jixiao.web.orgs.models import Organisation

    kind = Organisation.Kind
    bureau = Organisation.objects.create(name="示例区财政局", kind=kind.BUREAU)
    account("bureau_admin", bureau, "admin")
    account("bureau_reviewer", bureau, "reviewer")
    account("system_admin", admin_role="system")
    account("security_admin", admin_role="security")

    # The system administrator: a department and a unit, on the administration pages.
    system = sign_in(browser, live_server, "system_admin")
    system.goto("/manage/organisations/")
    for name, level, parent in [
        ("示例区文化局", "department", "示例区财政局"),
        ("示例区图书馆", "unit", "示例区文化局"),
    ]:
        system.get_by_label("名称").fill(name)
        system.locator("#org-kind").select_option(level)
        system.locator("#org-parent").select_option(label=parent)
        system.get_by_role("button", name="新建", exact=True).click()
        expect(system.get_by_role("status").first).to_contain_text(f"已新建“{name}”")
    culture = Organisation.objects.get(name="示例区文化局")
    library = Organisation.objects.get(name="示例区图书馆")
    assert library.parent == culture and culture.parent == bureau

    # The security administrator: the unit's filler and the department's reviewer.
    security = sign_in(browser, live_server, "security_admin")
    once = {}
    for username, org, role in [
        ("lib_filler", "示例区图书馆", "filler"),
        ("culture_reviewer", "示例区文化局", "reviewer"),
    ]:
        security.goto("/manage/accounts/")
        security.get_by_label("账号", exact=True).fill(username)
        place = Organisation.objects.get(name=org)
        security.locator("#acc-organisation").select_option(value=str(place.pk))
        security.locator("#acc-role").select_option(role)
        security.get_by_role("button", name="新建账号").click()
        once[username] = security.locator("#new-password").inner_text().strip()

    # Set up through the actions: the projects, last year's form, a late unit, 50 forms.
    museum = Organisation.objects.create(name="示例区博物馆", kind=kind.UNIT, parent=culture)
    hall = Organisation.objects.create(name="示例区文化馆", kind=kind.UNIT, parent=culture)
    account("hall_filler", hall, "filler", email="hall@example.cn")
    museum_filler = account("museum_filler", museum, "filler")
    lib_filler = Organisation.objects.get(name="示例区图书馆").members.get().user
    project = Project.objects.create(code="LIB-001", name=forms[0].project.name, unit=library)
    actions.forms.create(user=lib_filler, project=project, form=forms[0])  # 2023: last year's
    Project.objects.create(code="HALL-001", name="文化馆免费开放", unit=hall)
    for i in range(50):
        made = Project.objects.create(code=f"MUS-{i:03d}", name=f"馆藏保护{i}", unit=museum)
        ev = actions.forms.create(
            user=museum_filler,
            project=made,
            form=replace(forms[0], project=replace(forms[0].project, name=made.name)),
        )
        actions.workflow.step(user=museum_filler, pk=ev.pk, action=Action.SUBMIT)

    # The bureau issues the 2024 task for 示例区文化局, with two review levels.
    admin = sign_in(browser, live_server, "bureau_admin")
    admin.get_by_role("link", name="自评任务", exact=True).click()
    admin.get_by_label("模板").select_option("national-2020")
    admin.get_by_label("年度").fill("2024")
    from datetime import timedelta

    from django.utils import timezone

    due = (timezone.now() + timedelta(days=14)).astimezone(ZoneInfo("Asia/Shanghai"))
    admin.get_by_label("截止时间（北京时间）").fill(due.strftime("%Y-%m-%dT17:30"))
    admin.get_by_label("范围", exact=True).select_option("departments")
    admin.locator("#organisations").select_option(label="示例区文化局")
    admin.get_by_label(re.compile("^两级审核")).check()
    admin.get_by_role("heading", name="下达自评任务").scroll_into_view_if_needed()
    shot(admin, "year-issue-zh")
    admin.get_by_role("button", name="下达").click()
    expect(admin.locator("#done")).to_contain_text("新建草稿 52 份（其中沿用上年 51 份）")
    carried = Evaluation.objects.get(project=project, year=2024)
    assert carried.state == "draft" and carried.data["indicators"]

    # The unit finds it on its home page of things to do, fills it and submits.
    filler = sign_in(browser, live_server, "lib_filler", once["lib_filler"], new="Lib-新口令-2026x")
    filler.goto("/todo/")
    row = filler.locator("table.todo-fill tbody tr", has_text="LIB-001").filter(has_text="2024")
    expect(row).to_contain_text("草稿")
    expect(filler.get_by_role("heading", name="待填报")).to_be_visible()
    shot(filler, "year-todo-filler-zh")
    row.get_by_role("link").click()
    filler.get_by_role("link", name="填写").click()
    filler.wait_for_function("() => window.htmx !== undefined")
    filler.locator("textarea").first.fill("按计划完成全年借阅服务")
    filler.get_by_role("button", name="保存草稿").first.click()
    expect(filler.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    panel = filler.locator("form.submit-errors")
    if panel.count():
        for box in panel.get_by_role("textbox").all():
            box.fill("已与主管部门核实")
        panel.get_by_role("button", name="说明理由并提交").click()
    else:
        filler.get_by_role("button", name="提交审核").click()
    expect(filler.locator("#state")).to_have_text("已提交")

    # The department approves (level one), the bureau re-checks and approves (level two).
    dept = sign_in(
        browser,
        live_server,
        "culture_reviewer",
        once["culture_reviewer"],
        new="Culture-新口令-2026x",
    )
    dept.goto("/year/review/")
    dept.get_by_label(re.compile("LIB-001")).check()
    dept.get_by_role("button", name="通过所选").click()
    expect(dept.locator("#done")).to_contain_text("已办理 1 份")
    carried.refresh_from_db()
    assert carried.state == "checked"
    bureau_reviewer = sign_in(browser, live_server, "bureau_reviewer")
    bureau_reviewer.goto("/todo/")
    expect(bureau_reviewer.locator("table.todo-review")).to_contain_text("部门已审核")
    shot(bureau_reviewer, "year-todo-reviewer-zh")
    bureau_reviewer.goto("/year/review/")
    bureau_reviewer.get_by_label(re.compile("LIB-001")).check()
    bureau_reviewer.get_by_role("button", name="通过所选").click()
    expect(bureau_reviewer.locator("#done")).to_contain_text("已办理 1 份")
    carried.refresh_from_db()
    assert carried.state == "approved"

    # A reminder reaches the late unit: in-app and in the test mailbox.
    admin.goto("/todo/")
    shot(admin, "year-todo-bureau-zh")
    admin.get_by_role("link", name="2").click()  # 未报单位: 文化馆 and 博物馆? (博物馆 has drafts)
    expect(admin.locator("table.late")).to_contain_text("示例区文化馆")
    shot(admin, "year-late-zh")
    for box in admin.locator("table.late input[type=checkbox]").all():
        box.uncheck()
    admin.get_by_label("示例区文化馆").check()
    admin.get_by_role("button", name="催报所选单位").click()
    expect(admin.locator("#done")).to_contain_text("已催报 1 个单位")
    assert [m.to for m in mail.outbox] == [["hall@example.cn"]]
    assert "HALL-001" in mail.outbox[0].body
    hall_page = sign_in(browser, live_server, "hall_filler")
    hall_page.goto("/todo/")
    expect(hall_page.locator(".notices")).to_contain_text("HALL-001")

    # 50 forms approved at once: the museum's 2023 forms (one level: no task of 2023).
    dept.goto("/year/review/?all=1")
    expect(dept.locator("table.bulk tbody input:checked")).to_have_count(50)
    dept.get_by_label(re.compile("^审核意见")).fill("同意")
    dept.get_by_role("heading", name="批量审核").scroll_into_view_if_needed()
    shot(dept, "year-bulk-review-zh")
    dept.get_by_role("button", name="通过所选").click()
    expect(dept.locator("#done")).to_contain_text("已办理 50 份")
    assert (
        Evaluation.objects.filter(project__unit=museum, year=2023, state="approved").count() == 50
    )
    assert actions.trail.check().intact

    # 抽查 and the ledger, for the screenshots of docs/web.md.
    admin.goto("/year/spot-checks/")
    admin.get_by_label("年度").select_option("2023")
    admin.get_by_label("抽查比例（%）").fill("10")
    admin.get_by_label("分层").select_option("department")
    admin.get_by_role("button", name="抽取").click()
    expect(admin.locator("#done")).to_contain_text("抽中")
    shot(admin, "year-spot-checks-zh")
    admin.goto("/year/ledger/?year=2023")
    admin.locator("select[name='action:良']").select_option("cut")
    admin.locator("input[name='share:良']").fill("10")
    admin.get_by_role("button", name="保存规则").click()
    expect(admin.locator("table.ledger")).to_contain_text("保持")
    shot(admin, "year-ledger-zh")
