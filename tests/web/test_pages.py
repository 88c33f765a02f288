"""The pages through Django's test client: lists, the form with its findings
beside the fields, saving with the version, review and history, downloads."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project

from .evidence_samples import PDF, pdf_of_size

pytestmark = pytest.mark.django_db


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def explained(ev: Evaluation) -> dict[str, str]:
    """A reason for every error-level finding, as a submit needs."""
    ev.refresh_from_db()
    return {f["key"]: "已核实，情况属实" for f in ev.findings if f["severity"] == "error"}


def submit(user, ev: Evaluation) -> None:
    actions.workflow.step(user=user, pk=ev.pk, action=Action.SUBMIT, acknowledgements=explained(ev))


@pytest.fixture
def slips(tree, forms):
    """The sample with slips: indicator 2 scores 22.00 of 20 points, total and grade wrong."""
    project = Project.objects.create(code="A1-002", name=forms[1].project.name, unit=tree.unit_a1)
    return actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[1])


def test_login_page_has_labelled_inputs_and_signs_in(tree):
    client = Client()
    page = client.get("/login/").content.decode()
    assert '<label for="id_username">账号</label>' in page
    assert '<label for="id_password">口令</label>' in page
    response = client.post("/login/", {"username": "filler_a1", "password": "filler_a1-口令-2026"})
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == "/todo/"  # 待办 first


@pytest.mark.parametrize(
    "name, home", [("system", "/manage/"), ("security", "/manage/"), ("audit", "/security-log/")]
)
def test_each_administrator_starts_on_their_own_pages(tree, admins, name, home):
    """The 三员 hold no business role: no 待办, no lists in their header, their own pages."""
    client = Client()
    client.force_login(admins[name])
    landed = client.get("/", follow=True)
    assert landed.status_code == 200 and landed.request["PATH_INFO"] == home
    header = landed.content.decode().split("</header>")[0]
    assert "/forms/" not in header and "/todo/" not in header


def test_pages_need_a_login(db):
    response = Client().get("/forms/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_lists_filter_and_search(tree, draft, slips):
    client = signed_in(tree, "filler_a1")
    page = client.get("/forms/").content.decode()
    assert "我的自评表" in page and "A1-001" in page and "A1-002" in page
    page = client.get("/forms/", {"q": "A1-002"}).content.decode()
    assert "A1-002" in page and "A1-001" not in page
    page = client.get("/forms/", {"grade": "良"}).content.decode()
    assert "A1-002" in page and "A1-001" not in page
    page = client.get("/forms/", {"state": "submitted"}).content.decode()
    assert "没有符合条件的自评表" in page


def test_review_queue_lists_submitted_forms_only(tree, draft, slips):
    submit(tree.users["filler_a1"], slips)
    page = signed_in(tree, "reviewer_a").get("/review/").content.decode()
    assert "待我审核" in page and "A1-002" in page and "A1-001" not in page
    assert "A1-002" not in signed_in(tree, "reviewer_b").get("/review/").content.decode()


def test_form_shows_findings_beside_their_fields(tree, slips):
    page = signed_in(tree, "filler_a1").get(f"/forms/{slips.pk}/").content.decode()
    notes = re.search(
        r'<ul class="notes" id="notes-f-indicators-1-score"[^>]*>(.*?)</ul>', page, re.S
    )[1]
    assert "得分 22.00 超过分值 20.00" in notes
    total = re.search(r'<ul class="notes" id="notes-f-total"[^>]*>(.*?)</ul>', page, re.S)[1]
    assert "总分 99.00" in total


def test_another_units_form_is_not_found(tree, slips):
    client = signed_in(tree, "filler_b1")
    for url in ("", "edit/", "review/", "history/", "download/pdf/"):
        assert client.get(f"/forms/{slips.pk}/{url}").status_code == 404


def test_recompute_swaps_figures_and_findings(tree, slips):
    client = signed_in(tree, "filler_a1")
    data = {"indicators[1].score": "20.00"}
    page = client.post(f"/forms/{slips.pk}/recompute/", data).content.decode()
    notes = re.search(
        r'id="notes-f-indicators-1-score" hx-swap-oob="true"[^>]*>(.*?)</ul>', page, re.S
    )[1]
    assert "超过分值" not in notes
    calc = re.search(r'id="calc-f-total" hx-swap-oob="true">(.*?)</span></span>', page, re.S)[1]
    assert "按规则 100.00" in calc


def test_save_carries_the_version_and_a_stale_save_keeps_the_text(tree, slips):
    client = signed_in(tree, "filler_a1")
    response = client.post(
        f"/forms/{slips.pk}/edit/", {"version": "1", "indicators[1].score": "20.00"}
    )
    assert response.status_code == 302
    slips.refresh_from_db()
    assert slips.version == 2 and slips.data["indicators"][1]["score"] == "20.00"
    stale = client.post(f"/forms/{slips.pk}/edit/", {"version": "1", "goals.actual": "我的新文字"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "您编辑的是第 1 版，当前为第 2 版" in page and "我的新文字" in page


def test_a_bad_figure_is_refused_by_field(tree, slips):
    page = signed_in(tree, "filler_a1").post(
        f"/forms/{slips.pk}/edit/", {"version": "1", "total": "九十九"}
    )
    assert page.status_code == 422 and "total" in page.content.decode()


def test_return_with_field_comment_then_approve_and_history(tree, slips):
    filler, reviewer = signed_in(tree, "filler_a1"), signed_in(tree, "reviewer_a")
    page = filler.get(f"/forms/{slips.pk}/").content.decode()
    assert (
        re.search(r"表上还有 \d+ 个错误", page)
        and 'name="ack:score-above-points@indicators[1].score"' in page
    )
    refused = filler.post(f"/forms/{slips.pk}/submit/", {"version": "1"})
    assert refused.status_code == 409 and "个错误未更正或说明理由" in refused.content.decode()
    filler.post(
        f"/forms/{slips.pk}/submit/",
        {"version": "1", **{f"ack:{k}": v for k, v in explained(slips).items()}},
    )
    assert "退回修改" in reviewer.get(f"/forms/{slips.pk}/review/").content.decode()
    reviewer.post(
        f"/forms/{slips.pk}/return/", {"comment": "", "comment:indicators[1]": "得分超过分值"}
    )
    page = filler.get(f"/forms/{slips.pk}/").content.decode()
    row = re.search(r'id="notes-f-indicators-1"[^>]*>(.*?)</ul>', page, re.S)[1]
    assert "得分超过分值" in row
    filler.post(f"/forms/{slips.pk}/edit/", {"version": "3", "indicators[1].score": "20.00"})
    filler.post(
        f"/forms/{slips.pk}/submit/", {"version": "4"}
    )  # the reasons given before still hold
    review = reviewer.get(f"/forms/{slips.pk}/review/").content.decode()
    assert "单位说明：已核实，情况属实" in review and 'name="review:indicators[0].score"' in review
    reviewer.post(
        f"/forms/{slips.pk}/review-scores/", {"version": "5", "review:indicators[0].score": "19.66"}
    )
    assert "复核 19.66" in filler.get(f"/forms/{slips.pk}/").content.decode()
    reviewer.post(f"/forms/{slips.pk}/approve/", {"version": "6"})
    slips.refresh_from_db()
    assert slips.state == "approved"
    assert "已审核通过，表已锁定" in filler.get(f"/forms/{slips.pk}/").content.decode()
    history = filler.get(f"/forms/{slips.pk}/history/").content.decode()
    for words in (
        "新建",
        "提交",
        "退回",
        "保存",
        "通过",
        "指标 2「",
        "得分超过分值",
        "22.00",
        "20.00",
    ):
        assert words in history


def test_a_refused_step_shows_the_reason(tree, slips):
    page = signed_in(tree, "reviewer_a").post(f"/forms/{slips.pk}/approve/", {})
    assert page.status_code == 409 and "不能“通过”" in page.content.decode()


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("xlsx", b"PK"), ("docx", b"PK")])
def test_download(tree, slips, fmt, magic):
    response = signed_in(tree, "reviewer_a").get(f"/forms/{slips.pk}/download/{fmt}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(magic)
    assert f"2023.{fmt}" in response["Content-Disposition"]


def test_english_pages(tree, slips):
    client = signed_in(tree, "filler_a1")
    client.post("/i18n/setlang/", {"language": "en", "next": "/forms/"})
    page = client.get(f"/forms/{slips.pk}/").content.decode()
    assert 'lang="en"' in page and "Performance indicators" in page
    assert "Score 22.00 exceeds" in page or "exceeds" in page


def test_a_form_starts_from_an_uploaded_file(tree, project_a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao import samples

    path = next(p for p in samples.paths() if p.name == "national-2023-slips.txt")
    client = signed_in(tree, "filler_a1")
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(
        "/forms/new/",
        {"project": "A1-001", "file": upload, "form_number": "1", "confirm_project": "1"},
    )
    ev = Evaluation.objects.get(project=project_a1)
    assert response["Location"] == f"/forms/{ev.pk}/" and ev.data["total"] == "99.00"
    again = client.post(
        "/forms/new/",
        {
            "project": "A1-001",
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "confirm_project": "1",
        },
    )
    assert again.status_code == 409 and "2023 年度自评表已存在" in again.content.decode()
    wrong = client.post(
        "/forms/new/", {"project": "A1-001", "file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert wrong.status_code == 400 and "只能上传" in wrong.content.decode()


def test_the_list_exports_to_xlsx_as_filtered(tree, draft, slips):
    import io

    from openpyxl import load_workbook

    response = signed_in(tree, "reviewer_bureau").get("/forms/export/", {"grade": "良"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("项目编码", "项目名称")
    assert [r[0] for r in rows[1:]] == ["A1-002"]
    assert rows[1][2:] == ("甲局", "甲一中心", 2023, "草稿", 99, "良", None, None)
    assert rows[0][8:] == ("提交时间", "待审天数")


def test_the_committed_english_catalogue_matches_its_source():
    """Every message of the .po is translated, and the compiled .mo says the same."""
    from pathlib import Path

    from django.utils import translation

    import jixiao.web.pages

    po = (Path(jixiao.web.pages.__file__).parent / "locale/en/LC_MESSAGES/django.po").read_text(
        "utf-8"
    )

    def joined(lines: str) -> str:  # a message wrapped over several quoted lines
        return "".join(re.findall(r'"(.*)"', lines))

    entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', po, re.M)
    singles = [(context, joined(zh), joined(en)) for context, zh, en in entries if joined(zh)]
    assert len(singles) > 90 and all(english for _c, _zh, english in singles)
    with translation.override("en"):
        for context, chinese, english in singles:
            assert (
                translation.pgettext(context, chinese) if context else translation.gettext(chinese)
            ) == english


def test_a_form_starts_from_last_years(tree, slips):
    client = signed_in(tree, "filler_a1")
    response = client.post("/forms/new/", {"start": "last_year", "last": str(slips.pk)})
    new = Evaluation.objects.get(project=slips.project, year=2024)
    assert response["Location"] == f"/forms/{new.pk}/"
    assert [i["target"] for i in new.data["indicators"]] == [
        i["target"] for i in slips.data["indicators"]
    ]
    assert all(i["score"] is None for i in new.data["indicators"]) and new.total is None
    again = client.post("/forms/new/", {"start": "last_year", "last": str(slips.pk)})
    assert again.status_code == 409
    assert (
        signed_in(tree, "filler_b1")
        .post("/forms/new/", {"start": "last_year", "last": str(slips.pk)})
        .status_code
        == 404
    )
    page = client.get(f"/forms/{new.pk}/edit/").content.decode()
    assert 'name="indicators[0].score" value=""' in page and "保洁河道长度" in page


def test_amounts_read_with_thousands_separators():
    from jixiao.web.pages.sheet import Cell

    assert Cell("funding.executed", "全年执行数", "1234567.50").shown == "1,234,567.50"
    assert Cell("funding.breakdown.other_funds.annual_budget", "", "-4900").shown == "-4,900"
    assert (
        Cell("indicators[0].score", "得分", "1234.00").shown == "1234.00"
    )  # scores are not amounts
    assert Cell("funding.executed", "全年执行数", "约 5 万").shown == "约 5 万"


def test_indicator_rows_are_added_moved_and_removed_before_a_save(tree, slips):
    client = signed_in(tree, "filler_a1")
    url = f"/forms/{slips.pk}/edit/"
    page = client.post(
        url, {"version": "1", "rows": "0,1,2,3,4", "indicators[1].score": "20.00", "op": "up:1"}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "指标行已调整，保存后生效" in text
    assert 'name="rows" value="1,0,2,3,4"' in text
    assert 'name="indicators[0].score" value="20.00"' in text  # the typed score moved with its row
    slips.refresh_from_db()
    assert slips.version == 1  # nothing saved yet
    page = client.post(url, {"version": "1", "rows": "1,0,2,3,4", "op": "add"}).content.decode()
    assert 'name="rows" value="1,0,2,3,4,new"' in page and 'name="indicators[5].name"' in page
    assert 'name="indicators[0].name"' in page  # in a draft every row's name is open (#19)
    page = client.post(
        url, {"version": "1", "rows": "1,0,2,3,4,new", "op": "remove:2"}
    ).content.decode()
    assert 'name="rows" value="1,0,3,4,new"' in page
    saved = client.post(
        url,
        {
            "version": "1",
            "rows": "1,0,3,4,new",
            "indicators[4].level1": "产出指标",
            "indicators[4].name": "新增指标",
            "indicators[4].target": "≥10次",
            "indicators[4].points": "10",
            "indicators[4].actual": "12次",
            "indicators[4].score": "10",
        },
    )
    assert saved.status_code == 302
    slips.refresh_from_db()
    names = [i["name"] for i in slips.data["indicators"]]
    assert names == [
        "水面漂浮物清除率",
        "保洁河道长度",
        "河道水质达标率",
        "沿岸居民满意度",
        "新增指标",
    ]
    assert (
        client.post(url, {"version": "2", "rows": "0,1,2,3"}).status_code == 302
    )  # the added row removed again
    history = client.get(f"/forms/{slips.pk}/history/").content.decode()
    assert "整行「新增指标」" in history and "{&#x27;" not in history
    assert slips.data["indicators"][4]["target_parsed"]["value"] == "10"


def test_row_origins_that_make_no_sense_fall_back_to_the_stored_order():
    from jixiao.web.pages.sheet import origins

    assert origins("2,0,new,1", 3) == ["2", "0", "new", "1"]
    assert origins("0,0,1", 3) == ["0", "1", "2"]
    assert origins("0,7", 3) == ["0", "1", "2"]
    assert origins(None, 2) == ["0", "1"]


def test_evidence_files_per_indicator(tree, slips):
    from django.core.files.uploadedfile import SimpleUploadedFile

    filler = signed_in(tree, "filler_a1")
    url = f"/forms/{slips.pk}/evidence/"
    pdf = SimpleUploadedFile("巡查记录.pdf", PDF)
    assert filler.post(url, {"indicator": "保洁河道长度", "file": pdf}).status_code == 302
    page = filler.get(f"/forms/{slips.pk}/").content.decode()
    row = page[page.index('id="f-indicators-0"') : page.index('id="f-indicators-1"')]
    assert "巡查记录.pdf" in row
    item = slips.evidence.get()
    assert (item.size, item.content_type) == (len(PDF), "application/pdf")
    response = signed_in(tree, "reviewer_a").get(f"/forms/{slips.pk}/evidence/{item.pk}/")
    assert response.content == PDF and "attachment" in response["Content-Disposition"]
    assert (
        signed_in(tree, "filler_b1").get(f"/forms/{slips.pk}/evidence/{item.pk}/").status_code
        == 404
    )

    exe = SimpleUploadedFile("a.exe", b"MZ")
    refused = filler.post(url, {"indicator": "保洁河道长度", "file": exe})
    assert refused.status_code == 400 and "佐证材料只能是" in refused.content.decode()
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    assert filler.post(url, {"indicator": "保洁河道长度", "file": big}).status_code == 400
    pdf.seek(0)  # read to its end by the first post
    assert (
        signed_in(tree, "reviewer_a")
        .post(url, {"indicator": "保洁河道长度", "file": pdf})
        .status_code
        == 403
    )

    submit(tree.users["filler_a1"], slips)
    assert filler.post(f"/forms/{slips.pk}/evidence/{item.pk}/remove/").status_code == 409
    actions.workflow.step(
        user=tree.users["reviewer_a"], pk=slips.pk, action=Action.RETURN, comment="补充材料"
    )
    assert filler.post(f"/forms/{slips.pk}/evidence/{item.pk}/remove/").status_code == 302
    assert not slips.evidence.exists()


def test_a_blank_form_gets_its_rows_on_the_page(tree, project_a1):
    client = signed_in(tree, "filler_a1")
    response = client.post(
        "/forms/new/",
        {"start": "blank", "project": "A1-001", "year": "2025", "template": "national-2020"},
    )
    ev = Evaluation.objects.get(project=project_a1, year=2025)
    assert response["Location"] == f"/forms/{ev.pk}/"
    assert ev.data["project"]["unit"] == "甲一中心" and ev.data["indicators"] == []
    page = client.post(
        f"/forms/{ev.pk}/edit/", {"version": "1", "rows": "", "op": "add"}
    ).content.decode()
    assert 'name="indicators[0].name"' in page and 'name="rows" value="new"' in page
    bad = client.post(
        "/forms/new/", {"start": "blank", "project": "A1-001", "year": "25", "template": "x"}
    )
    assert bad.status_code == 400 and "年度应为四位数字" in bad.content.decode()
    assert client.get(f"/forms/{ev.pk}/").status_code == 200
    assert (
        client.post(
            f"/forms/{ev.pk}/recompute/", {"rows": "new", "indicators[0].points": "10"}
        ).status_code
        == 200
    )


def _controls_without_labels(page: str) -> list[str]:
    """Inputs, selects and text areas a screen reader could not name."""
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
    missing = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if re.search(r'type="(hidden|submit)"', tag) or "aria-label=" in tag:
            continue
        found = re.search(r'\bid="([^"]+)"', tag)
        if not found or found[1] not in labelled:
            missing.append(tag)
    return missing


def test_every_input_has_a_label(tree, slips):
    from django.core.files.uploadedfile import SimpleUploadedFile

    filler, reviewer = signed_in(tree, "filler_a1"), signed_in(tree, "reviewer_a")
    filler.post(
        f"/forms/{slips.pk}/evidence/",
        {"indicator": "保洁河道长度", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    pages = [
        filler.get(url).content.decode()
        for url in (
            "/forms/",
            "/forms/new/",
            f"/forms/{slips.pk}/",
            f"/forms/{slips.pk}/edit/",
            f"/forms/{slips.pk}/history/",
        )
    ]
    pages.append(Client().get("/login/").content.decode())
    submit(tree.users["filler_a1"], slips)
    pages += [
        reviewer.get(f"/forms/{slips.pk}/review/").content.decode(),
        reviewer.get("/review/").content.decode(),
    ]
    assert sum(page.count("<input") for page in pages) > 80
    assert [tag for page in pages for tag in _controls_without_labels(page)] == []


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_text_colours_have_readable_contrast():
    """WCAG contrast of every text colour of the style sheet on the light backgrounds: ≥ 4.5 (AA)."""
    from pathlib import Path

    import jixiao.web.pages

    css = (Path(jixiao.web.pages.__file__).parent / "static/pages/pages.css").read_text()
    colours = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", css))
    for text in ("ink", "muted", "accent", "error", "warn", "info", "ok"):
        for ground in ("#ffffff", colours["bg-soft"], "#fff4f4", "#f2fbf2"):
            light, dark = sorted((_luminance(colours[text]), _luminance(ground)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, ground)


def test_history_names_review_scores_and_reasons():
    from jixiao.web.pages.sheet import describe

    data = {"indicators": [{"name": "保洁河道长度"}]}
    assert (
        describe("review_scores.indicators[0].score", data)
        == "复核得分 · 指标 1「保洁河道长度」 · 得分"
    )
    assert describe("acknowledgements.total-differs@total", data) == "单位说明 · 总分"
    assert describe("target_reasons.保洁河道长度", data) == "目标调整理由 · 保洁河道长度"


@pytest.fixture
def approved(tree, forms):
    """The slips sample made after its first two rows' targets were approved (绩效目标批复)."""
    from jixiao.domain.approved_targets import ApprovedTarget

    project = Project.objects.create(code="A1-002", name=forms[1].project.name, unit=tree.unit_a1)
    rows = [
        ApprovedTarget(
            name=r.name, target=r.target, points=r.points, level1=r.level1, level2=r.level2
        )
        for r in forms[1].indicators[:2]
    ]
    actions.targets.approve(user=tree.users["reviewer_a"], code="A1-002", year=2023, rows=rows)
    return actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[1])


