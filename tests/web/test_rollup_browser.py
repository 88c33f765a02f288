"""The roll-up page's page links in a real browser (Debian's Chromium, as
tests/web/test_browser.py), five forms a page: the links are a labelled navigation, keep the
sort and filters, and the 合计 is on the last page only; a screenshot is saved
(rollup-paged-zh.png; to docs/images/ with JIXIAO_SCREENSHOTS=docs/images)."""

from __future__ import annotations

import re

import pytest

from jixiao.web.pages import rollup as rollup_page

from .test_browser import CHROMIUM, browser, expect, shot, sign_in  # noqa: F401 (browser is a fixture)
from .test_dashboards_browser import YEAR, province  # noqa: F401 (province is a fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_the_page_links_keep_the_sort_and_the_filters(
    browser, live_server, tree, province, monkeypatch
):
    monkeypatch.setattr(rollup_page, "PER_PAGE", 5)  # 16 forms of 2023: four pages
    page = sign_in(browser, live_server, "admin")
    page.goto(f"/rollup/?year={YEAR}&sort=-budget&rate_below=1000")
    pages = page.get_by_role("navigation", name="分页")
    expect(pages).to_contain_text("第 1–5 份，共 16 份")
    expect(page.locator("tr.rollup-total")).to_have_count(0)
    pages.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=-budget" in page.url and "rate_below=1000" in page.url
    expect(page.locator("tr.rollup-form")).to_have_count(5)
    expect(pages.locator('[aria-current="page"]')).to_have_text("2")
    shot(page, "rollup-paged-zh")
    pages.get_by_role("link", name="第 4 页").click()
    page.wait_for_url(re.compile(r"page=4"))
    expect(page.locator("tr.rollup-form")).to_have_count(1)
    expect(page.locator("tr.rollup-total")).to_contain_text("16 份")
    assert "sort=-budget" in page.url and "rate_below=1000" in page.url
