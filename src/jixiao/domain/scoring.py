"""The scoring rules (评分规则): every computed figure of a form, with its reason.

Each function returns a :class:`Figure`: the value (or the allowed range, where
the rules leave a judgement to the evaluator) and a one-line Chinese
explanation that shows the arithmetic, e.g.
``执行率 = 8.98 ÷ 9.00 = 99.777…% → 舍去 → 99.77%``.
Rounding happens only in :func:`round_figure`.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Any, Final

from jixiao.domain.model import FundingLine, Indicator
from jixiao.domain.normalize import fold, squash
from jixiao.domain.targets import (
    ACHIEVED_WORDS,
    DATE_UNIT,
    MISSED_WORDS,
    PARTIAL_WORDS,
    Op,
    Target,
    as_date,
    date_words,
    format_target,
    same_unit,
)
from jixiao.domain.template import Band, Grade, InverseFormula, Rounding, Template

HUNDRED: Final = Decimal(100)
ZERO = Decimal(0)


class Figure:
    """A computed figure. ``value`` when the rules fix it; ``low``/``high`` when
    they allow a range (qualitative bands); neither when it cannot be computed,
    and then ``explanation`` says why. ``raw``: the unrounded figure that was
    cut to ``value``.

    Never changed once made. A plain class with its own ``__init__``, not a
    dataclass: a form has some fifteen figures, and compiled (setup.py) this
    makes them in C, where a dataclass's generated ``__init__`` stays Python."""

    __slots__ = ("high", "low", "raw", "value", "why")

    def __init__(
        self,
        value: Decimal | None,
        why: str | tuple[Any, ...],
        low: Decimal | None = None,
        high: Decimal | None = None,
        raw: Decimal | None = None,
    ) -> None:
        self.value = value
        self.why = why  # the explanation, or (function, *arguments) that writes it when asked
        self.low = low
        self.high = high
        self.raw = raw

    # copy and pickle: compiled, there is no other way to make one
    def __reduce__(self) -> tuple[Any, ...]:
        return Figure, (self.value, self.why, self.low, self.high, self.raw)

    def __repr__(self) -> str:
        return f"Figure({self.value!r}, {self.explanation!r}, low={self.low!r}, high={self.high!r}, raw={self.raw!r})"

    @property
    def explanation(self) -> str:
        """The arithmetic in one Chinese line. Written when asked: the audit reads
        it only for a figure that differs, so most figures never need it."""
        why = self.why
        return why if isinstance(why, str) else why[0](*why[1:])

    @property
    def is_range(self) -> bool:
        return self.value is None and self.low is not None

    @property
    def computable(self) -> bool:
        return self.value is not None or self.is_range

    def accepts(self, printed: Decimal) -> bool | None:
        """Whether a printed figure agrees with this one (None: cannot tell)."""
        if self.value is not None:
            return printed == self.value
        if self.low is not None and self.high is not None:  # a range
            return self.low <= printed <= self.high
        return None


_MODES: Final = {
    # Negative figures do not occur on forms, but the direction of a cut must
    # not flip for them: "down" is toward −∞ like ROUND_FLOOR, "up" toward +∞.
    Rounding.DOWN: ROUND_FLOOR,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.UP: ROUND_CEILING,
}


_QUANTA: Final = {places: Decimal(1).scaleb(-places) for places in range(9)}  # 2 → Decimal("0.01")


def _quantum(places: int) -> Decimal:
    return _QUANTA.get(places) or Decimal(1).scaleb(-places)


def round_figure(value: Decimal, mode: Rounding, decimals: int = 2) -> Decimal:
    """The one place a figure is cut to its printed places."""
    # _room_for written out: this runs some thirty times a form.
    if value.adjusted() + decimals + 2 > 28:
        return value.quantize(
            _quantum(decimals), rounding=_MODES[mode], context=_room_for(value, decimals)
        )
    # Positional: keyword arguments cost decimal's C code twice the call.
    return value.quantize(_QUANTA.get(decimals) or _quantum(decimals), _MODES[mode])


def _room_for(value: Decimal, decimals: int) -> Context | None:
    """A context with enough digits for a huge figure (9.53 ÷ 1e-30 has 31 before
    the point); None, the default context, for every figure a form really holds."""
    digits = value.adjusted() + decimals + 2
    return Context(prec=digits) if digits > 28 else None