def notes_of(page: str, dom: str) -> str:
    return re.search(rf'<ul class="notes" id="notes-{dom}"[^>]*>(.*?)</ul>', page, re.S)[1]


def test_approved_targets_are_locked_until_unlocked_with_a_reason(tree, approved):
    client, url = signed_in(tree, "filler_a1"), f"/forms/{approved.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="indicators[0].target"' not in page and 'name="indicators[0].points"' not in page
    assert 'value="unlock:0"' in page and "已批复" in page
    assert (
        'name="indicators[2].target"' in page and 'value="unlock:2"' not in page
    )  # not approved: open
    base = {"version": "1", "rows": "0,1,2,3,4"}
    opened = client.post(url, {**base, "op": "unlock:0"}).content.decode()
    assert 'name="indicators[0].target"' in opened and 'name="reason:保洁河道长度"' in opened
    assert 'name="indicators[1].target"' not in opened and "已解锁「保洁河道长度」" in opened
    assert _controls_without_labels(opened) == []

    changed = {**base, "indicators[0].target": "≥100(公里)", "reason:保洁河道长度": ""}
    refused = client.post(url, changed)
    assert refused.status_code == 422 and "保洁河道长度" in refused.content.decode()
    assert 'value="≥100(公里)"' in refused.content.decode()  # the typed target stays on screen
    live = client.post(
        f"/forms/{approved.pk}/recompute/", {**changed, "reason:保洁河道长度": "河段移交"}
    )
    assert (
        "指标值与批复不一致：原 ≥120(公里)，现 ≥100(公里)，理由：河段移交" in live.content.decode()
    )

    assert client.post(url, {**changed, "reason:保洁河道长度": "河段移交"}).status_code == 302
    approved.refresh_from_db()
    assert approved.target_reasons == {"保洁河道长度": "河段移交"}
    assert approved.data["indicators"][0]["target"] == "≥100(公里)"
    assert [f["field"] for f in approved.findings if f["code"] == "target-changed"] == [
        "indicators[0].target"
    ]
    shown = client.get(f"/forms/{approved.pk}/").content.decode()
    assert "指标值与批复不一致：原 ≥120(公里)，现 ≥100(公里)，理由：河段移交" in notes_of(
        shown, "f-indicators-0-target"
    )
    again = client.get(url).content.decode()  # the change on record stays open with its reason
    assert re.search(r'name="reason:保洁河道长度"[^>]*>河段移交</textarea>', again)
    history = client.get(f"/forms/{approved.pk}/history/").content.decode()
    assert (
        "目标调整理由 · 保洁河道长度" in history
        and "河段移交" in history
        and "≥100(公里)" in history
    )
    assert (
        "target_parsed" not in history
    )  # what the readers parse from the target is not a change of its own

    submit(tree.users["filler_a1"], approved)
    review = signed_in(tree, "reviewer_a").get(f"/forms/{approved.pk}/review/").content.decode()
    assert "理由：河段移交" in notes_of(review, "f-indicators-0-target")


