"""Through the API: findings at submit (refused, acknowledged, seen by the
reviewer), 复核 scores, approved targets copied and locked, check/score as the
CLI prints them, and downloads through the writers."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pytest
from django.test import Client
from typer.testing import CliRunner

from jixiao import samples
from jixiao.cli import app
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event

pytestmark = pytest.mark.django_db

SLIPS = next(p for p in samples.paths() if p.name == "national-2023-slips.txt")


class As:
    """One account's session, speaking JSON."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    def get(self, path: str):
        return self.client.get(f"/api{path}")

    def send(self, method: str, path: str, body: dict):
        return getattr(self.client, method)(
            f"/api{path}", json.dumps(body), content_type="application/json"
        )


@pytest.fixture
def slips(tree, project_a1, forms):
    """The slips sample: several error-level findings."""
    return actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[1])


def _errors(evaluation) -> list[str]:
    return list(dict.fromkeys(f["key"] for f in evaluation.findings if f["severity"] == "error"))


def test_submit_needs_a_reason_for_every_error_and_keeps_them(tree, slips):
    filler, reviewer = As(tree.users["filler_a1"]), As(tree.users["reviewer_a"])
    url = f"/evaluations/{slips.pk}"
    errors = _errors(slips)
    assert "total-differs@total" in errors and len(errors) >= 4
    refused = filler.send("post", f"{url}/submit", {"acknowledgements": {errors[0]: "已核实"}})
    assert refused.status_code == 409 and f"{len(errors) - 1} 个错误" in refused.json()["detail"]
    assert errors[1] in refused.json()["detail"] and errors[0] not in refused.json()["detail"]
    unknown = filler.send("post", f"{url}/submit", {"acknowledgements": {"no-such@total": "?"}})
    assert unknown.status_code == 400 and "no-such@total" in unknown.json()["detail"]
    blank = {key: " " for key in errors}
    assert filler.send("post", f"{url}/submit", {"acknowledgements": blank}).status_code == 409

    reasons = {key: f"理由{i}" for i, key in enumerate(errors)}
    assert (
        filler.send("post", f"{url}/submit", {"acknowledgements": reasons}).json()["state"]
        == "submitted"
    )
    seen = {
        f["key"]: f["acknowledged"]
        for f in reviewer.get(url).json()["findings"]
        if f["severity"] == "error"
    }
    assert seen == reasons
    submit = Event.objects.get(action="submit")
    assert {c["path"] for c in submit.diff} >= {f"acknowledgements.{key}" for key in errors}

    reviewer.send("post", f"{url}/return", {"comment": "请修改"})
    again = filler.send("post", f"{url}/submit", {})  # the reasons on record still stand
    assert again.json()["state"] == "resubmitted"


def test_review_scores_beside_self_scores(tree, slips):
    filler, reviewer = As(tree.users["filler_a1"]), As(tree.users["reviewer_a"])
    url = f"/evaluations/{slips.pk}"
    scores = {"indicators[0].score": "15.50", "funding.score": "9"}
    assert (
        reviewer.send("put", f"{url}/review", {"scores": scores}).status_code == 409
    )  # still a draft
    reasons = {key: "已核实" for key in _errors(slips)}
    filler.send("post", f"{url}/submit", {"acknowledgements": reasons})
    assert filler.send("put", f"{url}/review", {"scores": scores}).status_code == 403
    points = slips.data["indicators"][0]["points"]
    too_high = reviewer.send("put", f"{url}/review", {"scores": {"indicators[0].score": "999"}})
    assert too_high.status_code == 422 and points in too_high.json()["detail"]
    for path, value in [
        ("indicators[0].points", "1"),
        ("indicators[99].score", "1"),
        ("total", "1"),
        ("funding.score", "abc"),
        ("funding.score", "-1"),
        ("funding.score", "1.234"),
    ]:
        bad = reviewer.send("put", f"{url}/review", {"scores": {path: value}})
        assert bad.status_code == 422 and path in bad.json()["detail"], (path, value)

    saved = reviewer.send("put", f"{url}/review", {"version": 2, "scores": scores}).json()
    assert saved["review_scores"] == scores and saved["version"] == 3
    assert (
        reviewer.send("put", f"{url}/review", {"version": 2, "scores": scores}).status_code == 409
    )  # stale
    cleared = reviewer.send("put", f"{url}/review", {"scores": {"funding.score": None}}).json()
    assert cleared["review_scores"] == {"indicators[0].score": "15.50"}
    trail = [e for e in filler.get(f"{url}/trail").json() if e["action"] == "review_score"]
    assert [e["diff"] for e in trail] == [
        [
            {"path": "review_scores.indicators[0].score", "new": "15.50"},
            {"path": "review_scores.funding.score", "new": "9"},
        ],
        [{"path": "review_scores.funding.score", "old": "9"}],
    ]
    reviewer.send("post", f"{url}/approve", {})
    assert reviewer.send("put", f"{url}/review", {"scores": scores}).status_code == 409  # locked


