"""文字与表格: numbers in 预期目标 / 实际完成情况 (old template: 项目年度总目标 /
主要绩效) against the indicator table, and results copied from the goal.

A narrative number is a *claim*: a figure with a unit ("441 个", "85%", "9.53
万元") inside a clause. A claim is compared with the indicator whose name
shares most of its words with the clause (character pairs, as Chinese has no
spaces) and whose unit is the claim's; a claim that matches no indicator is
left alone. Money is compared with the 项目资金 amounts when the clause says
what the money is (预算, 执行, 支出 …)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache
from operator import add
from typing import Final

from jixiao.domain.audit.finding import Finding, Severity, rule, shown
from jixiao.domain.audit.settings import settings
from jixiao.domain.audit.units import split_name_unit
from jixiao.domain.model import Evaluation
from jixiao.domain.normalize import FOLDED_CHARACTERS, fold, is_folded
from jixiao.domain.recompute import Check
from jixiao.domain.scoring import round_figure, target_met
from jixiao.domain.targets import (
    Op,
    Target,
    comparator_before,
    normalize_text,
    quantity,
    quantity_at,
    unit_key,
)
from jixiao.domain.template import ROUNDINGS, Rounding, Template

E, W = Severity.ERROR, Severity.WARNING

ACTUAL_DIFFERS = rule(
    "narrative-actual-differs",
    "text",
    E,
    "实际完成情况中的数字与完成值不符",
    "实际完成情况（旧模板：主要绩效）写的数量与指标表中同一指标的实际完成值不同。",
    "{where}写「{printed}」，指标「{name}」的实际完成值为 {expected}",
    "“{printed}” in the {where_en} differs from the actual of “{name}”, {expected}",
    {
        "where": "实际完成情况",
        "printed": "441 个",
        "name": "完成信息化项目咨询评估",
        "expected": "411.00(个)",
        "where_en": "results",
    },
)
TARGET_DIFFERS = rule(
    "narrative-target-differs",
    "text",
    E,
    "预期目标中的数字与指标值不符",
    "预期目标（旧模板：项目年度总目标）写的目标值与指标表中同一指标的年度指标值不同。",
    "{where}写「{printed}」，指标「{name}」的年度指标值为 {expected}",
    "“{printed}” in the {where_en} differs from the target of “{name}”, {expected}",
    {
        "where": "预期目标",
        "printed": "85%",
        "name": "受众满意度",
        "expected": "≥90.00(%)",
        "where_en": "goal",
    },
)
AMOUNT_DIFFERS = rule(
    "narrative-amount-differs",
    "text",
    W,
    "文字中的金额与项目资金不符",
    "预期目标或实际完成情况写的预算或执行金额与项目资金表中的金额都不相同。",
    "{where}写「{printed}」，项目资金表中{what}为 {expected}",
    "“{printed}” in the {where_en} differs from the funding table's {what_en}, {expected}",
    {
        "where": "实际完成情况",
        "printed": "9.35 万元",
        "what": "全年执行数",
        "expected": "9.53 万元",
        "where_en": "results",
        "what_en": "amount spent",
    },
)
COPIED = rule(
    "goals-copied",
    "text",
    W,
    "实际完成情况照抄预期目标",
    "实际完成情况（旧模板：主要绩效）与预期目标相同或几乎相同（去掉标点后相似度达 0.90，模板可调）："
    "没有写出实际完成了什么。",
    "{where}与{goal}{how}",
    "the {where_en}: {how_en} the goal",
    {
        "where": "实际完成情况",
        "goal": "预期目标",
        "how": "完全相同",
        "where_en": "results",
        "how_en": "identical to",
    },
)

# Every alternative starts with its character, which lets the engine skip ahead to one.
_CLAUSES: Final = re.compile(r"[，；。！？;!?\n]|,(?<!\d,)|,(?!\d)")
_FOLDED_OR_SEPARATOR: Final = re.compile(
    f"[{FOLDED_CHARACTERS}，；！？]*"
)  # the separators _CLAUSES always cuts at
_NUMBER: Final = re.compile(r"\d(?<![\d.]\d)\d*(?:,\d{3})*(?:\.\d+)?")  # not after a digit or "."
_MIN_SHARED_PAIRS: Final = 2
_MIN_SHARED_SHARE: Final = 0.3
_UNIT_REACH: Final = 12
_NOT_LETTERS: Final = re.compile(r"[\W_]+")
_COMMON_MARKS: Final = ("，", "。", " ", "%", ".", "；", "、", "：")  # each a \W
# Full-width punctuation, "…" and dashes: each folds to punctuation or a space alone.
_WIDE_PUNCTUATION = "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u3000\u2026\u2013\u2014"
_FOLDED_OR_WIDE: Final = re.compile(f"[{FOLDED_CHARACTERS}{_WIDE_PUNCTUATION}]*")
_MONEY: Final = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
_SPENT_WORDS: Final = ("执行", "支出", "支付", "使用", "花费")
_BUDGET_WORDS: Final = ("预算", "安排", "拨款", "拨付")


class Claim:
    """A figure stated in a narrative: value, unit, the number as printed
    ("441"), and its clause; ``op`` when the narrative states a bound ("95% 以上",
    "不低于 90%"): ``stated_op`` after the figure, or the end of ``before`` (the
    clause up to the figure). ``printed`` and ``op`` are worked out when asked:
    most claims agree with the table and need neither.

    Plain classes here rather than dataclasses, made in C when compiled (see
    :class:`jixiao.domain.scoring.Figure`)."""

    __slots__ = ("before", "clause", "number", "stated_op", "unit", "value")

    def __init__(
        self, value: Decimal, unit: str, number: str, clause: str, stated_op: Op | None, before: str
    ) -> None:
        self.value = value
        self.unit = unit
        self.number = number
        self.clause = clause
        self.stated_op = stated_op
        self.before = before

    def __repr__(self) -> str:
        return f"Claim({self.printed!r} in {self.clause!r})"

    @property
    def printed(self) -> str:
        return f"{self.number}%" if self.unit == "%" else f"{self.number} {self.unit}"

    @property
    def op(self) -> Op | None:
        return self.stated_op or comparator_before(self.before)


class _Narrative:
    """A narrative of the form: its field, what it is called, and which column of
    the indicator table its figures speak of (targets, or actuals)."""

    __slots__ = ("column", "field", "label", "label_en", "text")

    def __init__(self, field: str, label: str, label_en: str, column: str, text: str) -> None:
        self.field = field
        self.label = label
        self.label_en = label_en
        self.column = column
        self.text = text


def narratives(form: Evaluation, template: Template) -> list[_Narrative]:
    """预期目标 (old template: 项目年度总目标), 实际完成情况, and the old template's 主要绩效."""
    label = template.derived("audit.labels", _labels)
    found = [
        _Narrative(
            "goals.expected",
            label.get("expected", "预期目标"),
            "goal",
            "target",
            form.goals.expected or "",
        ),
        _Narrative(
            "goals.actual",
            label.get("actual_goal", "实际完成情况"),
            "results",
            "actual",
            form.goals.actual or "",
        ),
        _Narrative(
            "achievements",
            label.get("achievements", "主要绩效"),
            "achievements",
            "actual",
            form.achievements or "",
        ),
    ]
    return [n for n in found if n.text]


