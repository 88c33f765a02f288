"""算术: the figures of the form against the figures the rules compute.

The execution rate and score, the total and the points are recomputed by
:mod:`jixiao.domain.recompute` (which asks :mod:`jixiao.domain.scoring`); this
module only turns its verdicts into findings, and adds the sums the rules do
not score (funding parts, points)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache

from jixiao.domain import scoring
from jixiao.domain.audit.finding import Finding, Severity, rule, shown
from jixiao.domain.model import Evaluation, FundingLine
from jixiao.domain.recompute import Check, Status
from jixiao.domain.template import ROUNDINGS, Rounding, Template

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

RATE_DIFFERS = rule(
    "execution-rate-differs",
    "arithmetic",
    E,
    "执行率与金额不符",
    "表上的执行率与 全年执行数 ÷ 全年预算数 在任何舍入方式下都不相等。",
    "执行率 {printed}% 与金额不符：{by_mode}",
    "execution rate {printed}% does not follow from the amounts under any rounding: {by_mode}",
    {"printed": "98.50", "by_mode": "舍去 99.77、四舍五入 99.78、进一 99.78"},
)
SCORE_DIFFERS = rule(
    "execution-score-differs",
    "arithmetic",
    E,
    "资金得分与金额不符",
    "项目资金的得分与 执行率 × 分值（不超过分值）在任何舍入方式下都不相等。",
    "资金得分 {printed} 与金额不符：{by_mode}",
    "execution score {printed} does not follow from the amounts under any rounding: {by_mode}",
    {"printed": "9.50", "by_mode": "舍去 9.97、四舍五入 9.98、进一 9.98"},
)
ROUNDING_DIFFERS = rule(
    "rounding-mode-differs",
    "arithmetic",
    W,
    "舍入方式与模板不同",
    "执行率或资金得分符合某种舍入方式，但不是模板规定的那种。",
    "{what} {printed} 符合「{modes}」，模板规定「{mode}」，应为 {expected}",
    "{what} {printed} fits {modes_en} rounding; the template rounds {mode_en} to {expected}",
    {
        "what": "执行率",
        "printed": "99.78",
        "modes": "四舍五入、进一",
        "mode": "舍去",
        "expected": "99.77",
        "modes_en": "half-up, up",
        "mode_en": "down",
    },
)
ROUNDING_MODES = rule(
    "rounding-modes",
    "arithmetic",
    I,
    "表上数字符合的舍入方式",
    "说明执行率与资金得分符合哪些舍入方式（舍去、四舍五入、进一）：多种都符合时无法从表上判断。",
    "执行率与资金得分符合的舍入方式：{modes}（模板：{mode}）",
    "the execution figures fit {modes_en} rounding (template: {mode_en})",
    {"modes": "舍去、四舍五入", "mode": "舍去", "modes_en": "down, half-up", "mode_en": "down"},
)
PARTS_SUM = rule(
    "funding-parts-sum",
    "arithmetic",
    E,
    "资金来源之和与总额不符",
    "当年财政拨款、上年结转资金、其他资金之和不等于年度资金总额（年初预算数、全年预算数、全年执行数各列）；"
    "年度资金总额为 0 或空白而资金来源有金额，或留空的来源之外各项已超过总额，也是如此。",
    "{column}：各项资金之和 {sum} ≠ 年度资金总额 {total}",
    "{column_en}: the parts add up to {sum}, the total row says {total}",
    {"column": "全年执行数", "sum": "80.94", "total": "80.49", "column_en": "amount spent"},
)
TOTAL_DIFFERS = rule(
    "total-differs",
    "arithmetic",
    E,
    "总分与各项得分之和不符",
    "总分不等于资金得分与各指标得分之和（旧模板：各指标得分之和）；各项得分之和超过总分值时，"
    "说明有得分超过了分值。",
    "总分 {printed} ≠ 各项得分之和 {expected}{beyond}",
    "total {printed} is not the sum of the scores, {expected}{beyond_en}",
    {"printed": "99.00", "expected": "102.00", "beyond": "", "beyond_en": ""},
)
POINTS_SUM = rule(
    "points-sum",
    "arithmetic",
    E,
    "分值合计不符",
    "分值不符合模板：指标分值合计应为 90（旧模板：各一级指标的权重合计为其标明的分值，如投入与管理 36），"
    "资金分值 10，总分值 100。",
    "{what}：{printed}，应为 {expected}",
    "{what_en}: {printed}, should be {expected}",
    {
        "what": "指标分值合计",
        "printed": "85.00",
        "expected": "90",
        "what_en": "indicator points add up to",
    },
)
WEIGHTS_UNUSUAL = rule(
    "weights-unusual",
    "arithmetic",
    I,
    "分值分配与建议不同",
    "一级指标的分值分配与模板建议的（产出 50、效益 30、满意度 10；设成本指标的，成本与产出合计 50）"
    "不同：常有正当理由，值得一看。",
    "一级指标分值为 {split}，建议为 {advised}",
    "the points are split {split}; the template advises {advised}",
    {
        "split": "产出指标 50、效益指标 20、满意度指标 20",
        "advised": "产出指标 50、效益指标 30、满意度指标 10",
    },
)

ABOVE_BUDGET = rule(
    "execution-above-budget",
    "arithmetic",
    W,
    "执行数超过预算数",
    "全年执行数大于全年预算数（执行率超过 100%）：超支或预算未调整。资金得分以分值为限，不因超支而多得。",
    "全年执行数 {printed} 超过{budget} {expected}（执行率 {rate}%）；资金得分以分值 {points} 为限",
    "{printed} spent is above the budget of {expected} ({rate}%); the execution score is capped at "
    "its {points} points",
    {
        "printed": "338.31",
        "expected": "329.77",
        "rate": "102.58",
        "points": "10.00",
        "budget": "全年预算数",
    },
)

TOTAL_ABOVE_CAP = rule(
    "total-above-execution-cap",
    "arithmetic",
    E,
    "总分超过执行率封顶分",
    "模板的规则包规定总分按预算执行率封顶（如执行率 70%–80% 的总分不高于 89 分），表上的总分超过了"
    "封顶分：钱没有花完，总分不能高。",
    "总分 {printed} 超过执行率 {rate}% 所允许的 {cap} 分；应为 {expected}",
    "total {printed} is above the {cap} points an execution rate of {rate}% allows; "
    "it should be {expected}",
    {"printed": "92.00", "rate": "75.00", "cap": "89", "expected": "89.00"},
)
TOTAL_NOT_RESCALED = rule(
    "total-not-rescaled",
    "arithmetic",
    E,
    "不适用指标剔除后总分未折算",
    "模板的规则包规定标为「不适用」的指标不计分，其余得分按总分值折算"
    "（得分合计 ÷ (总分值 − 不适用分值) × 总分值），表上的总分与折算结果不符。",
    "总分 {printed}；{count} 个指标不适用，剔除后折算应为 {expected}",
    "total {printed}; {count} indicators do not apply, and the rest rescaled gives {expected}",
    {"printed": "81.00", "count": "1", "expected": "90.00"},
)

_COLUMNS = {
    "initial_budget": ("年初预算数", "initial budget"),
    "annual_budget": ("全年预算数", "annual budget"),
    "executed": ("全年执行数", "amount spent"),
}


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    yield from _rounding(figures, template)
    yield from _parts(form, template)
    yield from _above_budget(form, template, figures)
    total = figures.get("total")
    if total is not None and total.status is Status.DIFFERS:
        yield _total_by_pack(form, template, total) or _total_differs(form, template, total)
    yield from _points(form, template, figures)
    yield from _weights(form, template)


def _total_differs(form: Evaluation, template: Template, total: Check) -> Finding:
    expected = total.figure.value
    over = expected is not None and expected > template.total_points
    return TOTAL_DIFFERS.finding(
        "total",
        printed=form.total,
        expected=expected,
        explanation=total.figure.explanation,
        beyond=f"，超过总分值 {shown(template.total_points)}：有得分超过了分值" if over else "",
        beyond_en=f", above the {shown(template.total_points)} points: some scores exceed "
        "their points"
        if over
        else "",
    )


def _total_by_pack(form: Evaluation, template: Template, total: Check) -> Finding | None:
    """A total that differs because of a rule pack: above the cap its execution rate
    allows, or not rescaled after indicators that do not apply were left out."""
    printed, expected = form.total, total.figure.value
    if printed is None or expected is None:
        return None
    rules = template.rules
    if rules.total_caps:
        rate = scoring.cap_rate(form.funding.total, template)
        cap = rules.total_cap(rate) if rate is not None else None
        if cap is not None and printed > cap:
            return TOTAL_ABOVE_CAP.finding(
                "total",
                printed=printed,
                expected=expected,
                explanation=total.figure.explanation,
                rate=scoring.round_figure(rate, template.rounding, template.decimals)
                if rate is not None
                else None,
                cap=cap,
            )
    if rules.rescale_not_applicable:
        left_out = [ind for ind in form.indicators if scoring.not_applicable(ind)]
        if left_out:
            return TOTAL_NOT_RESCALED.finding(
                "total",
                printed=printed,
                expected=expected,
                explanation=total.figure.explanation,
                count=len(left_out),
            )
    return None


# --- execution rate and score: which rounding modes the printed figures fit --------


def _rounding(figures: Mapping[str, Check], template: Template) -> Iterator[Finding]:
    common = None  # the modes every printed cut figure fits
    for check in figures.values():
        by_rounding, printed = check.by_rounding, check.printed
        if not by_rounding or printed is None:
            continue
        if check.status is Status.DIFFERS:
            yield _rounding_differs(check, template)
        if common is None:
            common = {mode for mode, value in by_rounding.items() if value == printed}
        elif common:
            common = {mode for mode in common if by_rounding[mode] == printed}
    if common:
        yield _modes_finding(tuple(m for m in ROUNDINGS if m in common), template.rounding)


def _rounding_differs(check: Check, template: Template) -> Finding:
    what = "资金得分" if check.field.endswith(".score") else "执行率"
    fits = check.fitting_modes
    if fits:
        return ROUNDING_DIFFERS.finding(
            check.field,
            printed=check.printed,
            expected=check.figure.value,
            explanation=check.figure.explanation,
            what=what,
            modes=_labels(fits),
            modes_en=_names(fits),
            mode=template.rounding.label,
            mode_en=template.rounding.value,
        )
    by_mode = "、".join(f"{m.label} {shown(v)}" for m, v in check.by_rounding.items())
    made = SCORE_DIFFERS if what == "资金得分" else RATE_DIFFERS
    return made.finding(
        check.field,
        printed=check.printed,
        expected=check.figure.value,
        explanation=check.figure.explanation,
        by_mode=by_mode,
    )


@lru_cache(maxsize=64)  # the same few words on nearly every form: made once per set of modes
def _modes_finding(modes: tuple[Rounding, ...], mode: Rounding) -> Finding:
    return ROUNDING_MODES.finding(
        "funding", modes=_labels(modes), modes_en=_names(modes), mode=mode.label, mode_en=mode.value
    )


def _labels(modes: Iterable[Rounding]) -> str:
    return "、".join(m.label for m in modes)


def _names(modes: Iterable[Rounding]) -> str:
    return ", ".join(m.value for m in modes)


# --- sums the rules do not score ------------------------------------------------------


def _parts(form: Evaluation, template: Template) -> Iterator[Finding]:
    """Each set of parts that divides the 年度资金总额 adds up to it: all the parts,
    or each of the template's partitions (a department form's by source and by use)."""
    parts = form.funding.parts()
    if not parts:
        return
    if not template.funding_partitions:
        yield from _parts_add_up(form, tuple(parts.values()))
        return
    for keys in template.funding_partitions:
        lines = tuple(parts[k] for k in keys if k in parts)
        if lines:
            yield from _parts_add_up(form, lines)


def _parts_add_up(form: Evaluation, lines: tuple[FundingLine, ...]) -> Iterator[Finding]:
    """Every part printed: their sum is the total. A part left blank may be the
    rest, so then the parts printed only must not exceed it (money is never
    negative): a total of 0, or blank, beside a part carrying money is a slip."""
    total_line = form.funding.total
    unread = {p.field for p in form.problems} if form.problems else ()
    for column, (label, label_en) in _COLUMNS.items():
        total = getattr(total_line, column)
        if total is None and f"funding.{column}" in unread:  # unreadable: said by completeness
            continue
        values = [getattr(line, column) for line in lines]
        printed = [
            v for v in values if v is not None
        ]  # not "None in": a Decimal compared with None is slow
        if not printed:
            continue
        added = sum(printed, Decimal(0))
        if len(printed) < len(values):  # a part left blank
            if added <= (total if total is not None else Decimal(0)):
                continue
        elif total is None:
            if not added:
                continue
        elif added == total:
            continue
        terms = " + ".join("空白" if v is None else format(v, "f") for v in values)
        yield PARTS_SUM.finding(
            f"funding.{column}",
            printed=total,
            expected=added,
            explanation=f"{terms} = {shown(added)}"
            + ("（空白的来源不计）" if len(printed) < len(values) else ""),
            column=label,
            column_en=label_en,
            sum=added,
            total=total if total is not None else "空白",
        )


def _above_budget(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    """Spent above the annual budget: said once, on the total row (the score's cap explained)."""
    line = form.funding.total
    budget, spent = scoring.rate_budget(line, template), line.executed
    if budget is None or spent is None or budget <= 0 or spent <= budget:
        return
    rate = figures.get("funding.execution_rate")
    score = figures.get("funding.score")
    why = [c.figure.explanation for c in (rate, score) if c is not None]
    points = line.points if line.points is not None else template.execution_points
    yield ABOVE_BUDGET.finding(
        "funding.executed",
        printed=spent,
        expected=budget,
        explanation="；".join(why) or None,
        rate=rate.figure.value if rate is not None else None,
        points=points if points is not None else "—",
        budget="全年预算数" if line.annual_budget is not None else "年初预算数",
    )


def _points(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    execution = form.funding.total.points
    if (
        template.execution_points is not None
        and execution is not None
        and execution != template.execution_points
    ):
        yield _points_finding(
            "funding.points",
            "项目资金分值",
            "execution points",
            execution,
            template.execution_points,
        )
    if form.total_points is not None and form.total_points != template.total_points:
        yield _points_finding(
            "total_points", "总分值", "total points", form.total_points, template.total_points
        )
    if template.groups:  # each group's weights against its printed points, summed by recompute
        for j, group in enumerate(template.groups):
            check = figures.get(f"groups[{j}].points")
            if check is not None and check.status is Status.DIFFERS:
                yield POINTS_SUM.finding(
                    check.field,
                    printed=check.figure.value,
                    expected=group.points,
                    explanation=check.figure.explanation,
                    what=f"「{group.name}」权重合计",
                    what_en=f"the weights of {group.name} add up to",
                )
        return
    rows = [ind for ind in form.indicators if not ind.child and not ind.shared]
    points = [ind.points for ind in rows if ind.points is not None]
    if not points or len(points) < len(rows):  # one missing: said elsewhere
        return
    added = sum(points, Decimal(0))
    if added != template.indicator_points:
        yield _points_finding(
            "indicators",
            "指标分值合计",
            "indicator points add up to",
            added,
            template.indicator_points,
        )


def _points_finding(
    path: str, what: str, what_en: str, printed: Decimal, expected: Decimal
) -> Finding:
    return POINTS_SUM.finding(path, printed=printed, expected=expected, what=what, what_en=what_en)


def _weights(form: Evaluation, template: Template) -> Iterator[Finding]:
    advised = template.advised_weights
    if not advised or not form.indicators:
        return
    split: dict[str, Decimal] = {}
    for ind in form.indicators:
        if ind.points is None:  # nothing yielded yet: a missing weight means no finding
            return
        key = ind.level1 or "（无一级指标）"
        split[key] = split.get(key, Decimal(0)) + ind.points
    if all(split.get(level1, Decimal(0)) == points for level1, points in advised.items()):
        return
    cost = next((k for k in split if "成本" in k and k not in advised), None)
    output = next((k for k in advised if "产出" in k), None)
    if cost is not None and output is not None:  # 成本指标 beside 产出: the two share 产出's points
        joined = dict(split)
        joined[output] = joined.get(output, Decimal(0)) + joined.pop(cost)
        if all(joined.get(level1, Decimal(0)) == points for level1, points in advised.items()):
            return
        advice = {(f"{output}与{cost}" if k == output else k): v for k, v in advised.items()}
        yield WEIGHTS_UNUSUAL.finding(
            "indicators",
            printed=_split(split),
            expected=_split(advice),
            split=_split(split),
            advised=_split(advice),
        )
        return
    yield WEIGHTS_UNUSUAL.finding(
        "indicators",
        printed=_split(split),
        expected=_split(advised),
        split=_split(split),
        advised=_split(advised),
    )


def _split(points: Mapping[str, Decimal]) -> str:
    return "、".join(f"{name} {shown(p.normalize())}" for name, p in points.items())