def show(value: Decimal, decimals: int = 2) -> str:
    """An unrounded figure for an explanation: exact when short, else cut with "…"."""
    shown = value.quantize(
        _quantum(decimals + 1), rounding=ROUND_FLOOR, context=_room_for(value, decimals + 1)
    )
    if shown == value:
        text = format(value.normalize(), "f")
        if "." not in text or len(text.split(".")[1]) < decimals:
            text = format(
                value.quantize(_quantum(decimals), context=_room_for(value, decimals)), "f"
            )
        return text
    return format(shown, "f") + "…"


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else format(value, "f")


def _rounded(value: Decimal, template: Template, suffix: str = "") -> str:
    """ "= 99.777…% → 舍去 → 99.77%": the rounding step of an explanation."""
    cut = round_figure(value, template.rounding, template.decimals)
    exact = show(value, template.decimals)
    if cut == value:
        return f"{exact}{suffix}"
    return f"{exact}{suffix} → {template.rounding.label} → {_fmt(cut)}{suffix}"


# --- 项目资金: execution rate and its score ---------------------------------


def rate_budget(line: FundingLine, template: Template | None = None) -> Decimal | None:
    """The budget 执行率 is measured against: 全年预算数, or the first of the
    template's ``execution_base`` the row prints (年初预算数 on a department form
    that prints no 全年预算数)."""
    if template is None:
        return line.annual_budget
    for key in template.execution_base:
        value: Decimal | None = getattr(line, key)
        if value is not None:
            return value
    return None


def execution_ratio(line: FundingLine, template: Template | None = None) -> Decimal | None:
    """全年执行数 ÷ 全年预算数 (:func:`rate_budget`), unrounded; 0 for a part with
    nothing budgeted or spent."""
    budget, spent = rate_budget(line, template), line.executed
    if budget is None or spent is None:
        return None
    if budget == 0:
        return ZERO if spent == 0 else None
    return spent / budget


def execution_rate(line: FundingLine, template: Template) -> Figure:
    """执行率(%) = 全年执行数 ÷ 全年预算数 × 100, cut to the template's places."""
    budget, spent = rate_budget(line, template), line.executed
    if budget is None or spent is None:
        return Figure(None, "全年预算数或全年执行数缺失，无法计算执行率")
    ratio = execution_ratio(line, template)
    if ratio is None:
        return Figure(None, f"全年预算数为 0 而执行数为 {_fmt(spent)}，无法计算执行率")
    if budget == 0:
        return Figure(
            round_figure(ZERO, template.rounding, template.decimals),
            "全年预算数与执行数均为 0：执行率记 0.00%",
            raw=ZERO,
        )
    rate = ratio * HUNDRED
    value = round_figure(rate, template.rounding, template.decimals)
    return Figure(value, (_rate_words, spent, budget, rate, template), raw=rate)


def _rate_words(spent: Decimal, budget: Decimal, rate: Decimal, template: Template) -> str:
    return f"执行率 = {_fmt(spent)} ÷ {_fmt(budget)} = {_rounded(rate, template, '%')}"


def execution_score(line: FundingLine, template: Template, points: Decimal | None = None) -> Figure:
    """得分 = 全年执行数 ÷ 全年预算数 × 分值, capped at the points.

    Taken from the unrounded ratio (the seeds print the same either way)."""
    points = points if points is not None else line.points
    if points is None:
        points = template.execution_points
    if points is None:
        return Figure(None, "该模板的项目资金不计分")
    ratio = execution_ratio(line, template)
    if ratio is None:
        return Figure(None, "无法计算执行率，得分无从计算")
    raw = ratio * points
    if raw > points:
        capped = round_figure(points, template.rounding, template.decimals)
        return Figure(capped, (_score_words, line, points, raw, capped, template), raw=points)
    value = round_figure(raw, template.rounding, template.decimals)
    return Figure(value, (_score_words, line, points, raw, None, template), raw=raw)


def _score_words(
    line: FundingLine, points: Decimal, raw: Decimal, capped: Decimal | None, template: Template
) -> str:
    budget = rate_budget(line, template)
    head = f"得分 = {_fmt(line.executed)} ÷ {_fmt(budget)} × {_fmt(points)}"
    if budget == 0:
        head = f"得分 = 0 × {_fmt(points)}"
    if capped is not None:
        return f"{head} = {show(raw)} → 不超过分值 → {_fmt(capped)}"
    return f"{head} = {_rounded(raw, template)}"


