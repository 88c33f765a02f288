"""The year's pages (#23 items 3–8): 待办 per role, 催报 by hand (in-app and by mail), bulk
review, 抽查 with its seed on the trail (the draw derived again) and 复核 with the gap, the
results ledger and its exports."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project, SpotCheck
from jixiao.web.year import actions as year
from jixiao.web.year.models import LedgerEntry, Notice

pytestmark = pytest.mark.django_db


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def made(tree, forms, n: int, unit=None, prefix="P", form=None) -> list[Evaluation]:
    unit = unit or tree.unit_a1
    filler = {tree.unit_a1.pk: "filler_a1", tree.unit_a2.pk: "filler_a2"}.get(unit.pk, "filler_b1")
    base = form or forms[0]
    rows = []
    for i in range(n):
        project = Project.objects.create(
            code=f"{prefix}-{i:03d}", name=f"项目{prefix}{i}", unit=unit
        )
        rows.append(
            actions.forms.create(
                user=tree.users[filler],
                project=project,
                form=replace(base, project=replace(base.project, name=project.name)),
            )
        )
    return rows


def submit(tree, ev, who="filler_a1"):
    acks = {f["key"]: "已说明" for f in ev.findings if f["severity"] == "error"}
    return actions.workflow.step(
        user=tree.users[who], pk=ev.pk, action=Action.SUBMIT, acknowledgements=acks
    )


def issue(tree, year_=2023, days=5, **kw):
    deadline = (timezone.now() + timedelta(days=days)).astimezone(year.SHANGHAI)
    return year.issue(
        user=tree.users["admin"],
        year=year_,
        template="national-2020",
        deadline=deadline.replace(tzinfo=None),
        **kw,
    )


def test_todo_per_role(tree, forms):
    rows = made(tree, forms, 3)
    issue(tree)
    submit(tree, rows[1])
    submit(tree, rows[2])
    actions.workflow.step(
        user=tree.users["reviewer_a"], pk=rows[2].pk, action=Action.RETURN, comment="补充佐证"
    )
    page = signed_in(tree, "filler_a1").get("/todo/").content.decode()
    fill, returned = page.split("已退回待修改")
    assert "P-000" in fill and "P-001" not in page and "剩 5 天" in page
    assert "P-002" in returned
    assert "P-000" not in signed_in(tree, "filler_b1").get("/todo/").content.decode()
    # the reviewer's queue with days waiting: the submit three days ago
    Event.objects.filter(evaluation=rows[1], action="submit").update(
        at=timezone.now() - timedelta(days=3)
    )
    queue = signed_in(tree, "reviewer_a").get("/todo/").content.decode()
    assert "P-001" in queue and '<td class="num">3</td>' in queue
    assert "P-001" not in signed_in(tree, "reviewer_b").get("/todo/").content.decode()
    progress = signed_in(tree, "admin").get("/todo/").content.decode()
    assert "2023 年度绩效自评" in progress
    # the bureau's progress: 3 projects, 1 draft, 1 returned, 1 submitted
    assert '<td class="num">3</td><td class="num">0</td><td class="num">1</td>' in progress


def test_a_reminder_by_hand_reaches_the_late_unit_in_app_and_by_mail(tree, forms):
    tree.users["filler_a1"].email = "a1@example.cn"
    tree.users["filler_a1"].save()
    made(tree, forms, 2)
    made(tree, forms, 1, unit=tree.unit_a2, prefix="Q")
    task = issue(tree).task
    admin = signed_in(tree, "admin")
    page = admin.get(f"/year/tasks/{task.pk}/late/").content.decode()
    assert "甲一中心" in page and "甲二所" in page and "P-000（草稿）" in page
    answer = admin.post(
        f"/year/tasks/{task.pk}/late/", {"unit": [tree.unit_a1.pk], "text": ""}
    ).content.decode()
    assert "已催报 1 个单位" in answer and "发送邮件 1 封" in answer
    notice = Notice.objects.get()
    assert notice.organisation == tree.unit_a1 and notice.kind == "manual" and notice.emailed == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a1@example.cn"]
    assert "P-001" in mail.outbox[0].body and "截止时间" in mail.outbox[0].body
    assert Event.objects.filter(subject=f"notice#{notice.pk}", action="remind").exists()
    assert "P-001" in signed_in(tree, "filler_a1").get("/todo/").content.decode().split("通知")[1]
    assert (
        "催报"
        not in signed_in(tree, "filler_a2")
        .get("/todo/")
        .content.decode()
        .split("<main")[1]
        .split("自评任务")[0]
    )
    # another department's reviewer cannot remind 甲局's units; a filler may not remind
    other = signed_in(tree, "reviewer_b").post(
        f"/year/tasks/{task.pk}/late/", {"unit": [tree.unit_a1.pk]}
    )
    assert other.status_code == 404
    assert signed_in(tree, "filler_a1").get(f"/year/tasks/{task.pk}/late/").status_code == 403
    assert Notice.objects.count() == 1 and actions.trail.check().intact


def test_fifty_forms_approved_at_once_each_its_own_step(tree, forms):
    rows = [submit(tree, ev) for ev in made(tree, forms, 50)]
    reviewer = signed_in(tree, "reviewer_a")
    page = reviewer.get("/year/review/?all=1").content.decode()
    assert page.count('name="pk"') == 50 and page.count("checked") == 50
    answer = reviewer.post(
        "/year/review/", {"pk": [ev.pk for ev in rows], "decision": "approve", "comment": "同意"}
    )
    assert "已办理 50 份" in answer.content.decode()
    assert Evaluation.objects.filter(state="approved").count() == 50
    events = Event.objects.filter(action="approve")
    assert events.count() == 50 and set(events.values_list("comment", flat=True)) == {"同意"}
    assert len(set(events.values_list("evaluation_id", flat=True))) == 50
    assert actions.trail.check().intact


def test_a_bulk_return_needs_its_comment_and_one_refusal_does_not_stop_the_rest(tree, forms):
    rows = [submit(tree, ev) for ev in made(tree, forms, 3)]
    reviewer = signed_in(tree, "reviewer_a")
    answer = reviewer.post("/year/review/", {"pk": [r.pk for r in rows], "decision": "return"})
    assert (
        "已办理 0 份" in answer.content.decode() and "退回时请填写意见" in answer.content.decode()
    )
    actions.workflow.step(user=tree.users["filler_a1"], pk=rows[0].pk, action=Action.WITHDRAW)
    answer = reviewer.post(
        "/year/review/", {"pk": [r.pk for r in rows], "decision": "return", "comment": "补材料"}
    ).content.decode()
    assert "已办理 2 份" in answer and f"自评表 {rows[0].pk}：" in answer
    assert Evaluation.objects.filter(state="returned").count() == 2
    assert signed_in(tree, "filler_a1").get("/year/review/").status_code == 403


def test_a_spot_check_draws_by_strata_with_high_risk_forms_in_and_can_be_derived_again(tree, forms):
    clean = made(tree, forms, 8) + made(tree, forms, 4, unit=tree.unit_b1, prefix="B")
    risky = made(tree, forms, 1, prefix="R", form=forms[1])  # error findings: high-risk
    for ev in clean + risky:
        who = "filler_b1" if ev.project.unit_id == tree.unit_b1.pk else "filler_a1"
        reviewer = "reviewer_b" if who == "filler_b1" else "reviewer_a"
        submit(tree, ev, who)
        actions.workflow.step(user=tree.users[reviewer], pk=ev.pk, action=Action.APPROVE)
    admin = signed_in(tree, "admin")
    answer = admin.post(
        "/year/spot-checks/", {"year": 2023, "rate": "25", "strata": "department", "high_risk": "1"}
    )
    assert "抽中" in answer.content.decode()
    check = SpotCheck.objects.get()
    drawn = sorted(check.evaluations.values_list("pk", flat=True))
    assert risky[0].pk in drawn and check.forced == [risky[0].pk]
    # 甲局: 9 forms → ⌈2.25⌉ = 3 (the risky one among them); 乙局: 4 → 1
    assert len(drawn) == 4 and len(check.seed) == 32
    # derived again from what the trail recorded
    event = Event.objects.get(subject=f"spotcheck#{check.pk}", action="sample_draw")
    recorded = {d["path"]: d["new"] for d in event.diff}
    split = actions.spot_checks.strata_of(actions.spot_checks.population(2023), recorded["strata"])
    assert actions.spot_checks.digest(split) == recorded["population"]
    again = actions.spot_checks.pick(
        recorded["seed"], split, recorded["forced"], Decimal(recorded["rate"])
    )
    assert again == drawn == recorded["drawn"]
    assert actions.trail.check().intact
    # the seed cannot be chosen: a seed field sent is ignored
    admin.post("/year/spot-checks/", {"year": 2023, "rate": "25", "seed": "0" * 32})
    assert SpotCheck.objects.exclude(seed="0" * 32).count() == 2
    # a reviewer 复核s a sampled (approved) form; the gap shows
    target = next(
        pk
        for pk in drawn
        if pk != risky[0].pk and Evaluation.objects.get(pk=pk).project.unit_id == tree.unit_a1.pk
    )
    ev = Evaluation.objects.get(pk=target)
    reviewer = signed_in(tree, "reviewer_a")
    page = reviewer.get(f"/year/recheck/{target}/")
    assert page.status_code == 200
    scores = {"version": ev.version, "score:funding.score": "5"}
    assert reviewer.post(f"/year/recheck/{target}/", scores).status_code == 302
    ev.refresh_from_db()
    assert ev.review_scores == {"funding.score": "5"} and ev.state == "approved"
    listed = reviewer.get("/year/spot-checks/").content.decode()
    assert f"/year/recheck/{target}/" in listed and 'class="num gap">' in listed
    from jixiao.web.year import selectors

    gap = selectors.review_gaps(Evaluation.objects.filter(pk=target)).get()
    assert gap.review_gap == gap.self_total - ev.review_total and gap.review_gap > 0
    # an approved form no draw took stays locked
    in_a_draw = set(SpotCheck.evaluations.through.objects.values_list("evaluation_id", flat=True))
    unsampled = next(
        e for e in clean if e.pk not in in_a_draw and e.project.unit_id == tree.unit_a1.pk
    )
    with pytest.raises(actions.errors.Conflict):
        actions.review.set_scores(
            user=tree.users["reviewer_a"],
            pk=unsampled.pk,
            version=None,
            scores={"funding.score": "1"},
        )
    assert (
        signed_in(tree, "reviewer_a")
        .post("/year/spot-checks/", {"year": 2023, "rate": "10"})
        .status_code
        == 403
    )


def test_the_results_ledger_and_its_exports(tree, forms):
    rows = made(tree, forms, 2)
    admin = signed_in(tree, "admin")
    rules = {"year": 2023, "what": "rules"}
    for g, (act, share) in {
        "优": ("keep", ""),
        "良": ("cut", "10"),
        "中": ("cut", "20"),
        "差": ("stop", ""),
    }.items():
        rules |= {f"action:{g}": act, f"share:{g}": share}
    assert admin.post("/year/ledger/", rules).status_code == 302
    assert (
        admin.post(
            "/year/ledger/", {"year": 2023, "form": rows[0].pk, "done": "2024 年预算保持"}
        ).status_code
        == 302
    )
    page = admin.get("/year/ledger/?year=2023").content.decode()
    grade = rows[0].scale
    assert grade == "优" and "保持" in page and "2024 年预算保持" in page
    assert LedgerEntry.objects.get().done == "2024 年预算保持"
    assert Event.objects.filter(action="ledger_done").count() == 1
    assert Event.objects.filter(action="ledger_policy").count() == 1
    text = admin.get("/year/ledger/export/csv/?year=2023").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert (
        table[0][8] == "下年预算建议"
        and table[1][2] == "P-000"
        and table[1][-1] == "2024 年预算保持"
    )
    budget = Evaluation.objects.get(pk=rows[0].pk).budget_wan
    assert Decimal(table[1][9]) == budget  # 优 kept
    book = load_workbook(io.BytesIO(admin.get("/year/ledger/export/xlsx/?year=2023").content))
    assert book.active["C2"].value == "P-000" and book.active["I2"].value == "保持"
    # a unit sees its own ledger, sets nothing
    filler = signed_in(tree, "filler_a1")
    assert "P-000" in filler.get("/year/ledger/?year=2023").content.decode()
    assert filler.post("/year/ledger/", rules).status_code == 403
    assert (
        "P-000" not in signed_in(tree, "filler_b1").get("/year/ledger/?year=2023").content.decode()
    )
    bad = rules | {"share:良": "120"}
    assert admin.post("/year/ledger/", bad).status_code == 422


@pytest.fixture
def chinese_after():
    """The thread's language back to Chinese after a test that asked for English."""
    from django.utils import translation

    yield
    translation.activate("zh-hans")


