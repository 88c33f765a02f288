"""计分: each indicator's score against its points and the scoring rules.

The rule's figure for a score (full points, the proportional figure, the
qualitative band; in the old template the 预算执行率 row's execution band or the
judgement range 0–权重) comes from :mod:`jixiao.domain.recompute`, as do the
old template's group sums."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from jixiao.contract import paths
from jixiao.domain import scoring
from jixiao.domain.audit.finding import Finding, Severity, rule, shown
from jixiao.domain.audit.settings import settings
from jixiao.domain.model import Evaluation, Indicator
from jixiao.domain.recompute import Check, Status
from jixiao.domain.scoring import HUNDRED, Figure
from jixiao.domain.targets import DATE_UNIT, Op, same_unit
from jixiao.domain.template import Template

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

ABOVE_POINTS = rule(
    "score-above-points",
    "scoring",
    E,
    "得分超过分值",
    "指标得分大于其分值。",
    "得分 {printed} 超过分值 {points}",
    "score {printed} exceeds the indicator's points, {points}",
    {"printed": "22.00", "points": "20.00"},
)
MISSING = rule(
    "score-missing",
    "scoring",
    E,
    "得分缺失",
    "指标有分值而没有得分。",
    "「{name}」有分值 {points} 而没有得分",
    "indicator “{name}” has {points} points but no score",
    {"name": "巡查频次", "points": "10.00"},
)
FULL_BUT_MISSED = rule(
    "full-score-target-missed",
    "scoring",
    E,
    "未完成定量指标却得满分",
    "定量指标的实际完成值没有达到年度指标值，按规则应按比例扣分，表上却给了满分；时限指标（如「9月前」）"
    "完成晚于时限而得满分也是如此（提前完成算达成）。",
    "完成值 {actual} 未达到 {target}，却得满分 {printed}；按规则应为 {expected}",
    "actual {actual} misses the target {target} yet scores full {printed}; the rule gives {expected}",
    {"actual": "118.00(公里)", "target": "≥120(公里)", "printed": "20.00", "expected": "19.66"},
)
RULE_DIFFERS = rule(
    "score-rule-differs",
    "scoring",
    W,
    "得分与按比例计分不符",
    "定量指标的得分与规则算出的分数不同（达标应得满分，未达标按 完成值 ÷ 指标值 × 分值）。"
    "指标值定得过低时可以酌情扣分，所以只是警告。",
    "得分 {printed}，按规则应为 {expected}",
    "score {printed}; the rule gives {expected}",
    {"printed": "9.00", "expected": "10.00"},
)
OUTSIDE_BAND = rule(
    "score-outside-band",
    "scoring",
    E,
    "得分不在档次范围内",
    "定性指标（或旧模板按档次计分的预算执行率）的得分不在完成情况对应的档次范围内。",
    "得分 {printed} 与档次规定的 {expected} 不符",
    "score {printed} is outside what its band allows, {expected}",
    {"printed": "10.00", "expected": "0.00–6.00"},
)
CUT_WITHOUT_REASON = rule(
    "score-cut-without-reason",
    "scoring",
    E,
    "扣分未说明原因",
    "得分低于分值，偏差原因分析及改进措施（旧模板：备注）却是空的。",
    "得分 {score} 低于分值 {points}，未填写偏差原因",
    "score {score} is below the points {points} and no reason for the deviation is given",
    {"score": "9.00", "points": "10.00"},
)
GROUP_ABOVE_POINTS = rule(
    "group-score-above-points",
    "scoring",
    E,
    "一级指标得分超过其分值",
    "旧模板：一个一级指标（如投入与管理 36 分）下各指标自评之和超过该一级指标标明的分值。",
    "「{group}」自评合计 {printed} 超过其分值 {expected}",
    "the scores of {group} add up to {printed}, above its {expected} points",
    {"group": "影响力目标", "printed": "16", "expected": "15"},
)
FAR_ABOVE = rule(
    "actual-far-above-target",
    "scoring",
    W,
    "大幅超额完成未说明",
    "实际完成值达到年度指标值的 130%（模板可调）以上而未说明：指标值可能定得过低。",
    "完成值 {actual} 为指标值 {target} 的 {percent}%，未说明原因",
    "actual {actual} is {percent}% of the target {target}, with no comment",
    {"actual": "160.00(个)", "target": "≥100(个)", "percent": "160"},
)

ALL_EXACTLY_MET = rule(
    "actuals-equal-targets",
    "scoring",
    W,
    "完成值全部恰好等于指标值",
    "每个定量指标（至少 3 个，= 指标除外）的实际完成值都恰好等于年度指标值，且都得满分：完成值可能是照抄指标值，"
    "而不是实际测得的。",
    "{count} 个定量指标的完成值全部恰好等于指标值，且都得满分",
    "all {count} quantitative actuals equal their targets exactly, each at full marks",
    {"count": "6"},
)
FULL_MARKS_LOW_EXECUTION = rule(
    "full-marks-low-execution",
    "scoring",
    W,
    "执行率偏低而指标全部满分",
    "执行率低于 90%（模板可调）而每个指标都得满分：钱没有花完，产出和效益却全部达成，得分可能虚高。",
    "执行率 {rate}% 而 {count} 个指标全部满分",
    "execution is {rate}% yet all {count} indicators score full marks",
    {"rate": "63.53", "count": "8"},
)
FULL_DESPITE_SHORTFALL = rule(
    "full-score-despite-shortfall",
    "scoring",
    W,
    "偏差原因承认未完成却得满分",
    "指标得满分，偏差原因分析却写着未完成、未达到、滞后之类：两者自相矛盾，满分可能虚高。",
    "得满分 {printed}，偏差原因却写「{words}」",
    "full marks {printed}, yet the reason given says “{words}”",
    {"printed": "10.00", "words": "未完成"},
)
QUALITATIVE_FULL = rule(
    "qualitative-full-marks",
    "scoring",
    I,
    "定性指标多且全部满分",
    "定性指标占指标的一半（模板可调）以上（至少 3 个）且全部得满分：定性指标靠评价人判断，"
    "全部满分值得核对依据。",
    "{count} 个指标中 {qualitative} 个是定性指标，全部得满分",
    "{qualitative} of the {count} indicators are qualitative, all at full marks",
    {"count": "8", "qualitative": "5"},
)
OVER_NOT_DEDUCTED = rule(
    "over-achievement-not-deducted",
    "scoring",
    W,
    "大幅超额完成未按规定扣分",
    "模板的规则包规定实际完成值达到指标值一定比例（如 130%）以上的，视为指标值设置偏低，扣减规定分数；"
    "表上的得分没有扣。",
    "超额完成应扣 {deduction} 分：得分 {printed}，应为 {expected}",
    "over-achieved: {deduction} points come off; score {printed}, should be {expected}",
    {"deduction": "2", "printed": "10.00", "expected": "8.00"},
)

# Words of a 偏差原因 that admit the target was not reached (not after 无/没有/不存在).
_SHORTFALL_WORDS = (
    "未完成",
    "未达到",
    "未达成",
    "未实现",
    "未能",
    "滞后",
    "延期",
    "推迟",
    "没有完成",
)
_NEGATED_BEFORE = ("无", "没有", "不存在", "均已", "全部")


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    yield from _hollow(form, template)
    far = settings(template).far_above_target
    reported = {p.field for p in form.problems}  # said once, by completeness
    rescale = template.rules.rescale_not_applicable
    for n, ind in enumerate(form.indicators):
        if ind.child or ind.shared:  # an 其中… row; a row under a merged 得分
            continue
        if rescale and scoring.not_applicable(ind):  # left out by the rule pack
            continue
        path = paths.indicator(n)
        if ind.score is None:
            if ind.points is not None and paths.indicator_score(n) not in reported:
                yield MISSING.finding(
                    paths.indicator_score(n), name=ind.name or path, points=ind.points
                )
        elif ind.points is not None:
            field = paths.indicator_score(n)
            check = figures.get(field)
            found = _score(
                ind,
                ind.score,
                ind.points,
                field,
                check.figure if check is not None else None,
                template,
            )
            if found:
                yield found
            if ind.score == ind.points and ind.deviation:
                words = _shortfall(ind.deviation)
                if words:
                    yield FULL_DESPITE_SHORTFALL.finding(
                        field, printed=ind.score, explanation=ind.deviation, words=words
                    )
            if ind.score < ind.points and not ind.deviation:
                yield CUT_WITHOUT_REASON.finding(
                    f"{path}.deviation",
                    explanation=f"得分 {shown(ind.score)} < 分值 {shown(ind.points)}",
                    score=ind.score,
                    points=ind.points,
                )
        found = _far_above(ind, path, far, template)
        if found:
            yield found
    for j, group in enumerate(template.groups):
        check = figures.get(f"groups[{j}].score")
        if check is not None and check.status is Status.DIFFERS:
            yield GROUP_ABOVE_POINTS.finding(
                check.field,
                printed=check.figure.value,
                expected=group.points,
                explanation=check.figure.explanation,
                group=group.name,
            )


def _score(
    ind: Indicator,
    score: Decimal,
    points: Decimal,
    field: str,
    figure: Figure | None,
    template: Template,
) -> Finding | None:
    # One finding at most: returned, not yielded, as a generator costs more to
    # make than this check (twelve times a form).
    if score > points:
        return ABOVE_POINTS.finding(
            field,
            printed=score,
            expected=points,
            explanation=figure.explanation if figure else None,
            points=points,
        )
    if figure is None or not figure.computable or figure.accepts(score):
        return None
    value = figure.value
    if value is None:  # computable: a range
        band = f"{shown(figure.low)}–{shown(figure.high)}"
        target = ind.target_parsed
        if score == points and target is not None and target.unit == DATE_UNIT:  # a missed deadline
            return FULL_BUT_MISSED.finding(
                field,
                printed=score,
                expected=band,
                explanation=figure.explanation,
                actual=ind.actual,
                target=ind.target,
            )
        return OUTSIDE_BAND.finding(
            field, printed=score, expected=band, explanation=figure.explanation
        )
    if ind.target_parsed is None or not ind.target_parsed.quantitative:
        return OUTSIDE_BAND.finding(
            field, printed=score, expected=value, explanation=figure.explanation
        )
    actual = ind.actual_parsed
    if (
        actual is not None
        and actual.value is not None
        and scoring.over_achieved(ind.target_parsed, actual.value, template)
    ):
        return OVER_NOT_DEDUCTED.finding(
            field,
            printed=score,
            expected=value,
            explanation=figure.explanation,
            deduction=template.rules.over_achievement_deduction,
        )
    if score == points and value < points:
        return FULL_BUT_MISSED.finding(
            field,
            printed=score,
            expected=value,
            explanation=figure.explanation,
            actual=ind.actual,
            target=ind.target,
        )
    return RULE_DIFFERS.finding(
        field, printed=score, expected=value, explanation=figure.explanation
    )


def _far_above(ind: Indicator, path: str, far: Decimal, template: Template) -> Finding | None:
    target, actual = ind.target_parsed, ind.actual_parsed
    if ind.deviation or target is None or actual is None:
        return None
    wanted, done = target.value, actual.value
    if wanted is None or done is None or wanted <= 0:  # not both quantitative
        return None
    if target.op in (Op.LE, Op.LT) or not same_unit(target.unit, actual.unit):
        return None
    if target.unit == DATE_UNIT:  # a date is not a quantity
        return None
    percent = done / wanted * HUNDRED
    if percent < far:
        return None
    return FAR_ABOVE.finding(
        f"{path}.actual",
        printed=ind.actual,
        expected=ind.target,
        actual=ind.actual,
        target=ind.target,
        percent=scoring.round_figure(percent, template.rounding, 0),
    )


def _shortfall(reason: str) -> str | None:
    """The words of a reason that admit a shortfall ("未完成"), or None."""
    for word in _SHORTFALL_WORDS:
        at = reason.find(word)
        if at >= 0 and not reason[max(0, at - 3) : at].endswith(_NEGATED_BEFORE):
            return word
    return None


def _hollow(form: Evaluation, template: Template) -> Iterator[Finding]:
    """Forms scored as if everything was met: every actual its target to the letter,
    full marks beside money not spent, qualitative rows all at full marks."""
    rescale = template.rules.rescale_not_applicable
    rows = [
        ind
        for ind in form.indicators
        if not ind.child
        and not ind.shared
        and ind.points is not None
        and ind.points > 0
        and not (rescale and scoring.not_applicable(ind))
    ]
    if not rows or any(ind.score != ind.points for ind in rows):  # not all full marks
        return
    chosen = settings(template)
    exact = qualitative = 0
    for ind in rows:
        target, actual = ind.target_parsed, ind.actual_parsed
        if target is None or not target.quantitative:
            qualitative += target is not None
            continue
        if target.op is Op.EQ or target.unit == DATE_UNIT:
            continue
        if actual is None or actual.value != target.value:
            exact = -len(rows)  # one actual differs: not copied
        else:
            exact += 1
    if exact >= 3:
        yield ALL_EXACTLY_MET.finding("indicators", count=exact)
    rate = form.funding.total.execution_rate
    if rate is not None and rate < chosen.full_marks_execution_below:
        yield FULL_MARKS_LOW_EXECUTION.finding(
            "indicators",
            printed=rate,
            expected=f"< {shown(chosen.full_marks_execution_below)}",
            rate=rate,
            count=len(rows),
        )
    if qualitative >= 3 and qualitative >= chosen.qualitative_share * len(rows):
        yield QUALITATIVE_FULL.finding("indicators", count=len(rows), qualitative=qualitative)