def execution_band_score(
    rate: Decimal | None, points: Decimal | None, template: Template
) -> Figure:
    """Old template: the 预算执行率 indicator scored by bands (≥90% → full …)."""
    if rate is None:
        return Figure(None, "预算执行率缺失，无法按档次评分")
    if points is None:
        return Figure(None, "权重缺失，无法按档次评分")
    bands = sorted(template.execution_bands, key=lambda b: -b.min)
    full = max((b.high for b in bands), default=points)
    scale = points / full if full else Decimal(1)
    for band in bands:
        if rate >= band.min:
            low = round_figure(band.low * scale, template.rounding, template.decimals)
            high = round_figure(band.high * scale, template.rounding, template.decimals)
            where = f"预算执行率 {_fmt(rate)}% ≥ {_fmt(band.min)}%"
            if low == high:
                return Figure(low, f"{where} → {_fmt(low)} 分")
            return Figure(None, f"{where} → {_fmt(low)}–{_fmt(high)} 分（档内酌情）", low, high)
    return Figure(
        round_figure(ZERO, template.rounding), f"预算执行率 {_fmt(rate)}% 低于各档 → 0 分"
    )


# --- indicators ---------------------------------------------------------------


def judgement_score(points: Decimal | None, template: Template) -> Figure:
    """Old template: an indicator scored by its 评分规则 in words. The evaluator
    judges, so any score from 0 to the indicator's 权重 is allowed."""
    if points is None:
        return Figure(None, "权重缺失，无法计分")
    low = round_figure(ZERO, template.rounding, template.decimals)
    high = round_figure(points, template.rounding, template.decimals)
    return Figure(None, f"按评分规则酌情评分：{_fmt(low)}–{_fmt(high)} 分", low, high)


def band_for_actual(actual: Target | None) -> str | None:
    """Which qualitative band the words of an actual claim: achieved / partial / missed."""
    if actual is None or actual.quantitative or not actual.text:
        return None
    return _band_of_words(actual.text)


@lru_cache(maxsize=1024)  # a few words ("达成指标", "已完成") on form after form
def _band_of_words(text: str) -> str | None:
    if any(w in text for w in MISSED_WORDS):
        return "missed"
    if any(w in text for w in PARTIAL_WORDS):
        return "partial"
    if any(w in text for w in ACHIEVED_WORDS):
        return "achieved"
    return None


def band_range(points: Decimal, band: Band, template: Template) -> tuple[Decimal, Decimal]:
    low = round_figure(points * band.min / HUNDRED, template.rounding, template.decimals)
    high = round_figure(points * band.max / HUNDRED, template.rounding, template.decimals)
    return low, high


def target_met(target: Target, actual: Decimal) -> bool:
    """Whether an actual meets a quantitative target (no comparator counts as ≥)."""
    value, op = target.value, target.op
    assert value is not None, "a quantitative target"
    if op is None or op is Op.GE:
        return actual >= value
    if op is Op.GT:
        return actual > value
    if op is Op.LE:
        return actual <= value
    if op is Op.LT:
        return actual < value
    return actual == value  # Op.EQ


def indicator_score(indicator: Indicator, template: Template) -> Figure:
    """The score an indicator earns under the rules, or its allowed range."""
    points = indicator.points
    if points is None:
        return Figure(None, "分值缺失，无法计分")
    target, actual = indicator.target_parsed, indicator.actual_parsed
    if target is None:
        return Figure(None, "年度指标值缺失，无法计分")
    if actual is None:
        return Figure(None, "实际完成值缺失，无法计分")
    if target.unit == DATE_UNIT:
        done = as_date(actual)
        if done is not None:
            return _deadline_score(target, done, points, template)
    if target.quantitative and actual.quantitative:
        return _quantitative_score(target, actual, points, template)
    return _band_score(target, actual, points, template)


def deadline_met(target: Target, done: Target) -> bool:
    """Whether a date meets a deadline or date target: on or before its day
    (a single day printed as the target counts as "by that day")."""
    assert target.value is not None and done.value is not None, "two dates"
    if target.op is Op.LT:
        return done.value < target.value
    if target.op in (Op.GE, Op.GT):  # "不早于": rare, taken as written
        return done.value >= target.value if target.op is Op.GE else done.value > target.value
    return done.value <= target.value


