"""跨表: what only shows across the forms of one batch (a folder on the CLI, a
department's forms in the web).

- The same text under different projects: 实际完成情况, 偏差原因, 改进措施 (and the
  other narratives) nearly identical — written once and pasted.
- Targets unchanged from the project's form of the year before, all met at full
  marks again (when that form is in the batch).

Linear in the number of forms: no two texts are compared unless they share one of
the few smallest hashes of their shingles (a bottom-k sketch), and a cluster of
copies is joined through its first member, never pair by pair.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import islice

from jixiao.domain.audit.finding import Finding, Severity, rule
from jixiao.domain.audit.settings import settings
from jixiao.domain.model import Evaluation
from jixiao.domain.normalize import fold, squash
from jixiao.domain.template import Template

W = Severity.WARNING

COPIED = rule(
    "text-copied-across-projects",
    "batch",
    W,
    "不同项目的文字几乎相同",
    "同一批自评表中，不同项目的实际完成情况、偏差原因或改进措施等文字几乎一字不差（模板可调，默认"
    "相似度 0.80）：多半是套用同一段文字，没有写本项目的实际情况。",
    "{what}与{others}几乎相同（相似度 {similarity}）",
    "{what_en} is nearly the same as in {others_en} (similarity {similarity})",
    {
        "what": "实际完成情况",
        "others": "第 3 张「示例区社区文化活动」",
        "what_en": "the actual achievement text",
        "others_en": "form 3 (示例区社区文化活动)",
        "similarity": "0.96",
    },
)
UNCHANGED = rule(
    "targets-unchanged-from-last-year",
    "batch",
    W,
    "指标与上年相同且再次全部满分",
    "同一项目本年度的绩效指标与上年度自评表的指标（名称与指标值）完全相同，且再次全部得满分："
    "指标值多年不变、年年满分，目标可能定得过低。只在上年度的表也在同一批中时检查。",
    "{count} 个指标与上年（第 {form} 张，{year} 年度）完全相同，且再次全部满分",
    "all {count} indicators are those of last year's form (form {form}, {year}), all at full "
    "marks again",
    {"count": "7", "form": "12", "year": "2022"},
)

# The narratives compared across forms: field, Chinese and English name.
_NARRATIVES = (
    ("goals.actual", "实际完成情况", "the actual achievement text"),
    ("achievements", "主要绩效", "the main results"),
    ("problems_found", "主要问题", "the problems found"),
    ("improvements", "改进措施", "the improvements"),
    ("conclusion", "评价结论", "the conclusion"),
)
ONE = Decimal(1)
SHINGLE = 3  # characters: specific enough in Chinese, short enough to survive an edit
SKETCH = 4  # the smallest hashes kept of a text's shingles
SHORTEST = 15  # characters (letters only): shorter texts are alike by nature (「无」「已完成」)


def findings(
    forms: Sequence[Evaluation], template_of: Callable[[Evaluation], Template]
) -> list[list[Finding]]:
    """The findings of each form (by its place in ``forms``) that only the batch shows,
    with the severities of each form's template (checks set "off" left out)."""
    out: list[list[Finding]] = [[] for _ in forms]
    for n, finding in (*_copied(forms, template_of), *_unchanged(forms, template_of)):
        severity = settings(template_of(forms[n])).severity_of(finding.code)
        if severity is None:
            continue
        if severity is not finding.severity:
            finding = Finding(
                finding.code,
                severity,
                finding.field,
                finding.message,
                finding.message_en,
                finding.printed,
                finding.expected,
                finding.explanation,
            )
        out[n].append(finding)
    return out


# --- the same text under different projects ---------------------------------------------


class _Text:
    """One narrative of one form, reduced to its letters, with its shingles and their
    sketch (shared by the texts with the same letters: boilerplate is made once)."""

    __slots__ = ("field", "form", "key", "letters", "name", "name_en", "shingles", "sketch")

    def __init__(
        self,
        form: int,
        key: str,
        field: str,
        name: str,
        name_en: str,
        letters: str,
        made: dict[str, tuple[frozenset[bytes], tuple[int, ...]]],
    ) -> None:
        self.form, self.key, self.field = form, key, field
        self.name, self.name_en, self.letters = name, name_en, letters
        known = made.get(letters)
        if known is None:
            shingles = _shingles(letters)
            sketch = tuple(sorted(set(map(zlib.crc32, shingles)))[:SKETCH])
            known = made[letters] = (frozenset(shingles), sketch)
        self.shingles, self.sketch = known


def _shingles(letters: str) -> list[bytes]:
    data = letters.encode("utf-32-le")  # four bytes a character: shingles by slicing
    width = 4 * SHINGLE
    return [data[at : at + width] for at in range(0, len(data) - width + 4, 4)]


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _letters(text: str | None) -> str:
    """The letters of a text, without digits, spaces or punctuation (full-width ones too:
    the classes are Unicode's): a copy changes the figures first."""
    return _NOT_LETTERS.sub("", text) if text else ""


def _subject(form: Evaluation) -> str:
    return squash(fold(form.subject or ""))


