"""The workflow steps (submit, return, approve): :mod:`jixiao.domain.workflow` says
whether the step exists and which role takes it; the tree says whether this user may
take it here. Each step raises the version and is an event on the trail."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.contract import paths
from jixiao.domain import trail, workflow
from jixiao.domain.audit import Severity
from jixiao.domain.workflow import Action, Role, State
from jixiao.web.evaluations import words
from jixiao.web.evaluations.models import Evaluation

from . import access, checks, counts
from . import trail as events
from .errors import Conflict, Forbidden, ServiceError


@transaction.atomic
def step(
    *,
    user: User,
    pk: int,
    action: Action,
    version: int | None = None,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
    acknowledgements: dict[str, str] | None = None,
) -> Evaluation:
    """Submit, return or approve. A return carries an overall comment or comments on
    fields (by field path). A submit is refused while an error-level finding has no
    reason (``acknowledgements``: finding key → reason, kept for later submits)."""
    place = access.membership(user)
    evaluation = access.get(user, pk, for_update=True)
    filler = place.role_enum is Role.FILLER
    if filler and action is Action.SUBMIT and evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以提交"))
    if filler and action is Action.WITHDRAW:
        _may_withdraw(evaluation, place)
    if filler and action is Action.DELETE and evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以删除草稿"))
    if place.role_enum is Role.REVIEWER and not access.reviews(place, evaluation):
        raise Forbidden(_("主管部门的部门整体支出自评表由财政局审核"))
    if action is Action.APPROVE:
        access.require_not_submitter(user, evaluation)  # 职责分离, whatever roles now
    levels, level = review_levels(evaluation, place)
    try:
        new_state = workflow.next_state(
            evaluation.state_enum, action, place.role_enum, levels=levels, level=level
        )
    except workflow.WorkflowError:
        raise _refused_step(evaluation, action, place.role_enum, levels, level) from None
    checks.current(evaluation, version)
    checks.storable(
        {
            "comment": comment,
            "field_comments": field_comments,
            "acknowledgements": acknowledgements,
        },
        _("意见"),
    )
    field_comments = {
        path: text.strip() for path, text in (field_comments or {}).items() if text.strip()
    }
    if action is Action.RETURN and not comment.strip() and not field_comments:
        raise ServiceError(_("退回时请填写意见（总体或逐项）"))
    if unknown := [path for path in field_comments if not paths.json_has(evaluation.data, path)]:
        raise ServiceError(_("意见所指的字段不存在：%(paths)s") % {"paths": _("、").join(unknown)})
    state_from = evaluation.state
    diff = [{"path": "state", "old": state_from, "new": new_state.value}]
    if action is Action.SUBMIT:
        acks = _acknowledged(evaluation, acknowledgements or {})
        diff += trail.field_diff(
            {"acknowledgements": evaluation.acknowledgements}, {"acknowledgements": acks}
        )
        evaluation.acknowledgements = acks
    elif acknowledgements:
        raise ServiceError(_("错误说明只能在提交时填写"))
    evaluation.state = new_state.value
    evaluation.version += 1
    evaluation.save()
    added = events.append(
        evaluation=evaluation,
        user=user,
        action=action.value,
        state_from=state_from,
        diff=diff,
        comment=comment,
        field_comments=field_comments,
    )
    if action is Action.SUBMIT:  # 提交时间: the submit event's own time (a copy of the trail)
        evaluation.submitted_at = added.at
        Evaluation.objects.filter(pk=evaluation.pk).update(submitted_at=added.at)
    counts.moved(evaluation, state_from)
    return evaluation


def review_levels(evaluation: Evaluation, place) -> tuple[int, int]:
    """How many review levels the form has (the year's task says: :mod:`jixiao.web.year.scope`)
    and the level of whoever acts (the 主管部门 1, the 财政局 2)."""
    from jixiao.web.year import scope  # the year's tasks: read at the step, not imported early

    return scope.levels_of(evaluation), scope.level_of(place.organisation)


def steps_open(user: User, evaluation: Evaluation) -> list[Action]:
    """The steps ``user`` may take on ``evaluation`` now, the review levels counted
    (:func:`access.steps` for a form of one level)."""
    place = access.membership(user)
    levels, level = review_levels(evaluation, place)
    if levels == 1 or place.role_enum is not Role.REVIEWER:
        return access.steps(user, evaluation)
    if not access.reviews(place, evaluation):
        return []
    taken = workflow.actions_from(
        evaluation.state_enum, place.role_enum, levels=levels, level=level
    )
    if Action.APPROVE in taken and access.submitted_by(user, evaluation):
        taken = [a for a in taken if a is not Action.APPROVE]
    return taken


def _may_withdraw(evaluation: Evaluation, place) -> None:
    """撤回: the unit's filler takes back a submission no reviewer has begun on (no 复核
    score given yet); the workflow says from which states."""
    if evaluation.project.unit_id != place.organisation_id:
        raise Forbidden(_("只有本单位的填报人员可以撤回"))
    if evaluation.review_scores:
        raise Conflict(_("审核人已开始复核（已录入复核得分），不能撤回"))


def _refused_step(
    evaluation: Evaluation, action: Action, role: Role, levels: int = 1, level: int = 1
) -> ServiceError:
    """Why the workflow refuses a step: the role may never take it (403), or not
    from the form's state (409; with two levels, whose turn it is)."""
    if role not in workflow.ACTORS[action]:
        allowed = _("、").join(words.role(r.value) for r in Role if r in workflow.ACTORS[action])
        return Forbidden(
            _("“%(action)s”只能由%(roles)s操作，当前角色为%(role)s")
            % {"action": words.step(action.value), "roles": allowed, "role": words.role(role.value)}
        )
    if levels == 2 and action in (Action.APPROVE, Action.RETURN):
        if level == 2 and evaluation.state_enum in (State.SUBMITTED, State.RESUBMITTED):
            return Conflict(_("两级审核：须先由主管部门审核通过，财政局再复审"))
        if level == 1 and evaluation.state_enum is State.CHECKED:
            return Conflict(_("两级审核：主管部门已审核通过，待财政局复审"))
    return Conflict(
        _("自评表当前为“%(state)s”，不能“%(action)s”")
        % {"state": words.state(evaluation.state), "action": words.step(action.value)}
    )


def _acknowledged(evaluation: Evaluation, given: dict[str, str]) -> dict[str, str]:
    """The reasons for every error-level finding (given now or at an earlier
    submit); refuses the submit while one has none."""
    errors = {f["key"]: f for f in evaluation.findings if f["severity"] == Severity.ERROR.value}
    if unknown := sorted(set(given) - set(errors)):
        raise ServiceError(_("说明所指的错误不存在：%(keys)s") % {"keys": _("、").join(unknown)})
    reasons = {
        **evaluation.acknowledgements,
        **{k: v.strip() for k, v in given.items() if v.strip()},
    }
    reasons = {key: text for key, text in reasons.items() if key in errors}
    if missing := [key for key in errors if key not in reasons]:
        listed = _("；").join(
            _("%(key)s：%(message)s") % {"key": key, "message": _message(errors[key])}
            for key in missing
        )
        raise Conflict(
            _("还有 %(n)s 个错误未更正或说明理由，不能提交（acknowledgements）：%(listed)s")
            % {"n": len(missing), "listed": listed}
        )
    return reasons


def _message(finding: dict) -> str:
    """A stored finding's message in the active language (the domain writes both)."""
    english = (get_language() or "").startswith("en") and finding.get("message_en")
    return english or finding["message"]