def _deadline_score(target: Target, done: Target, points: Decimal, template: Template) -> Figure:
    """A deadline (时限) met earns the points; missed, the rules give no proportion
    (a date is not a quantity): a judgement below the 部分达成 band's top."""
    if deadline_met(target, done):
        full = round_figure(points, template.rounding, template.decimals)
        return Figure(full, (_deadline_met_words, target, done, full))
    low = round_figure(ZERO, template.rounding, template.decimals)
    high = round_figure(
        points * template.band("partial").max / HUNDRED, template.rounding, template.decimals
    )
    return Figure(None, (_deadline_missed_words, target, done, low, high), low, high)


def _deadline_met_words(target: Target, done: Target, full: Decimal) -> str:
    return f"完成于 {date_words(done)}，在时限 {date_words(target)} 以内 → 满分 {_fmt(full)}"


def _deadline_missed_words(target: Target, done: Target, low: Decimal, high: Decimal) -> str:
    return (
        f"完成于 {date_words(done)}，晚于时限 {date_words(target)}：未按期完成，"
        f"酌情 {_fmt(low)}–{_fmt(high)}（不超过「部分达成」档的上限）"
    )


def _band_score(target: Target, actual: Target, points: Decimal, template: Template) -> Figure:
    key = band_for_actual(actual)
    kind = "定性指标" if not target.quantitative else "定量指标的实际完成值为文字"
    if key is None:
        low, high = round_figure(ZERO, template.rounding), points
        return Figure(
            None,
            f"{kind}「{format_target(actual)}」：看不出完成档次，可得 0–{_fmt(points)}",
            low,
            high,
        )
    band = template.band(key)
    low, high = band_range(points, band, template)
    return Figure(None, (_band_words, kind, actual, band, points, low, high), low, high)


def _band_words(
    kind: str, actual: Target, band: Band, points: Decimal, low: Decimal, high: Decimal
) -> str:
    return (
        f"{kind}「{format_target(actual)}」→「{band.label}」档 {_fmt(band.min)}%–{_fmt(band.max)}% × "
        f"{_fmt(points)} → {_fmt(low)}–{_fmt(high)}"
    )


def _quantitative_score(
    target: Target, actual: Target, points: Decimal, template: Template
) -> Figure:
    if target.unit and actual.unit and not same_unit(target.unit, actual.unit):
        return Figure(
            None, f"单位不一致（指标值 {target.unit}，完成值 {actual.unit}），无法按比例计分"
        )
    t, a = target.value, actual.value
    assert t is not None and a is not None, "both quantitative"
    if target_met(target, a):
        full = round_figure(points, template.rounding, template.decimals)
        if over_achieved(target, a, template):
            return _over_achievement_score(target, actual, points, template)
        return Figure(full, (_met_words, target, actual, full))
    if t == 0:
        zero = round_figure(ZERO, template.rounding, template.decimals)
        return Figure(zero, (_zero_target_words, target, actual))
    raw, _ = _proportional(target, a, points, template)
    raw = min(raw, points)
    value = round_figure(raw, template.rounding, template.decimals)
    return Figure(value, (_missed_words, target, actual, points, raw, template))


def over_achieved(target: Target | None, actual: Decimal, template: Template) -> bool:
    """Whether a rule pack's over-achievement deduction applies: a ≥ target (or one
    with no comparator) beaten by ``rules.over_achievement_at`` percent or more."""
    rules = template.rules
    at = rules.over_achievement_at
    if rules.over_achievement_deduction is None or at is None or target is None:
        return False
    t = target.value
    if t is None or t <= 0:
        return False
    return target.op in (None, Op.GE, Op.GT) and actual * HUNDRED >= t * at


def _over_achievement_score(
    target: Target, actual: Target, points: Decimal, template: Template
) -> Figure:
    """超额完成扣分: the points less the rule pack's deduction, never below 0."""
    deduction = template.rules.over_achievement_deduction
    assert deduction is not None, "over_achieved() said it applies"
    value = round_figure(max(points - deduction, ZERO), template.rounding, template.decimals)
    return Figure(
        value, (_over_achievement_words, target, actual, points, deduction, value, template)
    )