def test_the_pages_in_english(tree, forms, chinese_after):
    made(tree, forms, 1)
    issue(tree)
    client = signed_in(tree, "filler_a1")
    client.post("/i18n/setlang/", {"language": "en", "next": "/todo/"})
    page = client.get("/todo/").content.decode()
    assert "To fill in" in page and "5 days left" in page and "待填报" not in page
    admin = signed_in(tree, "admin")
    admin.post("/i18n/setlang/", {"language": "en", "next": "/year/tasks/"})
    tasks = admin.get("/year/tasks/").content.decode()
    assert "Issue a self-evaluation task" in tasks and "Two review levels" in tasks
    ledger = admin.get("/year/ledger/?year=2023").content.decode()
    assert "Results ledger" in ledger and "Proposal for next year" in ledger


@pytest.mark.parametrize(
    "name",
    ["filler_a1", "filler_b1", "reviewer_a", "reviewer_b", "reviewer_bureau", "admin"],
)
def test_the_api_reviews_many_forms_as_the_pages_do(tree, forms, name):
    rows = [submit(tree, ev) for ev in made(tree, forms, 3)]
    client = signed_in(tree, name)
    body = {"evaluations": [r.pk for r in rows], "action": "approve", "comment": "同意"}
    answer = client.post("/api/reviews/bulk", body, content_type="application/json")
    approved = Evaluation.objects.filter(state="approved").count()
    if name in ("reviewer_a", "reviewer_bureau"):
        assert answer.status_code == 200 and answer.json()["done"] == [r.pk for r in rows]
        assert approved == 3
    elif name == "reviewer_b":  # sees none of them: each refused as not found, none approved
        assert answer.status_code == 200 and answer.json()["done"] == []
        assert [r["id"] for r in answer.json()["refused"]] == [r.pk for r in rows]
        assert all("不存在或无权查看" in r["reason"] for r in answer.json()["refused"])
        assert approved == 0
    else:
        assert answer.status_code == 403 and approved == 0


def test_the_api_draws_by_rate_with_the_seed_in_the_answer(tree, forms):
    for ev in made(tree, forms, 10):
        submit(tree, ev)
        actions.workflow.step(user=tree.users["reviewer_a"], pk=ev.pk, action=Action.APPROVE)
    client = signed_in(tree, "admin")
    answer = client.post(
        "/api/spot-checks",
        {"year": 2023, "rate": "30", "strata": "amount"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    got = answer.json()
    assert got["size"] == 3 and len(got["seed"]) == 32 and got["strata"] == "amount"
    assert got["rate"] == "0.3"
    old = client.post(
        "/api/spot-checks", {"year": 2023, "size": 2}, content_type="application/json"
    )
    assert old.status_code == 200 and len(old.json()["evaluations"]) == 2 and old.json()["seed"]
    assert actions.trail.check().intact
