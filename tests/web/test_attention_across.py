"""跨表 on the attention list: a department's forms compared with each other (texts
copied across projects, targets unchanged from last year), within what the user may
see; beyond the limit the page asks for one department."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from jixiao.web import province
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.evaluations.selectors import attention

COPIED = (
    "全年按计划推进，完成设备采购与安装调试，组织业务培训两期，建立了日常巡检和故障报修制度，"
    "服务对象满意度调查结果良好，达到了年初设定的绩效目标。"
)


def user(name: str):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def copied(db):
    """A small province; two forms of 2024 in the first reviewer's department given the
    same 实际完成情况 (as a unit pasting one text into two projects)."""
    province.load(80, [2023, 2024], seed=5, slip_rate=0)
    department = user("syn-reviewer-01").membership.organisation
    pair = list(
        Evaluation.objects.filter(year=2024, project__unit__parent=department).order_by("pk")[:2]
    )
    for row in pair:
        row.data = {**row.data, "goals": {**row.data["goals"], "actual": COPIED}}
        row.save(update_fields=["data"])
    return pair


def flagged_codes(who, year: int = 2024, department: int | None = None) -> dict[int, set[str]]:
    found = attention.across(actions.access.visible(who), year, department)
    assert found is not None
    return {row.pk: {r.code for r in reasons} for row, reasons in found.flagged}


def test_the_two_copies_are_flagged_for_their_department(copied):
    flagged = flagged_codes(user("syn-reviewer-01"))
    for row in copied:
        assert "text-copied-across-projects" in flagged[row.pk]
    copies = [pk for pk, codes in flagged.items() if "text-copied-across-projects" in codes]
    assert set(copies) >= {row.pk for row in copied}


def test_another_department_sees_none_of_them(copied):
    other = user("syn-reviewer-02")
    assert other.membership.organisation != user("syn-reviewer-01").membership.organisation
    flagged = flagged_codes(other)
    assert not {row.pk for row in copied} & set(flagged)


def test_the_page_shows_them_with_their_reason(client, copied):
    client.force_login(user("syn-reviewer-01"))
    listed = client.get("/attention/", {"year": 2024}).content.decode()
    assert "跨表比对" in listed and "across=1" in listed  # asked for by a link
    assert 'data-reason="text-copied-across-projects"' not in listed
    body = client.get("/attention/", {"year": 2024, "across": 1}).content.decode()
    assert 'data-reason="text-copied-across-projects"' in body
    for row in copied:
        assert row.project.code in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/attention/"})
    english = client.get("/attention/", {"year": 2024, "across": 1}).content.decode()
    assert "Across the forms" in english and "nearly the same as in form" in english


def test_above_the_limit_the_page_asks_for_a_department(client, copied, monkeypatch):
    monkeypatch.setattr(attention, "ACROSS_LIMIT", 10)
    client.force_login(user("syn-admin"))
    body = client.get("/attention/", {"year": 2024, "across": 1}).content.decode()
    assert "请选择一个主管部门再比对" in body
    department = user("syn-reviewer-01").membership.organisation
    assert attention.across(actions.access.visible(user("syn-admin")), 2024, None) is None
    monkeypatch.setattr(attention, "ACROSS_LIMIT", 2000)
    flagged = flagged_codes(user("syn-admin"), 2024, department.pk)
    assert {row.pk for row in copied} <= set(flagged)