def _over_achievement_words(
    target: Target,
    actual: Target,
    points: Decimal,
    deduction: Decimal,
    value: Decimal,
    template: Template,
) -> str:
    unit, wanted = _wanted(target, actual)
    assert actual.value is not None and target.value is not None, "quantitative"
    percent = round_figure(actual.value * HUNDRED / target.value, Rounding.DOWN, 0)
    return (
        f"完成值 {_fmt(actual.value)}{unit} 为指标值 {wanted} 的 {_fmt(percent)}%，"
        f"达到 {_fmt(template.rules.over_achievement_at)}%：视为指标值设置偏低，"
        f"{_fmt(points)} − {_fmt(deduction)} = {_fmt(value)}"
    )


NOT_APPLICABLE_WORDS = frozenset({"不适用", "不涉及", "无此项", "本年度不适用", "不适用本项目"})


def not_applicable(indicator: Indicator) -> bool:
    """An indicator the form marks as not applying (不适用, 不涉及) in its 实际完成值,
    年度指标值 or 得分 column (a rule pack may leave it out of the total)."""
    for text in (indicator.actual, indicator.target):
        if text and squash(fold(text)) in NOT_APPLICABLE_WORDS:
            return True
    return False


def _proportional(
    target: Target, a: Decimal, points: Decimal, template: Template
) -> tuple[Decimal, str]:
    """The score of a missed target before the cap, and its formula in words."""
    t = target.value
    assert t is not None, "a quantitative target"
    if target.op not in (Op.LE, Op.LT):
        return max(points * a / t, ZERO), f"{_fmt(points)} × {_fmt(a)} ÷ {_fmt(t)}"
    if template.inverse_formula is InverseFormula.LINEAR:
        return max(
            points * (1 - (a - t) / t), ZERO
        ), f"{_fmt(points)} × (1 − ({_fmt(a)} − {_fmt(t)}) ÷ {_fmt(t)})"
    return points * t / a, f"{_fmt(points)} × {_fmt(t)} ÷ {_fmt(a)}"


def _wanted(target: Target, actual: Target) -> tuple[str, str]:
    """The unit, and the target in words: "≥90.00%"."""
    unit = target.unit or actual.unit or ""
    return unit, f"{target.op.value if target.op else '≥'}{_fmt(target.value)}{unit}"


def _met_words(target: Target, actual: Target, full: Decimal) -> str:
    unit, wanted = _wanted(target, actual)
    return f"完成值 {_fmt(actual.value)}{unit} 满足 {wanted} → 满分 {_fmt(full)}"


def _zero_target_words(target: Target, actual: Target) -> str:
    unit, wanted = _wanted(target, actual)
    return f"指标值为 0 而完成值 {_fmt(actual.value)}{unit} 未满足 {wanted} → 0 分"


def _missed_words(
    target: Target, actual: Target, points: Decimal, raw: Decimal, template: Template
) -> str:
    unit, wanted = _wanted(target, actual)
    assert actual.value is not None, "a quantitative actual"
    _, how = _proportional(target, actual.value, points, template)
    kind = "反向指标" if target.op in (Op.LE, Op.LT) else "正向指标"
    return f"完成值 {_fmt(actual.value)}{unit} 未满足 {wanted}（{kind}）：{how} = {_rounded(raw, template)}"


def group_scored(indicator: Indicator, template: Template) -> Figure:
    """A row of a layout that prints no 分值 per row (points only in block headers,
    the Hubei city layout): its score is checked within its block's points."""
    group = next((g for g in template.groups if g.name == indicator.level1), None)
    if group is None:
        return Figure(None, "本表不列指标分值，无法单独计分")
    return Figure(
        None,
        f"本表不列指标分值：得分计入「{group.name}」（{_fmt(group.points)} 分）的合计核对",
    )


def weighted_score(indicator: Indicator, template: Template) -> Figure:
    """折算得分 = 单项指标得分 × 权重占比(%) ÷ 100 (the Hebei layout: 25 × 25% = 6.25),
    cut to the template's places."""
    score, share = indicator.score, indicator.weight_share
    if score is None:
        return Figure(None, "单项指标得分缺失，无法计算折算得分")
    if share is None:
        return Figure(None, "权重占比缺失，无法计算折算得分")
    raw = score * share / HUNDRED
    value = round_figure(raw, template.rounding, template.decimals)
    return Figure(value, (_weighted_words, score, share, raw, template), raw=raw)