def _labels(template: Template) -> dict[str, str]:
    """Each column's label as the template prints it (made once per template)."""
    return {column: names[0] for column, names in template.columns.items() if names}


def findings(
    form: Evaluation, template: Template, figures: Mapping[str, Check]
) -> Iterator[Finding]:
    table = None
    told = narratives(form, template)
    for narrative in told:
        found = claims(narrative.text)
        if found:
            table = table or _table_figures(form)
            yield from _against_table(form, found, narrative, table[narrative.column])
    goal = next((n for n in told if n.column == "target"), None)
    results = [n for n in told if n.column == "actual"]
    if goal is not None and results:
        goal_letters = _letters(goal.text)
        for narrative in results:
            yield from _copied(goal, goal_letters, narrative, settings(template).near_copy)


# --- claims -------------------------------------------------------------------------


def claims(text: str) -> tuple[Claim, ...]:
    """Every figure with a unit in a narrative, with its clause."""
    found = []
    # Most narratives need no folding but for the separators, which no clause
    # holds: then no piece of a clause needs it either.
    all_folded = _FOLDED_OR_SEPARATOR.fullmatch(text) is not None
    # One scan for the numbers of the whole narrative: none spans a separator
    # (a comma between digits is none), and each separator is one character, so
    # the clause of a number is found by walking the clauses alongside.
    clauses = iter(_CLAUSES.split(text))
    clause, start_of, end_of, folded = "", 0, -1, None
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        while start > end_of:  # the number lies in a later clause
            start_of = end_of + 1
            clause = next(clauses)
            end_of = start_of + len(clause)
            folded = None
        if (
            start and text[start - 1] == "第"
        ):  # an ordinal: 第 2 年 (a clause never starts after 第)
            continue
        if folded is None:
            folded = all_folded or is_folded(clause)
        # The unit follows within a few characters; the rest of the clause is not needed.
        stop = min(end + _UNIT_REACH, end_of)
        if folded:
            parsed = quantity_at(text, start, stop)
        else:
            read = quantity(normalize_text(text[start:stop]))
            parsed = read[:3] if read is not None else None
        if parsed is None:
            continue
        op, value, unit = parsed
        if not unit or (unit == "年" and value >= 1000):  # no unit; a year, not a count of years
            continue
        found.append(Claim(value, unit, match.group(), clause.strip(), op, text[start_of:start]))
    return tuple(found)


