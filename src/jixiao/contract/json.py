"""The JSON contract: one form as the object of ``jixiao import --json``, of the
web API and of ``jixiao export --to json`` (documented in docs/json.md), and
that object read back. Writing what :func:`evaluation_from_dict` reads gives
the same JSON.

Figures are decimal strings as printed ("490000.00", "99.77"), never floats,
so no digit is lost; ``null`` where the form has none. Keys are stable: extend,
never rename. A wrong value read back raises :class:`ReadError` naming its
field path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast, overload

from jixiao.contract.fields import (
    BREAKDOWN_KEYS,
    INDICATOR_EXTRA_KEYS,
    LINE_KEYS,
    NARRATIVE_KEYS,
    PROJECT_KEYS,
)
from jixiao.contract.paths import is_path
from jixiao.domain.model import (
    AmountUnit,
    Evaluation,
    FormSource,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Problem,
    Project,
    Source,
)
from jixiao.domain.targets import DATE_UNIT, Target, parse_target, target_text
from jixiao.readers.base import ReadError


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
        # a deadline or date ("9月前" → ≤ 9.30, unit 日期): kind "date"
        "kind": "date" if target.unit == DATE_UNIT else "quantitative",
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
    out = {key: figure(getattr(line, key)) for key in LINE_KEYS}
    if line.reason is not None:  # printed by some layouts only
        out["reason"] = line.reason
    return out


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
    for key in INDICATOR_EXTRA_KEYS:  # the columns only some layouts print
        value = getattr(ind, key)
        if value is not None:
            out[key] = figure(value) if isinstance(value, Decimal) else value
    return out


def _source_dict(source: FormSource) -> dict[str, Any]:
    out: dict[str, Any] = {"file": source.file, "form_index": source.form_index}
    if source.unprinted:  # only where the file lacks columns of its template
        out["unprinted"] = list(source.unprinted)
    return out


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    """One form as the import contract's object."""
    funding = ev.funding
    return {
        "source": _source_dict(ev.source) if ev.source else None,
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
            "breakdown": {
                **{key: _line(getattr(funding, key)) for key in BREAKDOWN_KEYS},
                **{key: _figures(line) for key, line in funding.extra},
            },
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
        **({"conclusion": ev.conclusion} if ev.conclusion is not None else {}),
        **({"choices": dict(ev.choices)} if ev.choices else {}),
        "problems": [{"field": p.field, "message": p.message, "raw": p.raw} for p in ev.problems],
        "sources": {
            path: {
                k: v
                for k, v in (
                    ("line", s.line),
                    ("page", s.page),
                    ("sheet", s.sheet),
                    ("cell", s.cell),
                    ("box", list(s.box) if s.box else None),
                )
                if v is not None
            }
            for path, s in ev.sources.items()
        },
    }


