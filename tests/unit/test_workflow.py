"""The workflow state machine: every (state, action, role) either leads where
the table says or is refused with a message."""

from __future__ import annotations

import pytest

from jixiao.domain.workflow import (
    Action,
    Role,
    State,
    WorkflowError,
    actions_from,
    editable,
    next_state,
)

PATH = [
    (State.DRAFT, Action.SUBMIT, Role.FILLER, State.SUBMITTED),
    (State.SUBMITTED, Action.RETURN, Role.REVIEWER, State.RETURNED),
    (State.RETURNED, Action.SUBMIT, Role.FILLER, State.RESUBMITTED),
    (State.RESUBMITTED, Action.RETURN, Role.REVIEWER, State.RETURNED),
    (State.RESUBMITTED, Action.APPROVE, Role.REVIEWER, State.APPROVED),
    (State.SUBMITTED, Action.APPROVE, Role.REVIEWER, State.APPROVED),
    (State.SUBMITTED, Action.WITHDRAW, Role.FILLER, State.DRAFT),  # 撤回 before any review
    (State.RESUBMITTED, Action.WITHDRAW, Role.FILLER, State.RETURNED),
    (State.DRAFT, Action.DELETE, Role.FILLER, State.DELETED),  # 删除草稿
]


@pytest.mark.parametrize("state, action, role, after", PATH)
def test_allowed_steps(state, action, role, after):
    assert next_state(state, action, role) is after


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_every_other_step_is_refused(state, action, role):
    allowed = {(s, a, r) for s, a, r, _ in PATH}
    if (state, action, role) in allowed:
        return
    with pytest.raises(WorkflowError) as refused:
        next_state(state, action, role)
    assert action.label in str(refused.value)


def test_approved_is_final_and_locked():
    assert all(not actions_from(State.APPROVED, role) for role in Role)
    assert all(not actions_from(State.DELETED, role) for role in Role)  # deleted: final too
    assert not editable(State.APPROVED)


def test_only_forms_with_the_unit_are_editable():
    assert {s for s in State if editable(s)} == {State.DRAFT, State.RETURNED}


def test_refusal_names_state_or_role():
    with pytest.raises(WorkflowError, match="已提交"):
        next_state(State.SUBMITTED, Action.SUBMIT, Role.FILLER)
    with pytest.raises(WorkflowError, match="审核"):
        next_state(State.SUBMITTED, Action.APPROVE, Role.FILLER)
    assert actions_from(State.SUBMITTED, Role.REVIEWER) == [Action.RETURN, Action.APPROVE]


def test_a_withdrawn_form_is_with_the_unit_again():
    assert actions_from(State.SUBMITTED, Role.FILLER) == [Action.WITHDRAW]
    assert actions_from(State.DRAFT, Role.FILLER) == [Action.SUBMIT, Action.DELETE]
    assert editable(next_state(State.SUBMITTED, Action.WITHDRAW, Role.FILLER))
    assert editable(next_state(State.RESUBMITTED, Action.WITHDRAW, Role.FILLER))
    with pytest.raises(WorkflowError, match="撤回"):
        next_state(State.APPROVED, Action.WITHDRAW, Role.FILLER)
