"""Approved targets (批复绩效目标): set per project and year by a reviewer over the unit or
a bureau admin; a change to targets a form was made under is an event on that form."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jixiao.contract.json import figure
from jixiao.domain import approved_targets, trail
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.workflow import Role
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation

from . import access, checks
from . import trail as events
from .errors import Forbidden, Invalid

TARGETS_SET = "targets_set"


@transaction.atomic
def approve(*, user: User, code: str, year: int, rows: list[ApprovedTarget]) -> ApprovedTargets:
    """批复绩效目标: a reviewer over the unit or a bureau admin sets a project's
    targets for a year. Evaluations already made keep the copy they took; a
    change to targets a form of that year was made under is an event on that
    form's trail (events belong to a form: before there is one, the form's
    create event records the targets it took)."""
    found = access.project(user, code)
    place = access.require_role(user, {Role.REVIEWER, Role.ADMIN}, _("批复绩效目标"))
    if place.role_enum is Role.REVIEWER and not access.reviews_project(place, found):
        raise Forbidden(_("主管部门的部门整体支出绩效目标由财政局批复"))
    if not 2000 <= year <= 2100:
        raise Invalid(_("年度应在 2000–2100 之间：%(year)s") % {"year": year})
    names = [approved_targets.key(row.name) for row in rows]
    if not rows or not all(names) or len(set(names)) != len(names):
        raise Invalid(_("绩效目标须至少有一个指标，每个指标有名称且不重复"))
    for row in rows:
        if row.points is not None and not (row.points.is_finite() and 0 <= row.points <= 100):
            raise Invalid(_("指标“%(name)s”的分值应在 0–100 之间") % {"name": row.name})
    stored = [
        {
            "level1": r.level1,
            "level2": r.level2,
            "name": r.name.strip(),
            "target": r.target,
            "points": figure(r.points),
        }
        for r in rows
    ]
    checks.storable(stored, "indicators")
    before = (
        ApprovedTargets.objects.filter(project=found, year=year)
        .values_list("indicators", flat=True)
        .first()
    )
    with events.acting(user):  # its own event (targets#id), by the model signal
        targets, _created = ApprovedTargets.objects.update_or_create(
            project=found, year=year, defaults={"indicators": stored, "set_by": user}
        )
    diff = trail.field_diff(
        {"approved_targets": _by_name(before or [])}, {"approved_targets": _by_name(stored)}
    )
    live = Evaluation.objects.filter(project=found, year=year).exclude(state="deleted")
    for evaluation in live if diff else ():
        events.append(
            evaluation=evaluation,
            user=user,
            action=TARGETS_SET,
            state_from=evaluation.state,
            diff=diff,
        )
    return targets


def _by_name(rows: list[dict]) -> dict[str, dict]:
    """Approved target rows keyed by indicator name, so the trail says which target changed."""
    return {row["name"]: row for row in rows}


def of_project(user: User, code: str) -> QuerySet[ApprovedTargets]:
    """A project's approved targets by year, latest first (if ``user`` may see the project)."""
    return access.project(user, code).targets.order_by("-year")