def _letters(text: str) -> str:
    """A text without spaces and punctuation, folded: what comparisons look at."""
    # Narratives are mostly ideographs and full-width punctuation, which folds to
    # punctuation that is dropped anyway: such a text needs no NFKC.
    if _FOLDED_OR_WIDE.fullmatch(text) is None:
        text = fold(text)
    # The pattern is slow (a lookup of each character's class): take out the
    # punctuation narratives mostly hold, and an alphanumeric rest holds no
    # [\W_] left for it.
    for mark in _COMMON_MARKS:
        if mark in text:
            text = text.replace(mark, "")
    return text if text.isalnum() else _NOT_LETTERS.sub("", text)


def _pairs(text: str) -> frozenset[str]:
    """The character pairs of a text, ignoring spaces and punctuation."""
    letters = _letters(text)
    return frozenset(map(add, letters, letters[1:]))  # letters[i] + letters[i + 1]


@lru_cache(maxsize=4096)  # indicator names repeat from form to form and unit to unit
def _name_pairs(name: str) -> frozenset[str]:
    return _pairs(split_name_unit(name)[0])


@lru_cache(
    maxsize=64
)  # the claims of one clause share it; made only when an indicator has their unit
def _clause_letters(clause: str) -> str:
    return _letters(clause)


def _agrees(claim: Decimal, value: Decimal) -> bool:
    """A claim agrees with a figure it could be a shortening of: 96% for 95.60."""
    if claim == value:
        return True
    exponent = claim.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0  # not NaN or infinity
    return any(round_figure(value, mode, places) == claim for mode in ROUNDINGS)


def _bound_met(claim: Claim, item: _Stated, column: str) -> bool:
    """A bound stated in the results ("达到 95% 以上") that the actual meets is no
    contradiction: the narrative repeats the goal, which the table shows was met."""
    op = claim.op if column == "actual" else None
    if op is None:
        return False
    return target_met(Target(op=op, value=claim.value, unit=claim.unit), item.figure)


