"""The attention list (关注清单): in a synthetic province with slips planted, every planted
form is listed with its reason and ranks above every clean one; each user sees only
what they may see of the forms; the page and the API say the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from jixiao.domain.workflow import Action
from jixiao.web import province
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.evaluations.selectors import attention
from jixiao.web.orgs.models import ApiToken

YEARS = [2023, 2024]
REASON_OF = {
    "score-above-points": "errors",
    "low-execution": "low-execution",
    "goals-copied": "goals-copied",
    "grade-out-of-band": "grade-out-of-band",
    "review-gap": "review-gap",
}


@pytest.fixture
def made(db):
    return province.load(400, YEARS, seed=11, slip_rate=0.1)


def user(name: str):
    return get_user_model().objects.get(username=name)


def listed(who, year: int, department: int | None = None) -> list:
    return attention.entries(attention.flagged(actions.access.visible(who), year, department))


@pytest.mark.parametrize("year", YEARS)
def test_every_planted_form_is_listed_above_every_clean_one(made, year):
    entries = listed(user("syn-admin"), year)
    order = [e.evaluation.pk for e in entries]
    planted = {p.evaluation_id: p.kind for p in made.planted if p.year == year}
    assert len(planted) >= 15
    assert set(planted) <= set(order)
    clean = (
        Evaluation.objects.filter(year=year).exclude(pk__in=planted).values_list("pk", flat=True)
    )
    last_planted = max(order.index(pk) for pk in planted)
    assert all(pk not in order or order.index(pk) > last_planted for pk in clean)
    for entry in entries:
        if entry.evaluation.pk in planted:
            assert REASON_OF[planted[entry.evaluation.pk]] in {r.code for r in entry.reasons}
    priorities = [e.priority for e in entries]
    assert priorities == sorted(priorities, reverse=True)
    assert all(
        e.priority == sum(attention.CONDITIONS[r.code][0] for r in e.reasons) for e in entries
    )


def test_a_department_reviewer_sees_only_their_department(made):
    reviewer = user("syn-reviewer-01")
    department = reviewer.membership.organisation
    mine = listed(reviewer, 2024)
    assert mine and all(e.evaluation.project.unit.parent_id == department.pk for e in mine)
    everyone = listed(user("syn-admin"), 2024)
    assert [e.evaluation.pk for e in mine] == [
        e.evaluation.pk for e in everyone if e.evaluation.project.unit.parent_id == department.pk
    ]
    other = next(
        e.evaluation.project.unit.parent_id
        for e in everyone
        if e.evaluation.project.unit.parent_id != department.pk
    )
    assert listed(reviewer, 2024, other) == []
    assert [e.evaluation.pk for e in listed(user("syn-admin"), 2024, department.pk)] == [
        e.evaluation.pk for e in mine
    ]
    filler = user("syn-filler-001")
    assert all(
        e.evaluation.project.unit_id == filler.membership.organisation_id
        for e in listed(filler, 2024)
    )


def test_the_page_lists_the_reasons_and_the_thresholds(client, made):
    reviewer = user("syn-reviewer-01")
    client.force_login(reviewer)
    body = client.get("/attention/", {"year": 2024}).content.decode()
    assert "关注清单" in body and "低于 60%" in body and "10 分及以上" in body
    mine = listed(reviewer, 2024)
    for entry in mine:
        assert entry.evaluation.project.code in body
        assert all(r.message in body for r in entry.reasons)
    others = Project.objects.exclude(unit__parent=reviewer.membership.organisation).values_list(
        "code", flat=True
    )
    assert not any(code in body for code in others)
    assert 'href="/attention/"' in body


def test_the_page_in_english(client, made):
    client.force_login(user("syn-admin"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/attention/"})
    body = client.get("/attention/").content.decode()
    assert "Attention list" in body and "below 60%" in body
    assert "error" in body.lower()


def test_the_api_says_what_the_page_says(client, made):
    token = ApiToken.issue(user("syn-reviewer-01"))
    answer = client.get(
        "/api/attention",
        {"year": 2024, "limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    body = answer.json()
    mine = listed(user("syn-reviewer-01"), 2024)
    assert body["count"] == len(mine) == len(body["items"])
    assert [i["id"] for i in body["items"]] == [e.evaluation.pk for e in mine]
    assert body["items"][0]["reasons"][0]["code"] == mine[0].reasons[0].code
    assert (body["low_execution"], body["review_gap"]) == ("60", "10")
    page = client.get(
        "/api/attention",
        {"year": 2024, "limit": 2, "offset": 1},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert [i["id"] for i in page["items"]] == [e.evaluation.pk for e in mine[1:3]]


def test_a_review_far_below_the_self_scores_puts_a_form_on_the_list(tree, draft):
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    ev = actions.access.get(filler, draft.pk)
    acks = {f["key"]: "已核实" for f in ev.findings if f["severity"] == "error"}
    actions.workflow.step(user=filler, pk=ev.pk, action=Action.SUBMIT, acknowledgements=acks)
    before = {e.evaluation.pk: {r.code for r in e.reasons} for e in listed(reviewer, ev.year)}
    assert "review-gap" not in before.get(ev.pk, set())
    rows = [
        (n, i)
        for n, i in enumerate(ev.data["indicators"])
        if i.get("score") and Decimal(i["score"]) >= 5
    ]
    cut = {f"indicators[{n}].score": "0" for n, _i in rows[:3]}
    actions.review.set_scores(user=reviewer, pk=ev.pk, version=None, scores=cut)
    entry = next(e for e in listed(reviewer, ev.year) if e.evaluation.pk == ev.pk)
    assert "review-gap" in {r.code for r in entry.reasons}


def test_one_state_only(client, made):
    admin = user("syn-admin")
    submitted = attention.entries(
        attention.flagged(actions.access.visible(admin), 2024, state="submitted")
    )
    assert submitted and all(e.evaluation.state == "submitted" for e in submitted)
    everyone = listed(admin, 2024)
    assert [e.evaluation.pk for e in submitted] == [
        e.evaluation.pk for e in everyone if e.evaluation.state == "submitted"
    ]
    client.force_login(admin)
    body = client.get("/attention/", {"year": 2024, "state": "submitted"}).content.decode()
    others = [e.evaluation.project.code for e in everyone if e.evaluation.state != "submitted"]
    assert others and not any(f"<small>{code}</small>" in body for code in others)
    assert all(f"<small>{e.evaluation.project.code}</small>" in body for e in submitted)
    token = ApiToken.issue(admin)
    api = client.get(
        "/api/attention",
        {"year": 2024, "state": "submitted", "limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert [i["id"] for i in api["items"]] == [e.evaluation.pk for e in submitted]


@pytest.mark.parametrize("rate", ["40.00", "58.50", "0.00"])
def test_a_low_rate_is_said_as_stored(rate):
    """The reason quotes the 执行率 with its places ("40.00"), never in exponent form ("4E+1")."""
    form = Evaluation(
        execution_rate=Decimal(rate),
        indicator_points=Decimal("90.00"),
        indicator_score=Decimal("90.00"),
        errors=0,
    )
    (reason,) = [r for r in attention.reasons(form) if r.code == "low-execution"]
    assert f"执行率 {rate}% 低于 60%" in reason.message and "E" not in reason.message


@pytest.mark.parametrize(("stored", "said"), [("58.0000", "58.00"), ("40.5550", "40.56")])
def test_a_low_rate_is_said_at_two_places(stored, said):
    """The column keeps four places; the list says 执行率 as a form prints it."""
    form = Evaluation(
        execution_rate=Decimal(stored),
        indicator_points=Decimal("90.00"),
        indicator_score=Decimal("90.00"),
        errors=0,
    )
    (reason,) = [r for r in attention.reasons(form) if r.code == "low-execution"]
    assert f"执行率 {said}% 低于 60%" in reason.message


def test_the_page_and_its_csv_show_amounts_at_two_places(client, made):
    import csv
    import io
    import re

    client.force_login(user("syn-admin"))
    body = client.get("/attention/", {"year": 2024}).content.decode()
    rates = re.findall(r"执行率 ([\d.]+)%", body)
    assert rates and all(re.fullmatch(r"\d+\.\d\d", r) for r in rates)
    amounts = re.findall(r'<td class="num">([\d,]+\.\d+)</td>', body)
    assert amounts and all(re.fullmatch(r"[\d,]+\.\d\d", a) for a in amounts)
    response = client.get("/attention/", {"year": 2024, "format": "csv"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    everyone = listed(user("syn-admin"), 2024)
    assert rows[0][:4] == ["序号", "优先级", "项目编码", "项目名称"]
    assert [r[2] for r in rows[1:]] == [e.evaluation.project.code for e in everyone]
    assert all(re.fullmatch(r"[\d,]+\.\d\d", r[6]) for r in rows[1:] if r[6])
    assert all(re.fullmatch(r"\d+\.\d\d", r[7]) for r in rows[1:] if r[7])
    low = [r for r in rows[1:] if "执行率" in r[9]]
    assert low and all(re.search(r"执行率 \d+\.\d\d% 低于", r[9]) for r in low)


@pytest.mark.parametrize("sort", ["budget", "-budget", "priority", "-priority"])
def test_the_list_sorts_by_a_column_on_the_page_and_in_its_csv(client, made, sort):
    import csv
    import io
    import re
    from decimal import Decimal as D

    client.force_login(user("syn-admin"))
    body = client.get("/attention/", {"year": 2024, "sort": sort, "state": "submitted"}).content
    body = body.decode()
    column = 5 if sort.lstrip("-") == "budget" else 1
    cells = [
        re.findall(r"<td[^>]*>(.*?)</td>", row)[column]
        for row in re.findall(r"<tr><td class=\"num\">\d+</td>.*?</tr>", body)
    ]
    values = [D(c.replace(",", "")) for c in cells if c]
    assert len(values) > 3
    assert values == sorted(values, reverse=sort.startswith("-"))
    # the headings keep the filter; the one sorted by links the other way
    key = sort.lstrip("-")
    other = key if sort.startswith("-") else f"-{key}"
    assert f'href="?year=2024&amp;sort={other}&amp;state=submitted"' in body or (
        f'href="?year=2024&amp;state=submitted&amp;sort={other}"' in body
    )
    text = b"".join(
        client.get(
            "/attention/", {"year": 2024, "sort": sort, "state": "submitted", "format": "csv"}
        ).streaming_content
    ).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    got = [D(r[6].replace(",", "")) if column == 5 else D(r[1]) for r in rows if r[6]]
    assert got == sorted(got, reverse=sort.startswith("-"))
