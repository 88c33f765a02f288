"""Two review levels (#23 item 6): the 主管部门 approves to 部门已审核, the 财政局 re-checks
and approves, a return goes back one level; one level is the workflow as before."""

from __future__ import annotations

import pytest

from jixiao.domain.workflow import (
    Action,
    Role,
    State,
    WorkflowError,
    actions_from,
    next_state,
    transitions,
)

R = Role.REVIEWER

TWO_LEVELS = [  # (state, action, level) → state
    (State.SUBMITTED, Action.APPROVE, 1, State.CHECKED),
    (State.RESUBMITTED, Action.APPROVE, 1, State.CHECKED),
    (State.SUBMITTED, Action.RETURN, 1, State.RETURNED),
    (State.CHECKED, Action.APPROVE, 2, State.APPROVED),
    (State.CHECKED, Action.RETURN, 2, State.SUBMITTED),  # back to the department
]


@pytest.mark.parametrize("state, action, level, after", TWO_LEVELS)
def test_two_level_steps(state, action, level, after):
    assert next_state(state, action, R, levels=2, level=level) is after


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN])
@pytest.mark.parametrize("level", [1, 2])
def test_every_other_review_step_of_two_levels_is_refused(state, action, level):
    if (state, action, level) in {(s, a, lv) for s, a, lv, _ in TWO_LEVELS}:
        return
    if level == 1 and (state, action) == (State.RESUBMITTED, Action.RETURN):
        assert next_state(state, action, R, levels=2, level=1) is State.RETURNED
        return
    with pytest.raises(WorkflowError):
        next_state(state, action, R, levels=2, level=level)


def test_the_department_cannot_finish_and_the_bureau_cannot_skip_it():
    assert actions_from(State.CHECKED, R, levels=2, level=1) == []
    assert actions_from(State.SUBMITTED, R, levels=2, level=2) == []
    assert actions_from(State.CHECKED, R, levels=2, level=2) == [Action.APPROVE, Action.RETURN]
    assert actions_from(State.CHECKED, Role.FILLER, levels=2, level=1) == []  # no 撤回 now


def test_one_level_is_unchanged_and_levels_are_checked():
    assert transitions(1, 2) == transitions(1, 1)
    assert next_state(State.SUBMITTED, Action.APPROVE, R, levels=1, level=2) is State.APPROVED
    with pytest.raises(WorkflowError, match="层级"):
        transitions(3, 1)
    assert State.CHECKED.label.startswith("部门已审核")
