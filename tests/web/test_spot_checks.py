"""抽查: a bureau admin draws a random sample of approved forms; the draw is on the trail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(tree, forms):
    """Five approved 2023 forms of unit 甲一中心 and one draft."""
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    made = []
    for i in range(6):
        project = Project.objects.create(code=f"S-{i}", name=f"抽查项目{i}", unit=tree.unit_a1)
        ev = actions.forms.create(
            user=filler,
            project=project,
            form=replace(forms[0], project=replace(forms[0].project, name=project.name)),
        )
        if i < 5:
            actions.workflow.step(user=filler, pk=ev.pk, action=Action.SUBMIT)
            actions.workflow.step(user=reviewer, pk=ev.pk, action=Action.APPROVE)
        made.append(ev)
    return made


def test_draw_takes_only_approved_forms_and_records_the_draw(tree, approved):
    check = actions.spot_checks.draw(user=tree.users["admin"], year=2023, size=3)
    drawn = list(check.evaluations.all())
    assert len(drawn) == 3 and all(ev.state == "approved" for ev in drawn)
    assert {ev.pk for ev in drawn} <= {ev.pk for ev in approved[:5]}
    events = Event.objects.filter(action="spot_check")
    assert sorted(events.values_list("evaluation_id", flat=True)) == sorted(ev.pk for ev in drawn)
    assert all(e.comment == f"抽查 #{check.pk}" for e in events)
    assert actions.trail.verify()[1] == []


def test_every_approved_form_can_be_drawn(tree, approved):
    seen = set()
    for _ in range(40):  # 40 draws of 1 from 5 miss a given form with chance 0.8**40 < 0.0002
        seen |= {
            ev.pk
            for ev in actions.spot_checks.draw(
                user=tree.users["admin"], year=2023, size=1
            ).evaluations.all()
        }
    assert seen == {ev.pk for ev in approved[:5]}


@pytest.mark.parametrize("size, message", [(6, "只有 5 份"), (0, "至少为 1")])
def test_impossible_sizes_are_refused(tree, approved, size, message):
    with pytest.raises(actions.errors.ServiceError, match=message):
        actions.spot_checks.draw(user=tree.users["admin"], year=2023, size=size)


@pytest.mark.parametrize("user", ["filler_a1", "reviewer_a", "reviewer_bureau"])
def test_only_bureau_admins_draw(tree, approved, user):
    with pytest.raises(actions.errors.Forbidden):
        actions.spot_checks.draw(user=tree.users[user], year=2023, size=1)
    with pytest.raises(actions.errors.Forbidden):
        actions.spot_checks.listed(tree.users[user])


def test_spot_checks_through_the_api(tree, approved, client):
    client.force_login(tree.users["admin"])
    made = client.post(
        "/api/spot-checks", {"year": 2023, "size": 2}, content_type="application/json"
    )
    assert made.status_code == 200 and len(made.json()["evaluations"]) == 2
    listed = client.get("/api/spot-checks").json()
    assert [c["id"] for c in listed] == [made.json()["id"]] and listed[0]["drawn_by"] == "admin"
    client.force_login(tree.users["reviewer_a"])
    assert (
        client.post(
            "/api/spot-checks", {"year": 2023, "size": 1}, content_type="application/json"
        ).status_code
        == 403
    )
