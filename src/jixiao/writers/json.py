"""The JSON contract of ``jixiao import --json`` (documented in docs/json.md).

Figures are decimal strings as printed ("490000.00", "99.77"); ``null`` where
the form has none. Keys are stable: extend, never rename.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, overload

from jixiao.domain.model import BREAKDOWN_KEYS, Evaluation, FundingLine, Indicator
from jixiao.domain.targets import Target

_LINE_KEYS = ("initial_budget", "annual_budget", "executed", "points", "execution_rate", "score")


@overload
def figure(value: Decimal) -> str: ...
@overload
def figure(value: None) -> None: ...
@overload
def figure(value: Decimal | None) -> str | None: ...
def figure(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def target_dict(target: Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    if not target.quantitative:
        return {"kind": "qualitative", "text": target.text}
    return {
        "kind": "quantitative",
        "op": target.op.value if target.op else None,
        "value": figure(target.value),
        "unit": target.unit,
        "note": target.note,
    }


def _line(line: FundingLine | None) -> dict[str, str | None] | None:
    if line is None:
        return None
    return _figures(line)


def _figures(line: FundingLine) -> dict[str, str | None]:
    return {key: figure(getattr(line, key)) for key in _LINE_KEYS}


def _indicator(ind: Indicator) -> dict[str, Any]:
    out = {
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "target": ind.target,
        "actual": ind.actual,
        "target_parsed": target_dict(ind.target_parsed),
        "actual_parsed": target_dict(ind.actual_parsed),
        "points": figure(ind.points),
        "score": figure(ind.score),
        "deviation": ind.deviation,
    }
    if ind.rule is not None or ind.explanation is not None:
        out["rule"] = ind.rule
        out["explanation"] = ind.explanation
    return out


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    """One form as the import contract's object."""
    funding = ev.funding
    return {
        "source": {"file": ev.source.file, "form_index": ev.source.form_index}
        if ev.source
        else None,
        "template": ev.template,
        "year": ev.year,
        "project": {
            "name": ev.project.name,
            "department": ev.project.department,
            "unit": ev.project.unit,
            "division": ev.project.division,
            "recurring": ev.project.recurring,
        },
        "funding": {
            "unit": funding.unit.value if funding.unit else None,
            **_figures(funding.total),
            "prior_year_budget": figure(funding.prior_year_budget),
            "breakdown": {key: _line(getattr(funding, key)) for key in BREAKDOWN_KEYS},
        },
        "goals": {"expected": ev.goals.expected, "actual": ev.goals.actual},
        "indicators": [_indicator(ind) for ind in ev.indicators],
        "total": figure(ev.total),
        "total_points": figure(ev.total_points),
        "grade": ev.grade,
        "evaluated_on": ev.evaluated_on.isoformat() if ev.evaluated_on else None,
        "achievements": ev.achievements,
        "problems_found": ev.problems_found,
        "improvements": ev.improvements,
        "problems": [{"field": p.field, "message": p.message, "raw": p.raw} for p in ev.problems],
        "sources": {
            path: {
                k: v
                for k, v in (
                    ("line", s.line),
                    ("page", s.page),
                    ("sheet", s.sheet),
                    ("cell", s.cell),
                )
                if v is not None
            }
            for path, s in ev.sources.items()
        },
    }


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
