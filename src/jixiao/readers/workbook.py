"""Workbooks (xlsx, xls): each sheet on its own, and only the sheets that are forms.

A ministry's project-library export holds a project list, a budget table, an
indicator library … and one 自评表. Read as one table, every sheet with a
项目名称 column turned into a form. Here each sheet is looked at by itself: it
becomes forms only when it carries a template's labels (all of one template's
markers, or most of them: :func:`jixiao.templates.detect` and
:func:`~jixiao.templates.by_evidence`; with ``--template``, half of that
template's markers) and its rows read as forms with something on them (a
project, a figure, an indicator). Every other sheet is :class:`Skipped` with
its reason, which the CLI prints; a workbook with no form sheet is refused,
naming each sheet and why it is not a form.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from jixiao import templates
from jixiao.contract.fields import LINE_KEYS
from jixiao.domain.model import Evaluation, FormSource, FundingLine
from jixiao.domain.normalize import fold, squash
from jixiao.readers.base import ReadError, Row

MIN_FORCED_SHARE = 0.5
"""With ``--template``, the share of that template's marker labels a sheet must carry."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A sheet of a workbook that was not read as a form, and why (in Chinese)."""

    sheet: str
    reason: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What one file gave: its forms, and the sheets left out (workbooks only)."""

    forms: list[Evaluation]
    skipped: tuple[Skipped, ...] = field(default=())


def read_sheets(
    sheets: list[tuple[str, list[Row]]], file: str, kind: str, template_id: str | None = None
) -> Reading:
    """The forms of the sheets that are forms, numbered through the workbook;
    ``kind`` ("Excel") words the refusal."""
    forms: list[Evaluation] = []
    skipped: list[Skipped] = []
    for title, rows in sheets:
        try:
            found = _sheet_forms(rows, file, template_id)
        except ReadError as error:
            skipped.append(Skipped(title, error.reason))
            continue
        forms += [
            replace(ev, source=FormSource(file, len(forms) + n)) for n, ev in enumerate(found)
        ]
    if forms:
        return Reading(forms, tuple(skipped))
    if not any(rows for _, rows in sheets):
        raise ReadError(file, f"{kind} 文件中没有内容")
    if len(skipped) == 1:
        raise ReadError(file, f"工作表「{skipped[0].sheet}」：{skipped[0].reason}")
    listed = "；".join(f"「{s.sheet}」{s.reason}" for s in skipped)
    raise ReadError(
        file,
        f"工作簿的 {len(skipped)} 个工作表都不是自评表：{listed}",
    )


def _sheet_forms(rows: list[Row], file: str, template_id: str | None) -> list[Evaluation]:
    if not rows:
        raise ReadError(file, "空工作表")
    text = "\n".join(row.text() for row in rows)
    if not _has_labels(text, template_id):
        raise ReadError(file, _not_labelled(text, template_id))
    # imported here: grid imports the contract, whose reader imports this package
    from jixiao.readers.grid import read_grid

    forms = read_grid(rows, file, template_id)
    if not any(_has_content(ev) for ev in forms):
        raise ReadError(file, "有自评表的表头，但读不出项目、资金或指标：不作为自评表读取")
    return forms


def _has_labels(text: str, template_id: str | None) -> bool:
    if template_id is not None:
        markers = templates.load(template_id).detect
        key = squash(fold(text))
        found = sum(squash(fold(m)) in key for m in markers)
        return not markers or found >= MIN_FORCED_SHARE * len(markers)
    return templates.detect(text) is not None or templates.by_evidence(text) is not None


def _not_labelled(text: str, template_id: str | None) -> str:
    near = templates.closest(text) if template_id is None else None
    if template_id is not None:
        return f"不是自评表（没有模板 {template_id} 的表头）"
    if near is not None:
        template = templates.load(near[0])
        lacking = "、".join(f"「{m}」" for m in near[1])
        return f"不是自评表（有「{template.name}」的部分表头，但缺少 {lacking}）"
    return "不是自评表（没有任何模板的表头，像是清单、台账或说明）"


def _has_content(ev: Evaluation) -> bool:
    funding = ev.funding
    lines = [funding.total, *funding.parts().values()]
    return bool(
        ev.subject
        or ev.indicators
        or ev.total is not None
        or any(value is not None for line in lines for value in _figures(line))
    )


def _figures(line: FundingLine | None) -> list[object]:
    return [getattr(line, key, None) for key in LINE_KEYS] if line is not None else []
