"""The review workflow of a self-evaluation (自评表审核流程), as a pure state machine.

draft 草稿 → submitted 已提交 → returned 已退回 → resubmitted 已重新提交 → approved 已通过;
a submission not yet reviewed may be withdrawn (撤回) by the unit: 已提交 → 草稿,
已重新提交 → 已退回; a draft may be deleted (删除): 草稿 → 已删除, kept with its trail.
A form can be edited only while it is with the unit (草稿, 已退回); once approved it
is locked (锁定).

Two review levels (where the year's task asks for it, ``levels=2``): the 主管部门's reviewer
(level 1) approves a submission to 部门已审核 (checked), then the 财政局's reviewer (level 2)
re-checks and approves it (已通过) or returns it one level, to the department (已提交 again);
the department's return still goes to the unit. With one level the department or the bureau
approves at once, as before. Who may take a step is said by the role (填报 / 审核 / 管理);
*where* (which unit, which department) is the web layer's permission check.
"""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    """An evaluation's place in the workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    CHECKED = "checked"  # two levels: approved by the 主管部门, waiting for the 财政局's re-check
    DELETED = "deleted"  # a draft the unit deleted: kept with its trail, shown nowhere

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "已提交",
    State.RETURNED: "已退回",
    State.RESUBMITTED: "已重新提交",
    State.APPROVED: "已通过（锁定）",
    State.CHECKED: "部门已审核（待财政局复审）",
    State.DELETED: "已删除",
}


class Role(str, Enum):
    """A user's role at their node of the organisation tree."""

    FILLER = "filler"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {Role.FILLER: "填报", Role.REVIEWER: "审核", Role.ADMIN: "管理"}[self]


class Action(str, Enum):
    """A workflow step a person takes."""

    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return {
            Action.SUBMIT: "提交",
            Action.RETURN: "退回",
            Action.APPROVE: "通过",
            Action.WITHDRAW: "撤回",
            Action.DELETE: "删除",
        }[self]


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.RETURNED, Action.SUBMIT): State.RESUBMITTED,
    (State.SUBMITTED, Action.RETURN): State.RETURNED,
    (State.RESUBMITTED, Action.RETURN): State.RETURNED,
    (State.SUBMITTED, Action.APPROVE): State.APPROVED,
    (State.RESUBMITTED, Action.APPROVE): State.APPROVED,
    # 撤回: the unit takes back a submission no reviewer has decided on yet
    (State.SUBMITTED, Action.WITHDRAW): State.DRAFT,
    (State.RESUBMITTED, Action.WITHDRAW): State.RETURNED,
    # 删除: a draft the unit no longer wants (a wrong upload); its row and trail stay
    (State.DRAFT, Action.DELETE): State.DELETED,
}

LEVEL_ONE = {  # two levels: the department's approval is not the last
    (State.SUBMITTED, Action.APPROVE): State.CHECKED,
    (State.RESUBMITTED, Action.APPROVE): State.CHECKED,
}
LEVEL_TWO = {  # two levels: the bureau's re-check of what the department approved
    (State.CHECKED, Action.APPROVE): State.APPROVED,
    (State.CHECKED, Action.RETURN): State.SUBMITTED,  # back one level: to the department
}

EDITABLE = frozenset({State.DRAFT, State.RETURNED})
"""States in which the unit may change the form's contents."""

ACTORS: dict[Action, frozenset[Role]] = {
    Action.SUBMIT: frozenset({Role.FILLER}),
    Action.RETURN: frozenset({Role.REVIEWER}),
    Action.APPROVE: frozenset({Role.REVIEWER}),
    Action.WITHDRAW: frozenset({Role.FILLER}),
    Action.DELETE: frozenset({Role.FILLER}),
}


class WorkflowError(Exception):
    """A step the workflow does not allow; the message is for the user (Chinese)."""


def transitions(levels: int = 1, level: int = 1) -> dict[tuple[State, Action], State]:
    """The steps open to whoever acts at review ``level`` (1 the 主管部门, 2 the 财政局) when
    the form has ``levels`` review levels; the unit's steps are the same at every level."""
    if levels not in (1, 2) or level not in (1, 2):
        raise WorkflowError(f"审核层级只能是 1 或 2：{levels}/{level}")
    if levels == 1:
        return TRANSITIONS
    steps = dict(TRANSITIONS)
    if level == 1:
        steps.update(LEVEL_ONE)
    else:  # the bureau re-checks what the department approved, and nothing before it
        for key in LEVEL_ONE:
            steps.pop(key)
        for key in [(State.SUBMITTED, Action.RETURN), (State.RESUBMITTED, Action.RETURN)]:
            steps.pop(key)
        steps.update(LEVEL_TWO)
    return steps


def next_state(
    state: State, action: Action, role: Role, *, levels: int = 1, level: int = 1
) -> State:
    """The state after ``action``, or :class:`WorkflowError` saying why not."""
    if role not in ACTORS[action]:
        allowed = "、".join(r.label for r in sorted(ACTORS[action], key=list(Role).index))
        raise WorkflowError(f"“{action.label}”只能由{allowed}人员操作，当前角色为{role.label}")
    try:
        return transitions(levels, level)[(state, action)]
    except KeyError:
        raise WorkflowError(f"自评表当前为“{state.label}”，不能“{action.label}”") from None


def actions_from(state: State, role: Role, *, levels: int = 1, level: int = 1) -> list[Action]:
    """The steps ``role`` can take from ``state`` (for showing buttons)."""
    return [a for (s, a) in transitions(levels, level) if s is state and role in ACTORS[a]]


def editable(state: State) -> bool:
    return state in EDITABLE
