"""A form filled in (blank, or from last year) has its computable figures computed on
every save, whatever was sent: 执行率, 资金得分, 总分, 等级; a quantitative indicator's
得分 is the rule's unless changed with a reason (kept). An imported form keeps what
its file printed. Through the API and the pages, on the real test database."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event

pytestmark = pytest.mark.django_db


class As:
    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def get(self, path: str):
        return self.client.get(f"/api{path}")

    def send(self, method: str, path: str, body: dict):
        return getattr(self.client, method)(
            f"/api{path}", json.dumps(body), content_type="application/json"
        )


def _indicator(name, target, actual, points, score=None, level1="产出指标", level2="数量指标"):
    return {
        "level1": level1,
        "level2": level2,
        "name": name,
        "target": target,
        "actual": actual,
        "points": points,
        "score": score,
        "deviation": None,
    }


def _blank(filler, year=2025, template="national-2020", unit="万元"):
    made = filler.send(
        "post",
        "/projects/A1-001/evaluations/blank",
        {"year": year, "template": template, "unit": unit},
    )
    assert made.status_code == 200, made.content
    return made.json()


def test_a_blank_form_through_the_api_comes_back_computed(tree, project_a1):
    filler = As(tree.users["filler_a1"])
    made = _blank(filler)
    assert made["origin"] == "filled" and made["state"] == "draft"
    form = made["form"]
    # a blank form can be completed: money unit, points, the template's funding lines
    assert form["funding"]["unit"] == "万元" and form["funding"]["points"] == "10"
    assert set(form["funding"]["breakdown"]) >= {
        "current_year_appropriation",
        "prior_year_carryover",
        "other_funds",
    }
    form["funding"].update(annual_budget="80.95", executed="80.94", initial_budget="80.95")
    # sent figures that the rules compute are ignored: computed again
    form["funding"]["execution_rate"] = "12.00"
    form["total"], form["grade"] = "1.00", "差"
    form["indicators"] = [
        _indicator("巡查次数", "≥100(次)", "90(次)", "50"),
        _indicator("群众满意度", "≥90(%)", "95(%)", "40", level1="满意度指标", level2="满意度"),
    ]
    saved = filler.send("put", f"/evaluations/{made['id']}", {"version": 1, "form": form})
    assert saved.status_code == 200, saved.content
    back = saved.json()["form"]
    assert back["funding"]["execution_rate"] == "99.98"  # 80.94 ÷ 80.95, cut
    assert back["funding"]["score"] == "9.99"
    assert [row["score"] for row in back["indicators"]] == ["45.00", "40.00"]  # 50 × 90/100
    assert back["total"] == "94.99" and back["grade"] == "优"
    ev = Evaluation.objects.get(pk=made["id"])
    assert ev.total is not None and str(ev.total) == "94.99" and ev.grade == "优"
    # the trail holds what was stored, not what was sent
    save = Event.objects.filter(evaluation=ev, action="save").get()
    assert {"path": "total", "old": None, "new": "94.99"} in save.diff


def test_a_changed_rule_score_needs_a_reason_which_is_kept(tree, project_a1):
    filler = As(tree.users["filler_a1"])
    made = _blank(filler)
    form = made["form"]
    form["funding"].update(annual_budget="100", executed="100")
    form["indicators"] = [_indicator("巡查次数", "≥100(次)", "90(次)", "90", score="88")]
    url = f"/evaluations/{made['id']}"
    refused = filler.send("put", url, {"version": 1, "form": form})
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "indicators[0].score": refused.json()["fields"]["indicators[0].score"]
    }
    assert "按规则得 81.00 分；改为 88 须说明理由" in refused.json()["detail"]
    kept = filler.send(
        "put", url, {"version": 1, "form": form, "score_reasons": {"巡查次数": "主管部门认定"}}
    )
    assert kept.status_code == 200, kept.content
    body = kept.json()
    assert body["form"]["indicators"][0]["score"] == "88"
    assert body["score_reasons"] == {"巡查次数": "主管部门认定"}
    assert body["form"]["total"] == "98.00"  # 10 + 88
    # back to the rule's score: the reason goes
    form = body["form"]
    form["indicators"][0]["score"] = None
    again = filler.send("put", url, {"version": body["version"], "form": form}).json()
    assert again["form"]["indicators"][0]["score"] == "81.00" and again["score_reasons"] == {}
    # the old proposal sent back after the actual changed is computed again, no reason asked
    form = again["form"]
    form["indicators"][0]["actual"] = "100(次)"
    last = filler.send("put", url, {"version": again["version"], "form": form})
    assert last.status_code == 200 and last.json()["form"]["indicators"][0]["score"] == "90.00"


def test_absurd_figures_are_refused_at_their_fields(tree, project_a1):
    filler = As(tree.users["filler_a1"])
    made = _blank(filler)
    form = made["form"]
    form["funding"].update(annual_budget="100", executed="1234567890123456789012")
    form["indicators"] = [_indicator("巡查次数", "≥100(次)", "90(次)", "-5")]
    refused = filler.send("put", f"/evaluations/{made['id']}", {"version": 1, "form": form})
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"funding.executed", "indicators[0].points"}
    assert "不能为负数" in refused.json()["fields"]["indicators[0].points"]


def test_an_imported_form_keeps_its_printed_figures(tree, project_a1, forms):
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[1])
    assert ev.origin == "imported"
    assert ev.data["total"] == "99.00" and ev.data["grade"] == "良"  # as printed (slips)
    filler = As(tree.users["filler_a1"])
    body = filler.get(f"/evaluations/{ev.pk}").json()
    assert body["origin"] == "imported"
    saved = filler.send("put", f"/evaluations/{ev.pk}", {"version": ev.version, "form": ev.data})
    assert saved.status_code == 200 and saved.json()["form"]["total"] == "99.00"
    refused = filler.send(
        "put",
        f"/evaluations/{ev.pk}",
        {"version": ev.version, "form": ev.data, "score_reasons": {"x": "y"}},
    )
    assert refused.status_code == 422


def test_the_blank_route_refuses_what_it_cannot_make(tree, project_a1):
    filler = As(tree.users["filler_a1"])
    url = "/projects/A1-001/evaluations/blank"
    assert filler.send("post", url, {"year": 1999, "template": "national-2020"}).status_code == 422
    assert filler.send("post", url, {"year": 2025, "template": "nope"}).status_code == 422
    bad_unit = filler.send("post", url, {"year": 2025, "template": "national-2020", "unit": "美元"})
    assert bad_unit.status_code == 422
    reviewer = As(tree.users["reviewer_a"])
    assert (
        reviewer.send("post", url, {"year": 2025, "template": "national-2020"}).status_code == 403
    )
    other = As(tree.users["filler_b1"])
    assert other.send("post", url, {"year": 2025, "template": "national-2020"}).status_code == 404


def test_a_shanghai_blank_form_has_its_execution_row_scored(tree, project_a1):
    filler = As(tree.users["filler_a1"])
    made = _blank(filler, template="shanghai-2019", unit="元")
    form = made["form"]
    assert form["funding"]["unit"] == "元" and form["funding"]["points"] is None
    form["funding"].update(annual_budget="200000", executed="190000")
    form["indicators"] = [
        _indicator("预算执行率", None, None, "8", level1="投入与管理", level2=None),
        _indicator(
            "资金使用合规性", None, None, "92", score="90", level1="投入与管理", level2=None
        ),
    ]
    saved = filler.send("put", f"/evaluations/{made['id']}", {"version": 1, "form": form})
    assert saved.status_code == 200, saved.content
    back = saved.json()["form"]
    assert back["funding"]["execution_rate"] == "95.00"
    assert back["indicators"][0]["score"] == "8.00"  # ≥90% → 8
    assert back["indicators"][1]["score"] == "90"  # judgement: as typed
    assert back["total"] == "98.00" and back["grade"] == "优秀"


def _page_blank(client, template="national-2020", unit="万元") -> Evaluation:
    answer = client.post(
        "/forms/new/",
        {"start": "blank", "project": "A1-001", "year": "2025", "template": template, "unit": unit},
    )
    assert answer.status_code == 302, answer.content.decode()
    return Evaluation.objects.get(project__code="A1-001", year=2025)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_on_the_page_computed_figures_are_shown_not_typed(tree, project_a1):
    client = _signed_in(tree.users["filler_a1"])
    ev = _page_blank(client)
    assert ev.origin == "filled"
    page = client.get(f"/forms/{ev.pk}/edit/").content.decode()
    # inputs for the money, the points and the funding lines; none for what the rules compute
    for typed in ("funding.annual_budget", "funding.executed", "funding.points"):
        assert f'name="{typed}"' in page
    assert 'name="funding.breakdown.other_funds.executed"' in page
    for computed in ("funding.execution_rate", "funding.score", "total", "grade"):
        assert f'name="{computed}"' not in page
    assert "项目资金" in page and "（万元）" in page
    rows = "new,new"
    posted = {
        "version": str(ev.version),
        "rows": rows,
        "funding.annual_budget": "1,000.00",
        "funding.executed": "950",
        "funding.points": "10",
        "indicators[0].name": "巡查次数",
        "indicators[0].level1": "产出指标",
        "indicators[0].level2": "数量指标",
        "indicators[0].target": "≥100(次)",
        "indicators[0].actual": "100(次)",
        "indicators[0].points": "50",
        "indicators[1].name": "满意度",
        "indicators[1].level1": "满意度指标",
        "indicators[1].level2": "满意度",
        "indicators[1].target": "≥90(%)",
        "indicators[1].actual": "80(%)",
        "indicators[1].points": "40",
        "indicators[1].deviation": "调查样本偏少",
    }
    saved = client.post(f"/forms/{ev.pk}/edit/", posted)
    assert saved.status_code == 302, saved.content.decode()
    ev.refresh_from_db()
    assert ev.data["funding"]["execution_rate"] == "95.00" and ev.data["funding"]["score"] == "9.50"
    assert [row["score"] for row in ev.data["indicators"]] == ["50.00", "35.55"]
    assert ev.data["total"] == "95.05" and ev.data["grade"] == "优"
    view = client.get(f"/forms/{ev.pk}/").content.decode()
    assert "自动计算" in view and "95.05" in view


def test_bad_values_on_the_page_are_marked_and_the_rest_kept(tree, project_a1):
    client = _signed_in(tree.users["filler_a1"])
    ev = _page_blank(client)
    posted = {
        "version": str(ev.version),
        "rows": "new",
        "funding.annual_budget": "1,2,0",
        "funding.executed": "abc",
        "funding.points": "10",
        "goals.expected": "完成巡查任务",
        "indicators[0].name": "巡查次数",
        "indicators[0].target": "≥100(次)",
        "indicators[0].points": "-5",
    }
    refused = client.post(f"/forms/{ev.pk}/edit/", posted)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert page.count('class="field-error"') == 3
    assert "逗号只能用作千位分隔" in page and "不能为负数" in page and "“abc”不是数字" in page
    assert 'value="1,2,0"' in page and 'value="abc"' in page and 'value="-5"' in page
    assert "完成巡查任务" in page and 'value="巡查次数"' in page  # the rest kept
    assert 'aria-invalid="true" aria-describedby="err-f-funding-annual-budget"' in page
    assert "有 3 处填写有误" in page and page.count("有 3 处填写有误") == 1
    ev.refresh_from_db()
    assert ev.version == 1  # nothing saved


def test_a_rule_score_changed_on_the_page_needs_its_reason(tree, project_a1):
    client = _signed_in(tree.users["filler_a1"])
    ev = _page_blank(client)
    base = {
        "version": str(ev.version),
        "rows": "new",
        "funding.annual_budget": "100",
        "funding.executed": "100",
        "indicators[0].name": "巡查次数",
        "indicators[0].target": "≥100(次)",
        "indicators[0].actual": "90(次)",
        "indicators[0].points": "90",
    }
    assert client.post(f"/forms/{ev.pk}/edit/", base).status_code == 302
    ev.refresh_from_db()
    assert ev.data["indicators"][0]["score"] == "81.00"
    page = client.get(f"/forms/{ev.pk}/edit/").content.decode()
    assert "调整得分" in page and 'name="score_reason:巡查次数"' in page
    changed = {**base, "version": str(ev.version), "rows": "0", "indicators[0].score": "85"}
    refused = client.post(f"/forms/{ev.pk}/edit/", changed)
    assert refused.status_code == 422
    assert "按规则得 81.00 分；改为 85 须说明理由" in refused.content.decode()
    assert 'id="err-f-indicators-0-score"' in refused.content.decode()
    kept = client.post(
        f"/forms/{ev.pk}/edit/", {**changed, "score_reason:巡查次数": "专项检查扣分"}
    )
    assert kept.status_code == 302
    ev.refresh_from_db()
    assert ev.data["indicators"][0]["score"] == "85" and ev.score_reasons == {
        "巡查次数": "专项检查扣分"
    }
    assert ev.data["total"] == "95.00"
    assert "专项检查扣分" in client.get(f"/forms/{ev.pk}/").content.decode()


def test_a_qualitative_indicator_picks_its_band_then_a_score_within(tree, project_a1):
    client = _signed_in(tree.users["filler_a1"])
    ev = _page_blank(client)
    base = {
        "version": str(ev.version),
        "rows": "new",
        "funding.annual_budget": "100",
        "funding.executed": "100",
        "indicators[0].name": "群众安全感",
        "indicators[0].target": "稳步提升",
        "indicators[0].points": "90",
    }
    assert client.post(f"/forms/{ev.pk}/edit/", base).status_code == 302
    page = client.get(f"/forms/{ev.pk}/edit/").content.decode()
    picker = page.split('name="indicators[0].actual"', 1)[1].split("</select>", 1)[0]
    for band in ("达成年度指标", "部分达成并具有一定效果", "未达成且效果较差"):
        assert f'<option value="{band}"' in picker
    picked = {
        **base,
        "version": str(ev.version + 1),
        "rows": "0",
        "indicators[0].actual": "部分达成并具有一定效果",
        "indicators[0].score": "60",
        "indicators[0].deviation": "宣传覆盖不足",
    }
    assert client.post(f"/forms/{ev.pk}/edit/", picked).status_code == 302
    ev.refresh_from_db()
    assert ev.data["indicators"][0]["score"] == "60" and ev.data["total"] == "70.00"
    view = client.get(f"/forms/{ev.pk}/").content.decode()
    assert "按规则 54.00–72.00" in view  # the band's range, 60–80% of 90