def test_removing_an_approved_row_asks_for_a_reason(tree, approved):
    client, url = signed_in(tree, "filler_a1"), f"/forms/{approved.pk}/edit/"
    page = client.post(
        url, {"version": "1", "rows": "0,1,2,3,4", "op": "remove:1"}
    ).content.decode()
    assert (
        'name="reason:水面漂浮物清除率"' in page
        and "已删除已批复的指标「水面漂浮物清除率」" in page
    )
    assert _controls_without_labels(page) == []
    assert client.post(url, {"version": "1", "rows": "0,2,3,4"}).status_code == 422
    saved = client.post(
        url, {"version": "1", "rows": "0,2,3,4", "reason:水面漂浮物清除率": "项目调整"}
    )
    assert saved.status_code == 302
    approved.refresh_from_db()
    assert (
        approved.target_reasons == {"水面漂浮物清除率": "项目调整"}
        and len(approved.data["indicators"]) == 4
    )
    shown = client.get(f"/forms/{approved.pk}/").content.decode()
    assert "水面漂浮物清除率" in notes_of(shown, "s-indicators") and "项目调整" in notes_of(
        shown, "s-indicators"
    )


def test_evidence_is_on_the_trail_and_in_the_history(tree, slips):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.web.evaluations.models import Event

    filler = signed_in(tree, "filler_a1")
    pdf = SimpleUploadedFile("巡查记录.pdf", pdf_of_size(2009))
    filler.post(f"/forms/{slips.pk}/evidence/", {"indicator": "巡查频次", "file": pdf})
    item = slips.evidence.get()
    filler.post(f"/forms/{slips.pk}/evidence/{item.pk}/remove/")
    events = list(Event.objects.filter(evaluation=slips).order_by("id"))
    assert [e.action for e in events] == ["create", "evidence_add", "evidence_remove"]
    assert events[1].diff == [
        {
            "path": "evidence",
            "new": {
                "indicator": "巡查频次",
                "name": "巡查记录.pdf",
                "size": 2009,
                "sha256": item.sha256,
            },
        }
    ]
    assert (
        events[2].diff[0]["old"]["name"] == "巡查记录.pdf" and events[1].hash == events[2].prev_hash
    )
    _count, breaks, _head = actions.trail.verify()
    assert (actions.trail.check().form_events, breaks) == (3, [])
    history = filler.get(f"/forms/{slips.pk}/history/").content.decode()
    assert "上传佐证材料" in history and "删除佐证材料" in history
    assert (
        history.count("指标「巡查频次」：巡查记录.pdf（2.0\xa0KB）") == 2 and "filler_a1" in history
    )

    pdf.seek(0)  # read to its end by the first post
    refused = signed_in(tree, "reviewer_a").post(
        f"/forms/{slips.pk}/evidence/", {"indicator": "巡查频次", "file": pdf}
    )
    assert (
        refused.status_code == 403
        and Event.objects.filter(evaluation__isnull=False).count() == 3
        and not slips.evidence.exists()
    )