def _box(value: Any) -> tuple[float, float, float, float] | None:
    """A source's box read back: four numbers, else none (a box only locates)."""
    if (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
    return None


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


# --- read back ---------------------------------------------------------------------


class _Reader:
    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, problem: str) -> ReadError:
        return ReadError(self.file, f"{path}：{problem}")

    def obj(self, value: Any, path: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, "应为对象")
        return value

    def text(self, value: Any, path: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise self.fail(path, "应为文字或 null")
        return value

    def figure(self, value: Any, path: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(path, f'数字应写成字符串（如 "9.50"），而不是 {value!r}')
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(path, f"不是数字：{value!r}") from None
        if not number.is_finite():
            raise self.fail(path, f"不是数字：{value!r}")
        return number

    def extra_lines(self, breakdown: Mapping[str, Any]) -> tuple[tuple[str, FundingLine], ...]:
        """The lines of other layouts (any key but the three parts), in written order."""
        lines = []
        for key, value in breakdown.items():
            if key in BREAKDOWN_KEYS:
                continue
            path = f"funding.breakdown.{key}"
            if not isinstance(key, str) or not is_path(key) or "." in key or "[" in key:
                raise self.fail(path, "资金行的键应为小写英文名（如 unit_funds）")
            line = self.line(value, path)
            if line is not None:
                lines.append((key, line))
        return tuple(lines)

    def choices(self, value: Any) -> tuple[tuple[str, str], ...]:
        """Tick boxes: an object of key → the option ticked (texts)."""
        out = []
        for key, ticked in self.obj(value, "choices").items():
            if not isinstance(ticked, str):
                raise self.fail(f"choices.{key}", "应为所选的选项文字")
            out.append((str(key), ticked))
        return tuple(out)

    def flag(self, value: Any, path: str) -> bool | None:
        if value is not None and not isinstance(value, bool):
            raise self.fail(path, "应为 true、false 或 null")
        return value

    def day(self, value: Any, path: str) -> date | None:
        text = self.text(value, path)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(path, f"日期应写成 YYYY-MM-DD，而不是 {text!r}") from None

    def line(self, value: Any, path: str) -> FundingLine | None:
        if value is None:
            return None
        d = self.obj(value, path)
        return FundingLine(
            **{k: self.figure(d.get(k), f"{path}.{k}") for k in LINE_KEYS},
            reason=self.text(d.get("reason"), f"{path}.reason"),
        )

    def indicator(self, value: Any, path: str) -> Indicator:
        # Every argument by name, so that mypy checks each one's type.
        d = self.obj(value, path)

        def text(key: str) -> str | None:
            return self.text(d.get(key), f"{path}.{key}")

        def number(key: str) -> Decimal | None:
            return self.figure(d.get(key), f"{path}.{key}")

        def flag(key: str) -> bool | None:
            return self.flag(d.get(key), f"{path}.{key}")

        return Indicator(
            level1=text("level1"),
            level2=text("level2"),
            name=text("name"),
            target=text("target"),
            actual=text("actual"),
            points=number("points"),
            score=number("score"),
            deviation=text("deviation"),
            rule=text("rule"),
            explanation=text("explanation"),
            target_parsed=parse_target(
                target_text(text("nature"), text("target"), text("measure_unit"))
            ),
            actual_parsed=parse_target(text("actual")),
            nature=text("nature"),
            measure_unit=text("measure_unit"),
            weight_share=number("weight_share"),
            weighted_score=number("weighted_score"),
            method=text("method"),
            core=flag("core"),
            review_score=number("review_score"),
            child=flag("child"),
            shared=flag("shared"),
        )


def evaluation_from_dict(data: Any, file: str = "JSON") -> Evaluation:
    """One form from its contract object; ``file`` names the input in errors."""
    r = _Reader(file)
    d = r.obj(data, "（根）")
    template = r.text(d.get("template"), "template")
    if not template:
        raise r.fail("template", "缺少模板 ID")
    year = d.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise r.fail("year", f"年度应为整数，而不是 {year!r}")
    p, f, g = (
        r.obj(d.get("project"), "project"),
        r.obj(d.get("funding"), "funding"),
        r.obj(d.get("goals"), "goals"),
    )
    unit = r.text(f.get("unit"), "funding.unit")
    if unit is not None and unit not in {u.value for u in AmountUnit}:
        raise r.fail("funding.unit", f"金额单位应为 万元 或 元，而不是 {unit!r}")
    recurring = p.get("recurring")
    if recurring is not None and not isinstance(recurring, bool):
        raise r.fail("project.recurring", "应为 true、false 或 null")
    breakdown = r.obj(f.get("breakdown"), "funding.breakdown")
    indicators = d.get("indicators") or []
    if not isinstance(indicators, list):
        raise r.fail("indicators", "应为列表")
    source = r.obj(d.get("source"), "source")
    source_file = r.text(source.get("file"), "source.file")
    return Evaluation(
        template=template,
        year=year,
        project=Project(
            **{k: r.text(p.get(k), f"project.{k}") for k in PROJECT_KEYS if k != "recurring"},
            recurring=recurring,
        ),
        funding=Funding(
            total=r.line(f, "funding") or FundingLine(),
            **{k: r.line(breakdown.get(k), f"funding.breakdown.{k}") for k in BREAKDOWN_KEYS},
            extra=r.extra_lines(breakdown),
            prior_year_budget=r.figure(f.get("prior_year_budget"), "funding.prior_year_budget"),
            unit=AmountUnit(unit) if unit else None,
        ),
        goals=Goals(
            r.text(g.get("expected"), "goals.expected"), r.text(g.get("actual"), "goals.actual")
        ),
        indicators=tuple(r.indicator(ind, f"indicators[{i}]") for i, ind in enumerate(indicators)),
        total=r.figure(d.get("total"), "total"),
        total_points=r.figure(d.get("total_points"), "total_points"),
        grade=r.text(d.get("grade"), "grade"),
        evaluated_on=r.day(d.get("evaluated_on"), "evaluated_on"),
        **{k: r.text(d.get(k), k) for k in NARRATIVE_KEYS},
        conclusion=r.text(d.get("conclusion"), "conclusion"),
        choices=r.choices(d.get("choices")),
        source=FormSource(
            source_file,
            source.get("form_index") or 0,
            tuple(p for p in source.get("unprinted") or () if isinstance(p, str) and is_path(p)),
        )
        if source_file
        else None,
        problems=tuple(
            Problem(
                # a null field or message is kept as written (the JSON goes back as it came)
                cast(str, r.text(x.get("field"), "problems")),
                cast(str, r.text(x.get("message"), "problems")),
                r.text(x.get("raw"), "problems"),
            )
            for x in (r.obj(x, "problems") for x in d.get("problems") or [])
        ),
        sources={
            path: Source(
                source_file or file,
                **{
                    k: v
                    for k, v in r.obj(s, f"sources.{path}").items()
                    if k in ("line", "page", "sheet", "cell")
                },
                box=_box(r.obj(s, f"sources.{path}").get("box")),
            )
            for path, s in r.obj(d.get("sources"), "sources").items()
        },
    )