def _targets(forms) -> dict:
    rows = forms[0].indicators[:2]
    return {
        "indicators": [
            {
                "level1": r.level1,
                "level2": r.level2,
                "name": r.name,
                "target": r.target,
                "points": str(r.points),
            }
            for r in rows
        ]
        + [{"name": "新增指标", "target": "≥1(项)", "points": "5"}]
    }


def test_approved_targets_are_copied_and_locked(tree, project_a1, forms):
    reviewer, filler = As(tree.users["reviewer_a"]), As(tree.users["filler_a1"])
    assert filler.send("put", "/projects/A1-001/targets/2023", _targets(forms)).status_code == 403
    approved = _targets(forms)
    approved["indicators"][0]["target"] = "≥40(台)"
    set_ = reviewer.send("put", "/projects/A1-001/targets/2023", approved)
    assert set_.status_code == 200 and set_.json()["set_by"] == "reviewer_a"
    assert [t["year"] for t in filler.get("/projects/A1-001/targets").json()] == [2023]

    with samples.paths()[0].open("rb") as upload:  # the markdown sample: forms[0]
        made = filler.client.post(
            "/api/projects/A1-001/evaluations", {"file": upload, "confirm": "true"}
        ).json()
    rows = made["form"]["indicators"]
    assert (
        rows[0]["target"] == "≥40(台)" and rows[0]["target_parsed"]["value"] == "40"
    )  # copied from the approval
    assert (
        rows[-1]["name"] == "新增指标" and rows[-1]["points"] == "5" and rows[-1]["score"] is None
    )
    assert len(rows) == len(forms[0].indicators) + 1
    assert [t["name"] for t in made["targets"]][-1] == "新增指标"
    assert not [f for f in made["findings"] if f["code"] == "target-changed"]

    url, form = f"/evaluations/{made['id']}", made["form"]
    changed = dict(form, indicators=[dict(rows[0], target="≥30(台)"), *rows[1:]])
    refused = filler.send("put", url, {"version": 1, "form": changed})
    assert refused.status_code == 422 and rows[0]["name"] in refused.json()["detail"]
    saved = filler.send(
        "put", url, {"version": 1, "form": changed, "target_reasons": {rows[0]["name"]: "预算调减"}}
    ).json()
    warning = [f for f in saved["findings"] if f["code"] == "target-changed"]
    assert [(w["severity"], w["field"], w["expected"], w["printed"]) for w in warning] == [
        ("warning", "indicators[0].target", "≥40(台)", "≥30(台)")
    ]
    assert "预算调减" in warning[0]["message"] and saved["target_reasons"] == {
        rows[0]["name"]: "预算调减"
    }
    diff = Event.objects.get(action="save").diff
    assert {"path": f"target_reasons.{rows[0]['name']}", "new": "预算调减"} in diff

    dropped = dict(
        changed, indicators=[changed["indicators"][0], *rows[2:]]
    )  # dropping an approved row too
    refused = filler.send("put", url, {"version": 2, "form": dropped})
    assert refused.status_code == 422 and rows[1]["name"] in refused.json()["detail"]
    back = filler.send(
        "put", url, {"version": 2, "form": form}
    ).json()  # back as approved: no reason left
    assert back["target_reasons"] == {} and not [
        f for f in back["findings"] if f["code"] == "target-changed"
    ]


