"""Printed against recomputed: every computable figure of a form, checked.

Each figure is recomputed from the *printed* figures it depends on (the total
from the printed scores, the grade from the printed total), so a slip is
pinned to the one figure that is wrong instead of spreading down the form.
Templates with indicator groups (Shanghai 2019) add each group's sums
(``groups[0].points``, ``groups[0].score``).
The arithmetic itself is all in :mod:`jixiao.domain.scoring`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, Final

from jixiao.contract import paths
from jixiao.domain import scoring
from jixiao.domain.model import BREAKDOWN_KEYS, Evaluation, FundingLine, Indicator
from jixiao.domain.normalize import squash
from jixiao.domain.scoring import Figure
from jixiao.domain.template import ROUNDINGS, Rounding, Template

_NO_MODES: Mapping[Rounding, Decimal] = MappingProxyType({})


class Status(str, Enum):
    MATCH = "match"  # printed equals computed, or lies in the allowed range
    DIFFERS = "differs"  # printed contradicts the rules
    NOT_PRINTED = "not_printed"  # the form leaves it blank; computed shown
    NOT_COMPUTABLE = "not_computable"  # inputs missing or incompatible


class Check:
    """One figure: its field path, printed value, the rule's figure and status.

    ``by_rounding`` gives the value under each rounding mode for figures that
    are cut (execution rate and score), so a reader sees which modes fit;
    ``label`` is a computed word rather than a number (the grade).
    Never changed once made; a plain class like :class:`Figure`: fifteen a form."""

    __slots__ = ("by_rounding", "field", "figure", "label", "printed", "status")

    def __init__(
        self,
        field: str,
        printed: Decimal | str | None,
        figure: Figure,
        status: Status,
        by_rounding: Mapping[Rounding, Decimal] = _NO_MODES,
        label: str | None = None,
    ) -> None:
        self.field = field
        self.printed = printed
        self.figure = figure
        self.status = status
        self.by_rounding = by_rounding
        self.label = label

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle, as Figure's
        return Check, (
            self.field,
            self.printed,
            self.figure,
            self.status,
            dict(self.by_rounding),
            self.label,
        )

    def __repr__(self) -> str:
        return f"Check({self.field!r}, {self.printed!r}, {self.figure!r}, {self.status}, {dict(self.by_rounding)!r})"

    @property
    def fitting_modes(self) -> list[Rounding]:
        return [mode for mode, value in self.by_rounding.items() if value == self.printed]


def _status(printed: Decimal | None, figure: Figure) -> Status:
    # Figure.computable and Figure.accepts written out: this runs for every figure.
    value = figure.value
    if value is None and figure.low is None:
        return Status.NOT_COMPUTABLE
    if printed is None:
        return Status.NOT_PRINTED
    if value is not None:
        return Status.MATCH if printed == value else Status.DIFFERS
    low, high = figure.low, figure.high
    assert low is not None and high is not None, "a range"
    return Status.MATCH if low <= printed <= high else Status.DIFFERS


def _under_each_mode(figure: Figure, template: Template) -> dict[Rounding, Decimal]:
    """The figure as each rounding mode would print it (cut figures only)."""
    raw, value = figure.raw, figure.value
    if raw is None or value is None:
        return {}
    if raw == value:  # nothing to cut (0 of 0, a round figure): every mode prints ``value``
        return dict.fromkeys(ROUNDINGS, value)
    # ``value`` is ``raw`` cut under the template's mode already.
    return {
        mode: value
        if mode is template.rounding
        else scoring.round_figure(raw, mode, template.decimals)
        for mode in ROUNDINGS
    }


def _funding_checks(path: str, line: FundingLine, template: Template, scored: bool) -> list[Check]:
    rate = scoring.execution_rate(line, template)
    checks = [
        Check(
            _RATE_PATHS.get(path) or f"{path}.execution_rate",
            line.execution_rate,
            rate,
            _status(line.execution_rate, rate),
            _under_each_mode(rate, template),
        )
    ]
    if scored:
        score = scoring.execution_score(line, template)
        checks.append(
            Check(
                f"{path}.score",
                line.score,
                score,
                _status(line.score, score),
                _under_each_mode(score, template),
            )
        )
    return checks


# Field paths made once rather than on every form.
_PART_PATHS: Final = {key: f"funding.breakdown.{key}" for key in BREAKDOWN_KEYS}
_RATE_PATHS: Final = {path: f"{path}.execution_rate" for path in ("funding", *_PART_PATHS.values())}


def _indicator_figure(ev: Evaluation, indicator: Indicator, template: Template) -> Figure:
    """The old template's 预算执行率 row is scored by its bands from the printed rate
    (computed when not printed); its other rows by judgement; targets otherwise."""
    if template.execution_indicator and squash(indicator.name) == template.execution_indicator:
        rate = ev.funding.total.execution_rate
        if rate is None:
            rate = scoring.execution_rate(ev.funding.total, template).value
        return scoring.execution_band_score(rate, indicator.points, template)
    if "target" not in template.columns and indicator.target is None:
        return scoring.judgement_score(indicator.points, template)
    if indicator.points is None and "points" not in template.columns:
        return scoring.group_scored(indicator, template)
    return scoring.indicator_score(indicator, template)


def _group_checks(ev: Evaluation, template: Template) -> list[Check]:
    """Old template: each group's weights add up to its printed points (投入与管理
    36 …), and its scores stay within them."""
    checks = []
    for j, group in enumerate(template.groups):
        rows = [
            (n, ind)
            for n, ind in enumerate(ev.indicators)
            if ind.level1 == group.name and not ind.child and not ind.shared
        ]
        if any(ind.points is not None for _, ind in rows):  # rows printing their weights
            weights = scoring.sum_figure(
                f"{group.name} 权重合计",
                [(f"indicators[{n}].points", ind.points) for n, ind in rows],
                "权重",
            )
            checks.append(
                Check(f"groups[{j}].points", group.points, weights, _status(group.points, weights))
            )
        scores = scoring.sum_figure(
            f"{group.name} 自评合计", [(f"indicators[{n}].score", ind.score) for n, ind in rows]
        )
        over = scores.value is not None and scores.value > group.points
        scores = Figure(
            scores.value,
            f"{scores.explanation}（本组 {group.points} 分{'，超出' if over else ''}）",
        )
        checks.append(
            Check(
                f"groups[{j}].score",
                None,
                scores,
                Status.DIFFERS if over else _status(None, scores),
            )
        )
    return checks


def recompute(ev: Evaluation, template: Template) -> list[Check]:
    """Every figure of the form the rules can compute, printed beside computed."""
    checks: list[Check] = []
    scored = template.execution_points is not None
    line = ev.funding.total
    if scoring.rate_budget(line, template) is not None or line.execution_rate is not None:
        checks += _funding_checks("funding", ev.funding.total, template, scored)
    for key, line in ev.funding.parts().items():
        path = _PART_PATHS.get(key) or f"funding.breakdown.{key}"
        checks += _funding_checks(path, line, template, scored=False)

    parts: list[tuple[str, Decimal | None]] = []
    if scored:
        execution = ev.funding.total.score
        if execution is None:
            execution = scoring.execution_score(ev.funding.total, template).value
        parts.append(("funding.score", execution))
    rescale = template.rules.rescale_not_applicable
    left_out = Decimal(0)  # the points of indicators a rule pack leaves out (不适用)
    for n, indicator in enumerate(ev.indicators):
        if indicator.child or indicator.shared:  # 其中… rows; rows under a merged 得分
            continue
        if rescale and scoring.not_applicable(indicator):
            left_out += indicator.points or 0
            continue
        figure = _indicator_figure(ev, indicator, template)
        path = paths.indicator_score(n)
        checks.append(Check(path, indicator.score, figure, _status(indicator.score, figure)))
        score = indicator.score if indicator.score is not None else figure.value
        if indicator.weight_share is not None or indicator.weighted_score is not None:
            weighted = scoring.weighted_score(indicator, template)
            shown = indicator.weighted_score
            checks.append(
                Check(f"indicators[{n}].weighted_score", shown, weighted, _status(shown, weighted))
            )
            if template.weighted_total:
                path = f"indicators[{n}].weighted_score"
                score = shown if shown is not None else weighted.value
        parts.append((path, score))
    checks += _group_checks(ev, template)

    total = scoring.total_score(parts, template)
    if rescale:
        total = scoring.rescaled_total(total, left_out, template)
    if template.rules.total_caps:
        total = scoring.capped_total(total, scoring.cap_rate(ev.funding.total, template), template)
    checks.append(Check("total", ev.total, total, _status(ev.total, total)))

    grade_total = ev.total if ev.total is not None else total.value
    earned = template.grade_for(grade_total) if grade_total is not None else None
    printed = template.canonical_grade(ev.grade)
    foreign = None  # a printed label the template does not have
    if earned is None:
        status = Status.NOT_COMPUTABLE
    elif ev.grade is None:
        status = Status.NOT_PRINTED
    else:
        status = Status.MATCH if printed == earned else Status.DIFFERS
        foreign = ev.grade if printed is None else None
    label = earned.label if earned else None
    checks.append(
        Check(
            "grade",
            ev.grade,
            Figure(None, (_grade_words, grade_total, template, foreign)),
            status,
            label=label,
        )
    )
    return checks


def _grade_words(total: Decimal | None, template: Template, foreign: str | None) -> str:
    _, reason = scoring.grade(total, template)
    return reason + (f"；表上的「{foreign}」不是本模板的等级" if foreign else "")
