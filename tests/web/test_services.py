"""The workflow service over the database: permissions by place in the tree,
the state machine, stale saves, locking and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao.contract.json import evaluation_dict
from jixiao.domain.workflow import Action, State
from jixiao.web.evaluations import actions as acts
from jixiao.web.evaluations.models import Event, Project

pytestmark = pytest.mark.django_db


def test_create_stores_the_contract_json_and_indexed_figures(draft, forms):
    assert draft.data == evaluation_dict(forms[0])
    assert (draft.year, draft.state, draft.version) == (2023, "draft", 1)
    assert draft.total == forms[0].total and draft.grade == forms[0].grade
    event = Event.objects.filter(evaluation__isnull=False).get()
    assert event.action == "create" and event.actor_name == "filler_a1"
    assert {"path": "total", "new": "97.85"} in event.diff


@pytest.mark.parametrize(
    "user, sees",
    [
        ("filler_a1", True),
        ("filler_a2", False),
        ("filler_b1", False),
        ("reviewer_a", True),
        ("reviewer_b", False),
        ("reviewer_bureau", True),
        ("admin", True),
    ],
)
def test_who_sees_a_unit_form(tree, draft, user, sees):
    assert acts.access.visible(tree.users[user]).filter(pk=draft.pk).exists() is sees
    if not sees:
        with pytest.raises(acts.errors.NotFound):
            acts.access.get(tree.users[user], draft.pk)


def test_only_the_units_filler_or_an_admin_creates(tree, project_a1, forms):
    with pytest.raises(acts.errors.NotFound):
        acts.forms.create(user=tree.users["filler_a2"], project=project_a1, form=forms[0])
    with pytest.raises(acts.errors.Forbidden):
        acts.forms.create(user=tree.users["reviewer_a"], project=project_a1, form=forms[0])
    acts.forms.create(user=tree.users["admin"], project=project_a1, form=forms[0])
    with pytest.raises(acts.errors.Conflict, match="已存在"):
        acts.forms.create(user=tree.users["admin"], project=project_a1, form=forms[0])


def test_save_records_a_field_level_diff_and_bumps_the_version(tree, draft, forms):
    form = replace(forms[0], total=Decimal("96.00"), grade="优")
    saved = acts.forms.save(user=tree.users["filler_a1"], pk=draft.pk, version=1, form=form)
    assert saved.version == 2 and saved.total == Decimal("96.00")
    event = Event.objects.filter(evaluation__isnull=False).latest("id")
    assert event.action == "save"
    assert event.diff == [{"path": "total", "old": "97.85", "new": "96.00"}]


def test_saving_no_change_adds_no_event(tree, draft, forms):
    acts.forms.save(user=tree.users["filler_a1"], pk=draft.pk, version=1, form=forms[0])
    assert Event.objects.filter(evaluation__isnull=False).count() == 1


def test_stale_save_is_refused_and_changes_nothing(tree, draft, forms):
    filler = tree.users["filler_a1"]
    acts.forms.save(user=filler, pk=draft.pk, version=1, form=replace(forms[0], grade="良"))
    with pytest.raises(acts.errors.Conflict, match=r"第 1 版.*第 2 版"):
        acts.forms.save(user=filler, pk=draft.pk, version=1, form=replace(forms[0], grade="中"))
    draft.refresh_from_db()
    assert draft.grade == "良" and draft.version == 2


def test_only_the_units_filler_saves(tree, draft, forms):
    with pytest.raises(acts.errors.NotFound):
        acts.forms.save(user=tree.users["filler_a2"], pk=draft.pk, version=1, form=forms[0])
    with pytest.raises(acts.errors.Forbidden):
        acts.forms.save(user=tree.users["reviewer_a"], pk=draft.pk, version=1, form=forms[0])


def test_whole_path_to_approval_locks_the_form(tree, draft, forms):
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    assert (
        acts.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT).state == State.SUBMITTED
    )
    with pytest.raises(acts.errors.Conflict, match="已提交"):
        acts.forms.save(user=filler, pk=draft.pk, version=2, form=forms[0])
    with pytest.raises(acts.errors.Forbidden):
        acts.workflow.step(user=filler, pk=draft.pk, action=Action.APPROVE)
    with pytest.raises(acts.errors.ServiceError, match="意见"):
        acts.workflow.step(user=reviewer, pk=draft.pk, action=Action.RETURN)
    acts.workflow.step(user=reviewer, pk=draft.pk, action=Action.RETURN, comment="执行率需核对")
    acts.forms.save(
        user=filler, pk=draft.pk, version=3, form=replace(forms[0], improvements="加强预算管理")
    )
    assert (
        acts.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT).state
        == State.RESUBMITTED
    )
    approved = acts.workflow.step(user=reviewer, pk=draft.pk, action=Action.APPROVE, version=5)
    assert approved.state == State.APPROVED and approved.version == 6
    with pytest.raises(acts.errors.Conflict, match="锁定"):
        acts.forms.save(user=filler, pk=draft.pk, version=6, form=forms[0])
    with pytest.raises(acts.errors.Conflict):
        acts.workflow.step(user=reviewer, pk=draft.pk, action=Action.RETURN, comment="再看看")
    actions = list(
        Event.objects.filter(evaluation__isnull=False).values_list(
            "action", "state_from", "state_to"
        )
    )
    assert actions == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("save", "returned", "returned"),
        ("submit", "returned", "resubmitted"),
        ("approve", "resubmitted", "approved"),
    ]
    assert Event.objects.get(action="return").comment == "执行率需核对"


def test_another_departments_reviewer_cannot_act(tree, draft):
    acts.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.SUBMIT)
    with pytest.raises(acts.errors.NotFound):
        acts.workflow.step(user=tree.users["reviewer_b"], pk=draft.pk, action=Action.APPROVE)
    assert (
        acts.workflow.step(
            user=tree.users["reviewer_bureau"], pk=draft.pk, action=Action.APPROVE
        ).state
        == State.APPROVED
    )


def test_trail_verifies_and_detects_an_edited_event(tree, draft, forms):
    acts.forms.save(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        version=1,
        form=replace(forms[0], improvements="加强预算管理"),
    )
    acts.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.SUBMIT)
    count, breaks, head = acts.trail.verify()
    assert (count - Event.objects.filter(evaluation=None).count(), breaks) == (
        3,
        [],
    ) and head == Event.objects.latest("id").hash
    Event.objects.filter(action="save").update(diff=[{"path": "grade", "old": "优", "new": "差"}])
    count, breaks, _ = acts.trail.verify()
    assert [b.id for b in breaks] == [Event.objects.get(action="save").id]


def test_trail_detects_a_deleted_event(tree, draft, forms):
    acts.forms.save(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        version=1,
        form=replace(forms[0], improvements="加强预算管理"),
    )
    acts.workflow.step(user=tree.users["filler_a1"], pk=draft.pk, action=Action.SUBMIT)
    Event.objects.filter(action="save").delete()
    _, breaks, _ = acts.trail.verify()
    assert [b.id for b in breaks] == [Event.objects.get(action="submit").id]


def test_user_without_a_place_is_refused(db, draft):
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger", password="x-口令-2026-长")
    with pytest.raises(acts.errors.Forbidden, match="尚未分配"):
        acts.access.visible(stranger)
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    "total, indexed", [("97.85", Decimal("97.85")), ("97.855", None), ("1234567", None)]
)
def test_a_total_that_does_not_fit_the_index_is_kept_in_the_form_only(
    tree, draft, forms, total, indexed
):
    saved = acts.forms.save(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        version=1,
        form=replace(forms[0], total=Decimal(total), improvements="加强预算管理"),
    )
    saved.refresh_from_db()
    assert saved.total == indexed and saved.data["total"] == total
