"""A form filled in on the pages or through the API, completed by the rules.

An imported form keeps the figures its file printed (the audit checks them); a
form *filled in* has its computable figures computed on every save, whatever was
typed or sent: 执行率 of every 资金 line, 资金得分, 总分 and 等级 (and a 折算得分 where
the layout has one). A quantitative indicator's 得分 is the rule's figure unless
the row is ``kept`` (the user changed it and gave a reason); a score the rules
leave to judgement (a qualitative band, the old template's 评分规则 in words) stays
as typed, and the audit says when it falls outside its band.

The figures are :mod:`jixiao.domain.recompute`'s, which takes each of them from
:mod:`jixiao.domain.scoring`: nothing is computed here, only put in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from jixiao.domain.model import (
    BREAKDOWN_KEYS,
    AmountUnit,
    Evaluation,
    Funding,
    FundingLine,
    Indicator,
)
from jixiao.domain.recompute import Check, recompute
from jixiao.domain.scoring import Figure
from jixiao.domain.template import Template


def _bare_line(line: FundingLine, scored: bool) -> FundingLine:
    return replace(line, execution_rate=None, score=None if scored else line.score)


def _lines(
    funding: Funding, total: FundingLine, part: Callable[[str, FundingLine], FundingLine]
) -> Funding:
    """The 资金 block with its 年度资金总额 row and each printed part replaced."""

    def each(key: str) -> FundingLine | None:
        line = funding.part(key)
        return part(key, line) if line is not None else None

    return replace(
        funding,
        total=total,
        current_year_appropriation=each("current_year_appropriation"),
        prior_year_carryover=each("prior_year_carryover"),
        other_funds=each("other_funds"),
        extra=tuple((key, part(key, line)) for key, line in funding.extra),
    )


def _bare(form: Evaluation) -> Evaluation:
    """The form without the figures the rules compute (indicator scores kept)."""
    funding = form.funding
    bare = _lines(
        funding, _bare_line(funding.total, True), lambda _key, line: _bare_line(line, False)
    )
    return replace(
        form,
        funding=bare,
        total=None,
        grade=None,
        indicators=tuple(replace(ind, weighted_score=None) for ind in form.indicators),
    )


def _by_field(form: Evaluation, template: Template) -> dict[str, Check]:
    return {check.field: check for check in recompute(form, template)}


def proposals(form: Evaluation, template: Template) -> dict[int, Figure]:
    """The rule's 得分 of each indicator row the rules score to one figure (a
    quantitative target, the old template's 预算执行率 row at a fixed band), by row."""
    checks = _by_field(_bare(form), template)
    out = {}
    for n in range(len(form.indicators)):
        check = checks.get(f"indicators[{n}].score")
        if check is not None and check.figure.value is not None:
            out[n] = check.figure
    return out


def _value(checks: dict[str, Check], path: str) -> Decimal | None:
    check = checks.get(path)
    return check.figure.value if check is not None else None


def _line(line: FundingLine, checks: dict[str, Check], path: str, scored: bool) -> FundingLine:
    return replace(
        line,
        execution_rate=_value(checks, f"{path}.execution_rate"),
        score=_value(checks, f"{path}.score") if scored else line.score,
    )


def complete(
    form: Evaluation, template: Template, kept: frozenset[int] = frozenset()
) -> Evaluation:
    """The form with every computable figure as the rules compute it; the indicator
    rows in ``kept`` keep their typed 得分 (a change of the rule's, with a reason)."""
    bare = _bare(form)
    checks = _by_field(bare, template)
    indicators = []
    for n, ind in enumerate(bare.indicators):
        proposed = _value(checks, f"indicators[{n}].score")
        if proposed is not None and n not in kept:
            ind = replace(ind, score=proposed)
        indicators.append(ind)
    funding = bare.funding
    scored = template.execution_points is not None
    funding = _lines(
        funding,
        _line(funding.total, checks, "funding", scored),
        lambda key, line: _line(line, checks, f"funding.breakdown.{key}", False),
    )
    scored_form = replace(bare, funding=funding, indicators=tuple(indicators))
    checks = _by_field(scored_form, template)
    weighted: list[Indicator] = [
        replace(ind, weighted_score=_value(checks, f"indicators[{n}].weighted_score"))
        if f"indicators[{n}].weighted_score" in checks
        else ind
        for n, ind in enumerate(scored_form.indicators)
    ]
    scored_form = replace(scored_form, indicators=tuple(weighted))
    if weighted != indicators:
        checks = _by_field(scored_form, template)
    grade = checks.get("grade")
    return replace(
        scored_form,
        total=_value(checks, "total"),
        grade=grade.label if grade is not None else None,
    )


def funding_of(template: Template, unit: AmountUnit | None = None) -> Funding:
    """The 资金 block of a blank form: the lines the template's printed form has
    (its [layout] funding block; the 年度资金总额 row alone where it has none), the
    execution points the template gives, the amount unit chosen."""
    lines: list[str] = []
    for block in template.layout.get("blocks") or []:
        if block.get("kind") == "funding":
            lines = [line for line in block.get("lines") or [] if line != "total"]
    total = FundingLine(points=template.execution_points)
    parts = {key: FundingLine() for key in lines if key in BREAKDOWN_KEYS}
    extra = tuple((key, FundingLine()) for key in lines if key not in BREAKDOWN_KEYS)
    return Funding(
        total=total,
        unit=unit,
        extra=extra,
        current_year_appropriation=parts.get("current_year_appropriation"),
        prior_year_carryover=parts.get("prior_year_carryover"),
        other_funds=parts.get("other_funds"),
    )