def _texts(forms: Sequence[Evaluation]) -> Iterator[_Text]:
    made: dict[str, tuple[frozenset[bytes], tuple[int, ...]]] = {}
    for n, form in enumerate(forms):
        own = _letters(form.subject)  # the project's own name, taken out of its texts
        for field, name, name_en in _NARRATIVES:
            letters = _letters(_value(form, field))
            if own:
                letters = letters.replace(own, "")
            if len(letters) >= SHORTEST:
                yield _Text(n, field, field, name, name_en, letters, made)
        for i, ind in enumerate(form.indicators):
            if not ind.deviation:
                continue
            letters = _letters(ind.deviation)
            if own:
                letters = letters.replace(own, "")
            if len(letters) >= SHORTEST:
                yield _Text(
                    n,
                    "deviation",
                    f"indicators[{i}].deviation",
                    "偏差原因",
                    "the reason",
                    letters,
                    made,
                )


def _value(form: Evaluation, field: str) -> str | None:
    if field == "goals.actual":
        return form.goals.actual
    value = getattr(form, field)
    return value if isinstance(value, str) else None


def _similarity(a: _Text, b: _Text) -> Decimal:
    """Shared shingles over all shingles of the two (Jaccard); 1 for the same letters."""
    if a.letters == b.letters:
        return ONE
    sa, sb = a.shingles, b.shingles
    union = len(sa | sb)
    return Decimal(len(sa & sb)) / Decimal(union) if union else ONE


def _copied(
    forms: Sequence[Evaluation], template_of: Callable[[Evaluation], Template]
) -> Iterator[tuple[int, Finding]]:
    texts = list(_texts(forms))
    buckets: dict[tuple[str, int], list[int]] = {}
    for t, text in enumerate(texts):
        for h in text.sketch:
            buckets.setdefault((text.key, h), []).append(t)
    parent = list(range(len(texts)))
    joined: set[int] = set()  # texts found a copy of another

    def root(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    subjects = [_subject(f) for f in forms]
    for members in buckets.values():
        if len(members) < 2:
            continue
        first = texts[members[0]]
        for t in members[1:]:
            text = texts[t]
            if subjects[text.form] == subjects[first.form] or root(t) == root(members[0]):
                continue
            if _similarity(first, text) >= settings(template_of(forms[text.form])).copied_across:
                parent[root(t)] = root(members[0])
                joined.update((t, members[0]))
    clusters: dict[int, list[_Text]] = {}
    for t in sorted(joined):
        clusters.setdefault(root(t), []).append(texts[t])
    for cluster in clusters.values():
        # The forms a copy is shared with, named in the message: a few, and how many;
        # counted once a cluster (a boilerplate text may be in thousands of forms).
        by_subject = Counter(subjects[form] for form in {text.form for text in cluster})
        first_text: dict[int, _Text] = {}
        for text in cluster:
            first_text.setdefault(text.form, text)
        in_order = sorted(first_text)
        for text in cluster:
            own = subjects[text.form]
            count = len(in_order) - by_subject[own]
            if count <= 0:
                continue
            named = list(islice((n for n in in_order if subjects[n] != own), 3))
            similarity = _similarity(text, first_text[named[0]])  # to the first named
            yield text.form, _copied_finding(text, named, count, similarity, forms)


def _copied_finding(
    text: _Text, named: list[int], count: int, similarity: Decimal, forms: Sequence[Evaluation]
) -> Finding:
    shown = "、".join(f"第 {n + 1} 张「{forms[n].subject or '无项目名称'}」" for n in named)
    shown_en = ", ".join(f"form {n + 1} ({forms[n].subject or 'no project name'})" for n in named)
    if count > len(named):
        shown += f"等 {count} 张"
        shown_en += f" and {count - len(named)} more"
    return COPIED.finding(
        text.field,
        what=text.name,
        what_en=text.name_en,
        others=shown,
        others_en=shown_en,
        similarity=similarity.quantize(Decimal("0.01")),
    )


# --- targets unchanged from last year -----------------------------------------------------


def _targets(form: Evaluation) -> tuple[tuple[str, str], ...]:
    return tuple(
        (squash(fold(ind.name or "")), squash(fold(ind.target or "")))
        for ind in form.indicators
        if not ind.child
    )


def _all_full(form: Evaluation) -> bool:
    rows = [ind for ind in form.indicators if not ind.child and not ind.shared]
    return bool(rows) and all(
        ind.points is not None and ind.points > 0 and ind.score == ind.points for ind in rows
    )


def _unchanged(
    forms: Sequence[Evaluation], template_of: Callable[[Evaluation], Template]
) -> Iterator[tuple[int, Finding]]:
    by_year: dict[tuple[str, str, int], int] = {}
    for n, form in enumerate(forms):
        if form.year is not None and form.subject:
            by_year.setdefault(
                (_subject(form), squash(fold(form.project.unit or "")), form.year), n
            )
    for (subject, unit, year), n in by_year.items():
        last = by_year.get((subject, unit, year - 1))
        if last is None:
            continue
        form = forms[n]
        targets = _targets(form)
        if len(targets) >= 3 and targets == _targets(forms[last]) and _all_full(form):
            yield (
                n,
                UNCHANGED.finding("indicators", count=len(targets), form=last + 1, year=year - 1),
            )