def test_one_acknowledgement_per_rule_and_field(tree, slips):
    filler, reviewer = signed_in(tree, "filler_a1"), tree.users["reviewer_a"]
    page = filler.get(f"/forms/{slips.pk}/").content.decode()
    keys = re.findall(r'name="ack:([^"]+)"', page)
    assert keys and len(keys) == len(set(keys))
    filler.post(
        f"/forms/{slips.pk}/submit/", {"version": "1", **{f"ack:{k}": "已核实" for k in keys}}
    )
    slips.refresh_from_db()
    assert slips.state == "submitted" and slips.acknowledgements == {k: "已核实" for k in keys}
    actions.workflow.step(user=reviewer, pk=slips.pk, action=Action.RETURN, comment="请再核实")
    page = filler.get(f"/forms/{slips.pk}/").content.decode()
    for key in keys:  # the reasons on record are shown again, pre-filled
        assert re.search(rf'name="ack:{re.escape(key)}" value="已核实"', page)
    filler.post(
        f"/forms/{slips.pk}/submit/", {"version": "3", **{f"ack:{k}": "已核实" for k in keys}}
    )
    slips.refresh_from_db()
    assert slips.state == "resubmitted" and slips.acknowledgements == {k: "已核实" for k in keys}
    resubmit = slips.events.get(action="submit", state_from="returned")
    assert [d["path"] for d in resubmit.diff] == [
        "state"
    ]  # the same reasons: re-used, nothing added


