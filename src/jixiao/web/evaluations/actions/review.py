"""复核 scores: a reviewer's score beside a self score of a submitted form."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.contract import paths
from jixiao.contract.json import figure
from jixiao.domain import trail
from jixiao.domain.model import places
from jixiao.domain.workflow import Action, State
from jixiao.web.evaluations import words
from jixiao.web.evaluations.models import Evaluation

from . import access, checks, columns, workflow
from . import trail as events
from .errors import Conflict, FieldErrors, Invalid
from .forms import form_of


@transaction.atomic
def set_scores(
    *, user: User, pk: int, version: int | None, scores: Mapping[str, str | None]
) -> Evaluation:
    """复核: a reviewer records their score beside self scores (``indicators[i].score``,
    ``funding.score`` the execution score) of a submitted form (or, with two review levels,
    one the 主管部门 approved: the bureau's re-check; or an approved form a 抽查 drew);
    ``None`` or "" clears one."""
    evaluation = access.get(user, pk, for_update=True)
    access.require_reviewer(user, evaluation, _("复核评分"))
    rechecked = evaluation.state_enum is State.APPROVED and evaluation.spot_checks.exists()
    if evaluation.state_enum is State.APPROVED and not rechecked:  # 抽查: 复核 after approval
        raise Conflict(_("自评表已审核通过并锁定，不能修改复核得分"))
    if not rechecked and evaluation.state_enum not in (
        State.SUBMITTED,
        State.RESUBMITTED,
        State.CHECKED,
    ):
        raise Conflict(
            _("自评表当前为“%(state)s”，提交后才能复核") % {"state": words.state(evaluation.state)}
        )
    checks.current(evaluation, version)
    new = dict(evaluation.review_scores)
    refused: dict[str, str] = {}
    for path, value in scores.items():
        points = _points_for(evaluation.data, path)
        if value is None or not value.strip():
            new.pop(path, None)
            continue
        try:
            new[path] = figure(_review_score(path, value.strip(), points))
        except Invalid as error:  # every bad score named at once, none stored
            refused[path] = error.message
    if refused:
        raise FieldErrors(refused)
    diff = trail.field_diff({"review_scores": evaluation.review_scores}, {"review_scores": new})
    if not diff:
        return evaluation
    evaluation.review_scores = new
    columns.fill(evaluation, form_of(evaluation))
    evaluation.version += 1
    evaluation.save()
    events.append(
        evaluation=evaluation,
        user=user,
        action="review_score",
        state_from=evaluation.state,
        diff=diff,
    )
    return evaluation


def _points_for(data: dict, path: str) -> Decimal | None:
    """The 分值 of the row a 复核 score is for; Invalid unless the path is a self score."""
    row = paths.indicator_of(path)
    rows = data.get("indicators") or []
    if path == "funding.score":
        points = paths.json_get(data, "funding.points")
    elif row is not None and row[1] == "score" and row[0] < len(rows):
        points = paths.json_get(data, f"indicators[{row[0]}].points")
    else:
        raise Invalid(
            _("复核得分只能录在自评得分旁（indicators[i].score 或 funding.score）：%(path)s")
            % {"path": path}
        )
    return None if points is None else Decimal(points)


def _review_score(path: str, text: str, points: Decimal | None) -> Decimal:
    typed, _problem = checks.typed_figure(path, text)  # 1,2,0 is no score; 15.50 and １５ are
    try:
        score = Decimal(typed) if typed is not None else None
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or score < 0 or places(score) > 2:
        raise Invalid(
            _("%(path)s：复核得分应为不小于 0、最多两位小数的数：%(text)s")
            % {"path": path, "text": text}
        )
    if points is not None and score > points:
        raise Invalid(
            _("%(path)s：复核得分 %(text)s 高于分值 %(points)s")
            % {"path": path, "text": text, "points": figure(points)}
        )
    return score


DECISIONS = ("save", Action.RETURN.value, Action.APPROVE.value)
"""What a reviewer's one submit of the review page does: keep the 复核 scores, or keep them
and return the form, or keep them and approve it."""


@transaction.atomic
def decide(
    *,
    user: User,
    pk: int,
    version: int | None,
    decision: str,
    scores: Mapping[str, str | None],
    comment: str = "",
    field_comments: dict[str, str] | None = None,
) -> Evaluation:
    """复核 scores, comments and the decision in one step, all or nothing: every bad score
    is named (:class:`FieldErrors`) and nothing is stored; a return without a comment
    stores no score either. Scores, then the step, each an event on the trail."""
    if decision not in DECISIONS:
        raise Invalid(
            _("审核决定只能是 %(known)s：%(decision)s")
            % {"known": "、".join(DECISIONS), "decision": decision}
        )
    evaluation = set_scores(user=user, pk=pk, version=version, scores=scores)
    if decision == "save":
        if comment.strip() or any(text.strip() for text in (field_comments or {}).values()):
            raise Invalid(_("意见只随退回或通过一起保存：请选择“退回修改”或“审核通过”"))
        return evaluation
    return workflow.step(
        user=user,
        pk=pk,
        action=Action(decision),
        version=evaluation.version,
        comment=comment,
        field_comments=field_comments,
    )
