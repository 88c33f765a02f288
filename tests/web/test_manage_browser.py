"""Administration in a real browser (#23 item 1): the system administrator creates a 主管部门
and a 实施单位 on the pages, the security administrator creates the unit's account, and that
account signs in with its one-time password and is asked to change it. Playwright drives
Debian's /usr/bin/chromium (never ``playwright install``); screenshots go to a temporary
folder, or to docs/images/ with JIXIAO_SCREENSHOTS=docs/images."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def sign_in(browser, live_server, name: str, password: str):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1360, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("账号").fill(name)
    page.get_by_label("口令").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    return page


def shot(page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True)


def test_a_department_a_unit_and_its_account_made_on_the_pages(browser, live_server, tree, admins):
    from django.contrib.auth import get_user_model

    from jixiao.web.evaluations.actions import trail
    from jixiao.web.orgs.models import Organisation

    system = sign_in(browser, live_server, "system_admin", "system_admin-口令-2026")
    system.goto("/manage/")
    system.get_by_role("navigation", name="主导航").get_by_role("link", name="组织机构").click()
    expect(system.get_by_role("heading", name="组织机构", exact=True)).to_be_visible()
    system.get_by_label("名称", exact=True).fill("丙局")
    system.get_by_label("层级").select_option(label="主管部门")
    system.get_by_label("上级").select_option(label="测试区财政局")
    system.get_by_role("button", name="新建", exact=True).click()
    expect(system.get_by_role("status")).to_have_text("已新建“丙局”。")
    system.get_by_label("名称", exact=True).fill("丙一所")
    system.get_by_label("层级").select_option(label="实施单位")
    system.get_by_label("上级").select_option(label="丙局")
    system.get_by_role("button", name="新建", exact=True).click()
    expect(system.get_by_role("status")).to_have_text("已新建“丙一所”。")
    expect(system.get_by_role("link", name="丙一所")).to_be_visible()
    shot(system, "manage-organisations-zh")
    unit = Organisation.objects.get(name="丙一所")
    assert unit.kind == "unit" and unit.parent.name == "丙局" and unit.parent.parent == tree.bureau
    # the system administrator has no account pages
    assert system.request.get(f"{live_server.url}/manage/accounts/").status == 403

    security = sign_in(browser, live_server, "security_admin", "security_admin-口令-2026")
    security.goto("/manage/")
    security.get_by_role("navigation", name="主导航").get_by_role("link", name="账号管理").click()
    security.get_by_label("账号", exact=True).fill("bing_yi")
    security.get_by_label("姓名").fill("孙八")
    security.get_by_label("组织", exact=True).select_option(label="测试区财政局 / 丙局 / 丙一所")
    security.get_by_label("角色", exact=True).select_option(label="填报")
    security.get_by_role("button", name="新建账号").click()
    password = security.locator("#new-password").inner_text().strip()
    expect(security.get_by_role("link", name="bing_yi")).to_be_visible()
    shot(security, "manage-accounts-zh")
    made = get_user_model().objects.get(username="bing_yi")
    assert made.membership.organisation == unit and made.membership.role == "filler"

    clerk = sign_in(browser, live_server, "bing_yi", password)
    expect(clerk).to_have_url(f"{live_server.url}/account/password/")  # must change it first
    assert trail.check().intact