def test_targets_are_checked_and_follow_the_tree(tree, project_a1):
    reviewer = As(tree.users["reviewer_a"])
    for body in (
        {"indicators": []},
        {"indicators": [{"name": " "}]},
        {"indicators": [{"name": "甲", "points": "101"}]},
        {"indicators": [{"name": "甲"}, {"name": "甲"}]},
    ):
        assert reviewer.send("put", "/projects/A1-001/targets/2023", body).status_code == 422, body
    assert (
        reviewer.send(
            "put", "/projects/A1-001/targets/1900", {"indicators": [{"name": "甲"}]}
        ).status_code
        == 422
    )
    other = As(tree.users["reviewer_b"])
    assert (
        other.send(
            "put", "/projects/A1-001/targets/2023", {"indicators": [{"name": "甲"}]}
        ).status_code
        == 404
    )
    assert other.get("/projects/A1-001/targets").status_code == 404


def test_check_and_score_answer_what_the_cli_prints(tree, slips):
    viewer = As(tree.users["reviewer_bureau"])
    cli = {
        cmd: json.loads(CliRunner().invoke(app, [cmd, str(SLIPS), "--json"]).stdout)[0]
        for cmd in ("check", "score")
    }
    checked = viewer.get(f"/evaluations/{slips.pk}/check").json()
    scored = viewer.get(f"/evaluations/{slips.pk}/score").json()
    assert checked["findings"] == cli["check"]["findings"] and len(checked["findings"]) > 5
    assert scored["figures"] == cli["score"]["figures"]
    assert {k for k in checked if k != "findings"} == {k for k in cli["check"] if k != "findings"}
    assert As(tree.users["filler_b1"]).get(f"/evaluations/{slips.pk}/check").status_code == 404


@pytest.mark.parametrize(
    "fmt, magic",
    [("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF"), ("json", b"{"), ("csv", None)],
)
def test_export_downloads_the_official_form(tree, draft, fmt, magic):
    answer = As(tree.users["filler_a1"]).get(f"/evaluations/{draft.pk}/export?format={fmt}")
    assert answer.status_code == 200
    disposition = answer["Content-Disposition"]
    assert disposition.startswith(
        f"attachment; filename=\"evaluation-{draft.pk}.{fmt}\"; filename*=UTF-8''"
    )
    assert (
        disposition.endswith(f".{fmt}") and "%E7%A4%BA%E4%BE%8B" in disposition
    )  # 示例…: the project name
    body = answer.content
    if magic:
        assert body.startswith(magic)
    if fmt == "xlsx":
        assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    if fmt == "json":
        assert json.loads(body)["total"] == draft.data["total"]


def test_export_refuses_an_unknown_format(tree, draft):
    assert (
        As(tree.users["filler_a1"]).get(f"/evaluations/{draft.pk}/export?format=exe").status_code
        == 422
    )


def test_findings_are_stored_on_create_and_save(tree, draft, forms):
    assert draft.findings and {f["key"] for f in draft.findings} >= {"rounding-modes@funding"}
    saved = actions.forms.save(
        user=tree.users["filler_a1"], pk=draft.pk, version=1, form=replace(forms[0], grade="良")
    )
    assert "grade-differs@grade" in {f["key"] for f in saved.findings}


def test_a_nul_character_is_refused_not_a_server_error(tree, slips):
    """PostgreSQL keeps no NUL in text or jsonb: found by schemathesis on PostgreSQL."""
    reviewer, filler = As(tree.users["reviewer_a"]), As(tree.users["filler_a1"])
    url = f"/evaluations/{slips.pk}"
    refused = [
        reviewer.send("put", "/projects/A1-001/targets/2023", {"indicators": [{"name": "甲\x00"}]}),
        filler.send("post", "/projects", {"code": "X\x00", "name": "乙", "unit": tree.unit_a1.pk}),
        filler.send(
            "put", url, {"version": 1, "form": dict(slips.data, goals={"expected": "目标\x00"})}
        ),
        filler.send(
            "post", f"{url}/submit", {"acknowledgements": {"total-differs@total": "核\x00实"}}
        ),
    ]
    assert [r.status_code for r in refused] == [422] * 4
    assert (
        all("NUL" in r.json()["detail"] for r in refused)
        and "indicators[0].name" in refused[0].json()["detail"]
    )
    assert Event.objects.filter(evaluation=slips).count() == 1