# --- claims against the indicator table -------------------------------------------------


class _Stated:
    """An indicator's figure on one side (target for 预期目标, actual for 实际完成情况):
    its row in the table, name, the figure as printed and parsed (``figure`` is
    ``value.value``), and the character pairs of its name."""

    __slots__ = ("figure", "name", "pairs", "printed", "row", "value")

    def __init__(
        self,
        row: int,
        name: str,
        printed: str,
        value: Target,
        figure: Decimal,
        pairs: frozenset[str],
    ) -> None:
        self.row = row
        self.name = name
        self.printed = printed
        self.value = value
        self.figure = figure
        self.pairs = pairs


def _table_figures(form: Evaluation) -> dict[str, dict[str | None, list[_Stated]]]:
    """For each side ("target", "actual"), the indicators with a name and a figure
    with a unit there, by the key of the unit ("百分比" with "%"): made once a form,
    for both narratives."""
    targets: dict[str | None, list[_Stated]] = {}
    actuals: dict[str | None, list[_Stated]] = {}
    for n, ind in enumerate(form.indicators):
        name = ind.name
        pairs = _name_pairs(name) if name else None
        if not name or not pairs:  # no name, or too short to share pairs with a clause
            continue
        parsed = ind.target_parsed  # a parsed value was printed: ind.target is not None
        if parsed is not None and parsed.value is not None and parsed.unit:
            targets.setdefault(unit_key(parsed.unit), []).append(
                _Stated(n, name, ind.target or "", parsed, parsed.value, pairs)
            )
        parsed = ind.actual_parsed
        if parsed is not None and parsed.value is not None and parsed.unit:
            actuals.setdefault(unit_key(parsed.unit), []).append(
                _Stated(n, name, ind.actual or "", parsed, parsed.value, pairs)
            )
    return {"target": targets, "actual": actuals}


def _best(claim: Claim, by_unit: dict[str | None, list[_Stated]]) -> list[_Stated]:
    """The indicators a claim speaks of: same unit, most name pairs in its clause."""
    candidates = by_unit.get(unit_key(claim.unit))
    if not candidates:
        return []
    letters = _clause_letters(claim.clause)
    top, best = 0.0, []
    for item in candidates:
        # The pairs of its name the clause holds: a pair is in the clause's pairs
        # exactly when it is in the clause's letters. (A loop, not sum(map(…)):
        # compiled, it calls nothing.)
        shared = 0
        for pair in item.pairs:
            if pair in letters:
                shared += 1
        if shared >= _MIN_SHARED_PAIRS and shared >= _MIN_SHARED_SHARE * len(item.pairs):
            share = shared / len(item.pairs)  # a ranking, not a figure of the form
            if share > top:
                top, best = share, [item]
            elif share == top:
                best.append(item)
    return best


def _against_table(
    form: Evaluation,
    found: tuple[Claim, ...],
    narrative: _Narrative,
    stated: dict[str | None, list[_Stated]],
) -> Iterator[Finding]:
    """An indicator the narrative speaks of is contradicted when none of the claims
    about it agrees with the table."""
    column = narrative.column
    agreed: set[int] = set()
    contradicted: dict[int, tuple[Claim, _Stated]] = {}  # the first claim about it, in order
    money: list[Claim] = []
    for claim in found:
        best = _best(claim, stated)
        if not best and claim.unit in _MONEY:
            money.append(claim)
        for item in best:
            index = item.row
            if index in agreed:
                continue
            if _agrees(claim.value, item.figure) or _bound_met(claim, item, column):
                agreed.add(index)
                contradicted.pop(index, None)
            elif index not in contradicted:
                contradicted[index] = claim, item
    made = TARGET_DIFFERS if column == "target" else ACTUAL_DIFFERS
    for index, (claim, item) in contradicted.items():
        yield made.finding(
            narrative.field,
            printed=claim.printed,
            expected=item.printed,
            name=item.name,
            where=narrative.label,
            where_en=narrative.label_en,
            explanation=f"「{claim.clause}」对应 indicators[{index}].{column}「{item.name}」{item.printed}",
        )
    if money:
        yield from _money(form, money, narrative)


