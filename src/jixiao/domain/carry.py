"""结转: next year's form of a project, started from last year's.

What the project keeps from year to year carries over: the project, the money
unit, the points of the funding line and the indicator table (categories,
names, targets, points, scoring rules). Every figure, result, score, narrative
and the grade start empty, to be filled in for the new year.
"""

from __future__ import annotations

from jixiao.domain.model import Evaluation, Funding, FundingLine, Indicator


def next_year(last: Evaluation) -> Evaluation:
    """A blank form for the year after ``last``, with what carries over."""
    funding = last.funding
    return Evaluation(
        template=last.template,
        year=last.year + 1 if last.year is not None else None,
        project=last.project,
        funding=Funding(
            total=FundingLine(points=funding.total.points),
            current_year_appropriation=_blank(funding.current_year_appropriation),
            prior_year_carryover=_blank(funding.prior_year_carryover),
            other_funds=_blank(funding.other_funds),
            unit=funding.unit,
        ),
        indicators=tuple(
            Indicator(
                level1=ind.level1,
                level2=ind.level2,
                name=ind.name,
                target=ind.target,
                points=ind.points,
                rule=ind.rule,
                explanation=ind.explanation,
                target_parsed=ind.target_parsed,
            )
            for ind in last.indicators
        ),
        total_points=last.total_points,
    )


def _blank(part: FundingLine | None) -> FundingLine | None:
    """A printed part of the funding, emptied; a part the form leaves out stays out."""
    return FundingLine() if part is not None else None