def _weighted_words(score: Decimal, share: Decimal, raw: Decimal, template: Template) -> str:
    return f"折算得分 = {_fmt(score)} × {_fmt(share)}% = {_rounded(raw, template)}"


# --- total and grade ------------------------------------------------------------


def total_score(parts: list[tuple[str, Decimal | None]], template: Template) -> Figure:
    """总分 = the sum of the execution score and the indicator scores.

    ``parts`` are (field path, score) in printed order; a missing score makes the
    total not computable and the explanation names the field."""
    return sum_figure("总分", parts)


def rescaled_total(total: Figure, left_out: Decimal, template: Template) -> Figure:
    """不适用指标剔除后折算: the total of the indicators that apply (and the
    execution score) rescaled to the template's points, when a rule pack says so:
    合计 ÷ (总分值 − 不适用分值) × 总分值."""
    if total.value is None or not left_out:
        return total
    base = template.total_points - left_out
    if base <= 0:
        return Figure(None, f"不适用指标的分值合计 {_fmt(left_out)} 不小于总分值，无法折算")
    raw = total.value * template.total_points / base
    value = round_figure(raw, template.rounding, template.decimals)
    return Figure(value, (_rescaled_words, total, left_out, raw, template), raw=raw)


def _rescaled_words(total: Figure, left_out: Decimal, raw: Decimal, template: Template) -> str:
    points = template.total_points
    return (
        f"{total.explanation}；不适用指标 {_fmt(left_out)} 分剔除后折算："
        f"{_fmt(total.value)} ÷ ({_fmt(points)} − {_fmt(left_out)}) × {_fmt(points)} = "
        f"{_rounded(raw, template)}"
    )


def cap_rate(line: FundingLine, template: Template) -> Decimal | None:
    """The execution rate (%) a total cap looks at: from the amounts, else as printed."""
    ratio = execution_ratio(line, template)
    return ratio * HUNDRED if ratio is not None else line.execution_rate


def capped_total(total: Figure, rate: Decimal | None, template: Template) -> Figure:
    """总分按执行率封顶: the total at most the cap a rule pack sets for the form's
    execution rate (%); unchanged without such a rule, a rate or a total."""
    if total.value is None or rate is None or not template.rules.total_caps:
        return total
    cap = template.rules.total_cap(rate)
    if cap is None or total.value <= cap:
        return total
    value = round_figure(cap, template.rounding, template.decimals)
    return Figure(value, (_capped_words, total, rate, cap, value, template))


def _capped_words(
    total: Figure, rate: Decimal, cap: Decimal, value: Decimal, template: Template
) -> str:
    band = min(c.below for c in template.rules.total_caps if c.cap == cap)
    return (
        f"{total.explanation}；执行率 {_fmt(rate)}% 低于 {_fmt(band)}%，总分不高于 {_fmt(cap)} "
        f"→ {_fmt(value)}"
    )


def sum_figure(label: str, parts: list[tuple[str, Decimal | None]], noun: str = "得分") -> Figure:
    """``label`` = the sum of ``parts`` (field path, value), e.g. a group's 权重合计."""
    missing = [path for path, value in parts if value is None]
    if missing:
        return Figure(None, f"{noun}缺失（{', '.join(missing)}），无法计算{label}")
    total = sum((value for _, value in parts if value is not None), ZERO)  # none is, by now
    return Figure(total, (_sum_words, label, tuple(parts), total))


def _sum_words(label: str, parts: tuple[tuple[str, Decimal], ...], total: Decimal) -> str:
    terms = " + ".join(_fmt(value) for _, value in parts) or "0"
    return f"{label} = {terms} = {_fmt(total)}"


def grade(total: Decimal | None, template: Template) -> tuple[Grade | None, str]:
    """The grade a total earns under the template's bands, with the reason."""
    if total is None:
        return None, "总分缺失，无法评级"
    earned = template.grade_for(total)
    higher = [g for g in template.grades if g.min > earned.min]
    upper = f" < {_fmt(min(g.min for g in higher))}" if higher else ""
    return earned, f"总分 {_fmt(total)}：{_fmt(earned.min)} ≤ 总分{upper} → {earned.label}"