def _user_strings(ev: Evaluation) -> set[str]:
    """What people typed or the form printed (names, targets, comments, reasons, file
    names): the only Chinese an English page may show."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(key), walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.add(node)

    ev.refresh_from_db()
    walk([ev.data, ev.targets, ev.target_reasons, ev.acknowledgements])
    for event in ev.events.all():
        walk([event.comment, event.field_comments, event.diff])
    walk([[item.name, item.indicator] for item in ev.evidence.all()])
    unit = ev.project.unit
    return found | {ev.project.name, ev.project.code, unit.name, unit.parent.name, "简体中文"}


def _rule_texts(ev: Evaluation) -> set[str]:
    """What the domain writes in Chinese only, left for later: the rules' explanations of
    figures and findings, the template's grade names, and messages listing the form's levels."""
    from jixiao import templates
    from jixiao.domain.recompute import recompute

    form = actions.forms.form_of(ev)
    template = templates.load(form.template)
    return (
        {check.figure.explanation for check in recompute(form, template)}
        | {f["explanation"] for f in ev.findings if f.get("explanation")}
        | {
            f["message_en"]
            for f in ev.findings
            if f["code"] in ("weights-unusual", "rounding-mode-differs")
        }
        | {grade.label for grade in template.grades}
    )


def _han_outside(page: str, allowed: set[str]) -> list[str]:
    import html

    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for value in sorted(
        (v for v in allowed if re.search(r"[\u3400-\u9fff]", v)), key=len, reverse=True
    ):
        text = text.replace(value, " ")
    return [
        text[max(0, m.start() - 30) : m.end() + 30]
        for m in re.finditer(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+", text)
    ]


def test_english_pages_show_no_chinese_but_the_users(tree, approved):
    from django.core.files.uploadedfile import SimpleUploadedFile

    filler, reviewer = signed_in(tree, "filler_a1"), signed_in(tree, "reviewer_a")
    for client in (filler, reviewer):
        client.post("/i18n/setlang/", {"language": "en", "next": "/forms/"})
    pk = approved.pk
    filler.post(
        f"/forms/{pk}/edit/",
        {
            "version": "1",
            "rows": "0,2,3,4",
            "indicators[0].target": "≥100(公里)",
            "reason:保洁河道长度": "河段移交",
            "reason:水面漂浮物清除率": "项目调整",
        },
    )
    filler.post(
        f"/forms/{pk}/evidence/",
        {"indicator": "巡查频次", "file": SimpleUploadedFile("巡查.pdf", PDF)},
    )
    submit(tree.users["filler_a1"], approved)
    actions.workflow.step(
        user=tree.users["reviewer_a"],
        pk=pk,
        action=Action.RETURN,
        comment="请补充",
        field_comments={"indicators[0]": "请核实长度"},
    )
    edit, returned = (filler.get(f"/forms/{pk}/{path}").content.decode() for path in ("edit/", ""))
    actions.workflow.step(user=tree.users["filler_a1"], pk=pk, action=Action.SUBMIT)
    actions.review.set_scores(
        user=tree.users["reviewer_a"],
        pk=pk,
        version=None,
        scores={"indicators[0].score": "18", "funding.score": "9"},
    )
    pages = {
        "edit": edit,
        "returned": returned,
        "form": filler.get(f"/forms/{pk}/").content.decode(),
        "review": reviewer.get(f"/forms/{pk}/review/").content.decode(),
    }
    actions.workflow.step(user=tree.users["reviewer_a"], pk=pk, action=Action.APPROVE)
    pages |= {
        "history": filler.get(f"/forms/{pk}/history/").content.decode(),
        "approved": filler.get(f"/forms/{pk}/").content.decode(),
    }
    allowed = _user_strings(approved) | _rule_texts(approved)
    assert (
        all('lang="en"' in page for page in pages.values())
        and "Give reasons and submit" in pages["returned"]
    )
    leftovers = [
        f"{name}: {' '.join(bit.split())}"
        for name, page in pages.items()
        for bit in _han_outside(page, allowed)
    ]
    assert not leftovers, "\n".join(leftovers)
    assert (
        "Target differs from the approved one" in pages["review"]
        and "Evidence uploaded" in pages["history"]
    )


def _everyones_strings(ev_list) -> set[str]:
    """What users typed or forms printed, over several forms, and the tree's names."""
    from jixiao import templates
    from jixiao.web.orgs.models import Organisation

    found = set().union(*(_user_strings(ev) | _rule_texts(ev) for ev in ev_list))
    grades = {grade.label for name in templates.ids() for grade in templates.load(name).grades}
    projects = {text for row in Project.objects.values_list("name", "code") for text in row}
    return found | grades | projects | set(Organisation.objects.values_list("name", flat=True))


