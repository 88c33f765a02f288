"""Approved performance targets (绩效目标): the indicator rows set at budget time
with their 年度指标值 and 分值, which a self-evaluation copies and must keep.

Pure: rows in, rows or findings out. A row of the form matches an approved row
by its indicator name (folded, whitespace removed). Changing a copied target
(年度指标值 or 分值) or dropping an approved row is a *change*: it needs a reason,
and every change with its reason is a warning finding the reviewer sees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from jixiao.domain.audit import Finding, Severity
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.normalize import clean, fold, squash
from jixiao.domain.targets import parse_target

CODE = "target-changed"


@dataclass(frozen=True)
class ApprovedTarget:
    """One approved indicator row: 一级/二级指标, 三级指标 (name), 年度指标值, 分值."""

    name: str
    target: str | None
    points: Decimal | None
    level1: str | None = None
    level2: str | None = None


@dataclass(frozen=True)
class TargetChange:
    """How the form departs from one approved row; ``field`` is a contract path."""

    name: str
    field: str
    approved: str | None
    now: str | None


def key(name: str | None) -> str:
    return fold(squash(name))


def _shown(value: Decimal | str | None) -> str | None:
    return None if value is None else format(value, "f") if isinstance(value, Decimal) else value


def copy_into(form: Evaluation, approved: list[ApprovedTarget]) -> Evaluation:
    """The form with the approved 年度指标值 and 分值 in its rows of the same name,
    and approved rows it lacks appended (to be filled in)."""
    by_name = {key(t.name): t for t in approved}
    rows, seen = [], set()
    for row in form.indicators:
        t = by_name.get(key(row.name))
        if t is not None:
            seen.add(key(t.name))
            row = replace(
                row, target=t.target, target_parsed=parse_target(t.target), points=t.points
            )
        rows.append(row)
    rows += [
        Indicator(
            level1=t.level1,
            level2=t.level2,
            name=t.name,
            target=t.target,
            points=t.points,
            target_parsed=parse_target(t.target),
        )
        for t in approved
        if key(t.name) not in seen
    ]
    return replace(form, indicators=tuple(rows))


def changes(form: Evaluation, approved: list[ApprovedTarget]) -> list[TargetChange]:
    """Every place where the form no longer says what was approved."""
    rows = {key(row.name): (i, row) for i, row in enumerate(form.indicators)}
    out = []
    for t in approved:
        found = rows.get(key(t.name))
        if found is None:
            out.append(TargetChange(t.name, "indicators", t.target, None))
            continue
        i, row = found
        if clean(row.target) != clean(t.target):
            out.append(TargetChange(t.name, f"indicators[{i}].target", t.target, row.target))
        if row.points != t.points:
            out.append(
                TargetChange(
                    t.name, f"indicators[{i}].points", _shown(t.points), _shown(row.points)
                )
            )
    return out


def change_findings(found: list[TargetChange], reasons: dict[str, str]) -> list[Finding]:
    """A warning per change, with the reason given for its indicator."""
    out = []
    for c in found:
        what = "删除了该指标" if c.now is None else f"由“{c.approved or '（空）'}”改为“{c.now}”"
        reason = reasons.get(c.name, "")
        out.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                field=c.field,
                message=f"已批复的绩效目标“{c.name}”{what}；理由：{reason or '（未说明）'}",
                message_en=f"approved target {c.name!r} changed; reason: {reason or '(none)'}",
                printed=c.now,
                expected=c.approved,
                explanation=reason or None,
            )
        )
    return out
