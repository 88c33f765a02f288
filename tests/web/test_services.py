"""The workflow service over the database: permissions by place in the tree,
the state machine, stale saves, locking and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao.contract.json import evaluation_dict
from jixiao.domain.workflow import Action, State
from jixiao.web.evaluations import services
from jixiao.web.evaluations.models import Event, Project

pytestmark = pytest.mark.django_db


def test_create_stores_the_contract_json_and_indexed_figures(draft, forms):
    assert draft.data == evaluation_dict(forms[0])
    assert (draft.year, draft.state, draft.version) == (2023, "draft", 1)
    assert draft.total == forms[0].total and draft.grade == forms[0].grade
    event = Event.objects.get()
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
    assert services.visible(tree.users[user]).filter(pk=draft.pk).exists() is sees
    if not sees:
        with pytest.raises(services.NotFound):
            services.get(tree.users[user], draft.pk)


def test_only_the_units_filler_or_an_admin_creates(tree, project_a1, forms):
    with pytest.raises(services.NotFound):
        services.create(tree.users["filler_a2"], project_a1, forms[0])
    with pytest.raises(services.Forbidden):
        services.create(tree.users["reviewer_a"], project_a1, forms[0])
    services.create(tree.users["admin"], project_a1, forms[0])
    with pytest.raises(services.Conflict, match="已存在"):
        services.create(tree.users["admin"], project_a1, forms[0])


def test_save_records_a_field_level_diff_and_bumps_the_version(tree, draft, forms):
    form = replace(forms[0], total=Decimal("96.00"), grade="优")
    saved = services.save(tree.users["filler_a1"], draft.pk, 1, form)
    assert saved.version == 2 and saved.total == Decimal("96.00")
    event = Event.objects.latest("id")
    assert event.action == "save"
    assert event.diff == [{"path": "total", "old": "97.85", "new": "96.00"}]


def test_saving_no_change_adds_no_event(tree, draft, forms):
    services.save(tree.users["filler_a1"], draft.pk, 1, forms[0])
    assert Event.objects.count() == 1


def test_stale_save_is_refused_and_changes_nothing(tree, draft, forms):
    filler = tree.users["filler_a1"]
    services.save(filler, draft.pk, 1, replace(forms[0], grade="良"))
    with pytest.raises(services.Conflict, match=r"第 1 版.*第 2 版"):
        services.save(filler, draft.pk, 1, replace(forms[0], grade="中"))
    draft.refresh_from_db()
    assert draft.grade == "良" and draft.version == 2


def test_only_the_units_filler_saves(tree, draft, forms):
    with pytest.raises(services.NotFound):
        services.save(tree.users["filler_a2"], draft.pk, 1, forms[0])
    with pytest.raises(services.Forbidden):
        services.save(tree.users["reviewer_a"], draft.pk, 1, forms[0])


def test_whole_path_to_approval_locks_the_form(tree, draft, forms):
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    assert services.step(filler, draft.pk, Action.SUBMIT).state == State.SUBMITTED
    with pytest.raises(services.Conflict, match="已提交"):
        services.save(filler, draft.pk, 2, forms[0])
    with pytest.raises(services.Forbidden):
        services.step(filler, draft.pk, Action.APPROVE)
    with pytest.raises(services.ServiceError, match="意见"):
        services.step(reviewer, draft.pk, Action.RETURN)
    services.step(reviewer, draft.pk, Action.RETURN, comment="执行率需核对")
    services.save(filler, draft.pk, 3, replace(forms[0], improvements="加强预算管理"))
    assert services.step(filler, draft.pk, Action.SUBMIT).state == State.RESUBMITTED
    approved = services.step(reviewer, draft.pk, Action.APPROVE, version=5)
    assert approved.state == State.APPROVED and approved.version == 6
    with pytest.raises(services.Conflict, match="锁定"):
        services.save(filler, draft.pk, 6, forms[0])
    with pytest.raises(services.Conflict):
        services.step(reviewer, draft.pk, Action.RETURN, comment="再看看")
    actions = list(Event.objects.values_list("action", "state_from", "state_to"))
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
    services.step(tree.users["filler_a1"], draft.pk, Action.SUBMIT)
    with pytest.raises(services.NotFound):
        services.step(tree.users["reviewer_b"], draft.pk, Action.APPROVE)
    assert (
        services.step(tree.users["reviewer_bureau"], draft.pk, Action.APPROVE).state
        == State.APPROVED
    )


def test_trail_verifies_and_detects_an_edited_event(tree, draft, forms):
    services.save(
        tree.users["filler_a1"], draft.pk, 1, replace(forms[0], improvements="加强预算管理")
    )
    services.step(tree.users["filler_a1"], draft.pk, Action.SUBMIT)
    count, breaks, head = services.verify_trail()
    assert (count, breaks) == (3, []) and head == Event.objects.latest("id").hash
    Event.objects.filter(action="save").update(diff=[{"path": "grade", "old": "优", "new": "差"}])
    count, breaks, _ = services.verify_trail()
    assert [b.id for b in breaks] == [Event.objects.get(action="save").id]


def test_trail_detects_a_deleted_event(tree, draft, forms):
    services.save(
        tree.users["filler_a1"], draft.pk, 1, replace(forms[0], improvements="加强预算管理")
    )
    services.step(tree.users["filler_a1"], draft.pk, Action.SUBMIT)
    Event.objects.filter(action="save").delete()
    _, breaks, _ = services.verify_trail()
    assert [b.id for b in breaks] == [Event.objects.get(action="submit").id]


def test_user_without_a_place_is_refused(db, draft):
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger", password="x-口令-2026-长")
    with pytest.raises(services.Forbidden, match="尚未分配"):
        services.visible(stranger)
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    "total, indexed", [("97.85", Decimal("97.85")), ("97.855", None), ("1234567", None)]
)
def test_a_total_that_does_not_fit_the_index_is_kept_in_the_form_only(
    tree, draft, forms, total, indexed
):
    saved = services.save(
        tree.users["filler_a1"],
        draft.pk,
        1,
        replace(forms[0], total=Decimal(total), improvements="加强预算管理"),
    )
    saved.refresh_from_db()
    assert saved.total == indexed and saved.data["total"] == total