def test_english_lists_overviews_and_login_show_no_chinese_but_the_users(tree, approved, draft):
    """The lists, the new-form page, login, roll-up, 催报 progress, the dashboards and the
    labels of their JSON, in English: no Chinese but names, typed texts and grade labels."""
    import json as json_

    from jixiao.web.pages.dashboards import CHARTS

    submit(tree.users["filler_a1"], approved)
    Project.objects.create(
        code="A1-003", name="尚未填报的项目", unit=tree.unit_a1
    )  # 未开始 on the progress page
    clients = {name: signed_in(tree, name) for name in ("filler_a1", "reviewer_a", "admin")}
    anonymous = Client()
    for client in (*clients.values(), anonymous):
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    pages = {
        "login": anonymous.get("/login/").content.decode(),
        "login-failed": anonymous.post(
            "/login/", {"username": "filler_a1", "password": "wrong"}
        ).content.decode(),
        "my forms": clients["filler_a1"].get("/forms/").content.decode(),
        "my forms, nothing found": clients["filler_a1"]
        .get("/forms/", {"q": "none"})
        .content.decode(),
        "new form": clients["filler_a1"].get("/forms/new/").content.decode(),
        "new form refused": clients["filler_a1"]
        .post("/forms/new/", {"start": "upload", "project": "A1-001"})
        .content.decode(),
        "review queue": clients["reviewer_a"].get("/review/").content.decode(),
        "all forms": clients["admin"].get("/forms/").content.decode(),
        "rollup sorted": clients["admin"]
        .get("/rollup/", {"sort": "-budget", "rate_below": "100"})
        .content.decode(),
        "dashboards of a department": clients["admin"]
        .get("/dashboards/", {"department": tree.dept_a.pk})
        .content.decode(),
    }
    for name, client in clients.items():
        pages |= {
            f"rollup {name}": client.get("/rollup/").content.decode(),
            f"progress {name}": client.get("/progress/").content.decode(),
            f"dashboards {name}": client.get("/dashboards/").content.decode(),
        }
        for chart in [*CHARTS, "years"]:
            answer = client.get(f"/dashboards/data/{chart}/")
            assert answer.status_code == 200, chart
            pages[f"data {chart} {name}"] = json_.dumps(answer.json(), ensure_ascii=False)
    assert all('lang="en"' in page for name, page in pages.items() if not name.startswith("data"))
    allowed = _everyones_strings([approved, draft])
    leftovers = [
        f"{name}: {' '.join(bit.split())}"
        for name, page in pages.items()
        for bit in _han_outside(page, allowed)
    ]
    assert not leftovers, "\n".join(leftovers)
    assert "My forms" in pages["my forms"] and "Sign in" in pages["login"]
    assert (
        "Score exceeds the points" in pages["data findings admin"]
        and "Draft: A1-001" in pages["progress admin"]
    )
    assert "Not started: A1-003" in pages["progress admin"]