# --- money against the 项目资金 block ----------------------------------------------------


def _money(form: Evaluation, found: list[Claim], narrative: _Narrative) -> Iterator[Finding]:
    unit = form.funding.unit.value if form.funding.unit else None
    if not found or unit not in _MONEY:
        return
    lines = [form.funding.total, *form.funding.parts().values()]
    spent = [line.executed for line in lines if line.executed is not None]
    budget = [
        v for line in lines for v in (line.annual_budget, line.initial_budget) if v is not None
    ]
    for claim in found:
        words = claim.clause
        for keys, amounts, what, what_en, total in (
            (_SPENT_WORDS, spent, "全年执行数", "amount spent", form.funding.total.executed),
            (_BUDGET_WORDS, budget, "全年预算数", "budget", form.funding.total.annual_budget),
        ):
            if not any(k in words for k in keys) or not amounts or total is None:
                continue
            scale = Decimal(_MONEY[unit]) / Decimal(_MONEY[claim.unit])
            if not any(_agrees(claim.value, amount * scale) for amount in amounts):
                yield AMOUNT_DIFFERS.finding(
                    narrative.field,
                    printed=claim.printed,
                    expected=f"{shown(total)} {unit}",
                    explanation=f"「{claim.clause}」",
                    where=narrative.label,
                    where_en=narrative.label_en,
                    what=what,
                    what_en=what_en,
                )
            break


# --- 实际完成情况 copied from 预期目标 ---------------------------------------------------


def _copied(goal: _Narrative, a: str, result: _Narrative, near: Decimal) -> Iterator[Finding]:
    """``a``: the goal's letters."""
    words = {"where": result.label, "where_en": result.label_en, "goal": goal.label}
    if goal.text == result.text:
        yield COPIED.finding(result.field, how="完全相同", how_en="identical to", **words)
        return
    b = _letters(result.text)
    if not a or not b:
        return
    if a == b:
        yield COPIED.finding(
            result.field,
            how="除标点空格外完全相同",
            how_en="identical, but for punctuation, to",
            **words,
        )
        return
    limit = float(near)
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < limit:  # lengths alone rule it out
        return
    if _shared_ratio(a, b) < limit or _quick_ratio(a, b) < limit:
        return
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ratio = Decimal(str(matcher.ratio()))
    if ratio >= near:
        shown_ratio = round_figure(ratio, Rounding.DOWN)
        yield COPIED.finding(
            result.field,
            printed=shown_ratio,
            expected=f"< {shown(near)}",
            how=f"几乎相同（相似度 {shown(shown_ratio)}）",
            how_en=f"nearly identical ({shown_ratio}) to",
            **words,
        )


def _shared_ratio(a: str, b: str) -> float:
    """A bound above :func:`_quick_ratio`, cheaper: the characters of ``a`` found
    anywhere in ``b`` (each character in common is one of them)."""
    in_b = frozenset(b)
    found = 0
    for character in a:  # a loop, not sum(map(…)): compiled, it calls nothing
        if character in in_b:
            found += 1
    return 2.0 * found / (len(a) + len(b))


def _quick_ratio(a: str, b: str) -> float:
    """SequenceMatcher.quick_ratio (an upper bound of the similarity: characters
    in common, in any order) without building the matcher's index of ``b``."""
    in_a, in_b = Counter(a), Counter(b)
    both = in_a.keys() & in_b.keys()
    common = sum(map(min, map(in_a.__getitem__, both), map(in_b.__getitem__, both)))
    return 2.0 * common / (len(a) + len(b))