def test_a_row_added_with_an_approved_name_is_the_approved_row(tree, approved):
    """The page and the services agree: a row is the approved target's row by its name,
    wherever it was added; its target and points are the approval's until unlocked;
    and each approved target may be on one row only."""
    client, url = signed_in(tree, "filler_a1"), f"/forms/{approved.pk}/edit/"
    target, points = approved.targets[1]["target"], approved.targets[1]["points"]
    back = {
        "version": "1",
        "rows": "0,2,3,4,new",
        "indicators[4].name": "水面漂浮物清除率",
        "indicators[4].target": "≥80(%)",
        "indicators[4].points": "5",
        "indicators[4].actual": "96%",
    }
    assert client.post(url, back).status_code == 302  # the removed row came back: no reason needed
    approved.refresh_from_db()
    row = approved.data["indicators"][4]
    assert (row["name"], row["target"], row["points"], row["actual"]) == (
        "水面漂浮物清除率",
        target,
        points,
        "96%",
    )
    assert approved.target_reasons == {} and not [
        f for f in approved.findings if f["code"] == "target-changed"
    ]
    page = client.get(url).content.decode()
    assert 'name="indicators[4].target"' not in page and 'value="unlock:4"' in page

    twice = {
        "version": "2",
        "rows": "0,1,2,3,4,new",
        "indicators[5].name": " 水面漂浮物清除率",
        "indicators[5].actual": "90%",
    }
    refused = client.post(url, twice)
    text = refused.content.decode()
    assert (
        refused.status_code == 422
        and "已批复的绩效目标每项只能占一行" in text
        and "水面漂浮物清除率" in text
    )
    assert 'value="90%"' in text  # the typed text stays on screen
    assert (
        'name="indicators[5].target"' not in text and 'value="unlock:5"' in text
    )  # shown as the approved row
    assert 'name="indicators[5].name"' in text  # and still renamable
    approved.refresh_from_db()
    assert approved.version == 2 and len(approved.data["indicators"]) == 5


def test_the_services_refuse_an_approved_target_on_two_rows(tree, approved):
    from dataclasses import replace

    from jixiao.contract.json import evaluation_from_dict

    form = actions.forms.form_of(approved)
    doubled = replace(form, indicators=(*form.indicators, form.indicators[0]))
    with pytest.raises(actions.errors.Invalid, match="保洁河道长度"):
        actions.forms.save(user=tree.users["filler_a1"], pk=approved.pk, version=1, form=doubled)
    assert (
        actions.forms.save(
            user=tree.users["filler_a1"],
            pk=approved.pk,
            version=1,
            form=evaluation_from_dict(approved.data, "x"),
        ).version
        == 1
    )


def test_the_form_page_builds_its_cells_in_python_not_a_template_each(tree, slips):
    """Every field of the sheet is built by pages.sheet (an include per cell cost more than
    the rest of the page): the page renders a handful of templates, not one per cell."""
    for name, path in (
        ("filler_a1", f"/forms/{slips.pk}/"),
        ("filler_a1", f"/forms/{slips.pk}/edit/"),
    ):
        response = signed_in(tree, name).get(path)
        names = [t.name for t in response.templates]
        assert "pages/form.html" in names and "pages/_sheet.html" in names
        assert len(names) < 40, names
        page = response.content.decode()
        assert page.count('<div class="cell') > 40  # …yet every cell is there
        assert (
            'id="calc-f-indicators-1-score"' in page and 'id="notes-f-indicators-1-score"' in page
        )


@pytest.mark.parametrize(
    ("template", "word"), [("shanghai-2019", "权重"), ("national-2020", "分值")]
)
def test_the_history_names_a_column_by_the_templates_own_word(template, word):
    from jixiao.web.pages import sheet

    data = {"template": template, "indicators": [{"name": "保洁河道长度"}]}
    assert sheet.describe("indicators[0].points", data) == f"指标 1「保洁河道长度」 · {word}"
    assert sheet.describe("indicators[0].points", {"indicators": []}).endswith("· 分值")
