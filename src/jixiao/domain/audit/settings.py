"""The audit's settings of a template: the ``[audit]`` table of its file.

[audit]
far_above_target = "130"   # percent of the target
near_copy = "0.90"         # similarity, 0–1
copied_across = "0.80"     # across a batch: shared shingles of two projects' texts, 0–1
attention_low_execution = "60"  # the web's attention list: 执行率 (%) below which full scores are odd
attention_review_gap = "10"     # … and self scores this many points above the 复核 total
execution_reason_below = "90"   # 执行率 (%) below which the funding's 原因 must be given (off if unset)
adjustment_reason = true        # 调整后预算 other than 年初预算 must be explained in 原因 (off if unset)
full_marks_execution_below = "90"  # every indicator at full marks with 执行率 (%) below this: odd
qualitative_share = "0.50"      # qualitative indicators this share of the rows, all at full marks: info

[audit.severity]
"weights-unusual" = "info" # or "error", "warning", "off"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.domain.audit.finding import RULES, Severity
from jixiao.domain.template import Template

OFF = "off"
DEFAULT_FAR_ABOVE = Decimal(130)
DEFAULT_NEAR_COPY = Decimal("0.90")
DEFAULT_COPIED_ACROSS = Decimal("0.80")
DEFAULT_LOW_EXECUTION = Decimal(60)
DEFAULT_REVIEW_GAP = Decimal(10)
DEFAULT_FULL_MARKS_EXECUTION = Decimal(90)
DEFAULT_QUALITATIVE_SHARE = Decimal("0.50")


class AuditSettingError(ValueError):
    """A template file's [audit] table that cannot be used: says which and why."""


@dataclass(frozen=True, slots=True)
class AuditSettings:
    severity: dict[str, Severity | None]  # by code; None: the check is off
    far_above_target: Decimal = DEFAULT_FAR_ABOVE
    near_copy: Decimal = DEFAULT_NEAR_COPY
    # Read by the web's attention list (关注清单), not by the checks.
    attention_low_execution: Decimal = DEFAULT_LOW_EXECUTION
    attention_review_gap: Decimal = DEFAULT_REVIEW_GAP
    execution_reason_below: Decimal | None = None  # none: no reason asked for
    adjustment_reason: bool = False  # a budget adjusted during the year asks for its 原因
    full_marks_execution_below: Decimal = DEFAULT_FULL_MARKS_EXECUTION
    qualitative_share: Decimal = DEFAULT_QUALITATIVE_SHARE
    copied_across: Decimal = DEFAULT_COPIED_ACROSS

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle when compiled: see Finding
        return AuditSettings, (
            self.severity,
            self.far_above_target,
            self.near_copy,
            self.attention_low_execution,
            self.attention_review_gap,
            self.execution_reason_below,
            self.adjustment_reason,
            self.full_marks_execution_below,
            self.qualitative_share,
            self.copied_across,
        )

    def severity_of(self, code: str) -> Severity | None:
        return self.severity.get(code, RULES[code].severity)


def settings(template: Template) -> AuditSettings:
    """A template's [audit] table, read and checked once per template."""
    return template.derived("audit", _read_settings)


def _read_settings(template: Template) -> AuditSettings:
    table = template.audit or {}
    where = f"模板 {template.id} 的 [audit]"
    severity = {}
    for code, level in table.get("severity", {}).items():
        if code not in RULES:
            raise AuditSettingError(f"{where}.severity：没有审核规则 {code!r}（见 docs/checks.md）")
        if level != OFF and level not in {s.value for s in Severity}:
            raise AuditSettingError(
                f"{where}.severity.{code}：{level!r} 应为 error、warning、info 或 off"
            )
        severity[code] = None if level == OFF else Severity(level)
    return AuditSettings(
        severity=severity,
        far_above_target=_number(table, "far_above_target", DEFAULT_FAR_ABOVE, where),
        near_copy=_number(table, "near_copy", DEFAULT_NEAR_COPY, where),
        attention_low_execution=_number(
            table, "attention_low_execution", DEFAULT_LOW_EXECUTION, where
        ),
        attention_review_gap=_number(table, "attention_review_gap", DEFAULT_REVIEW_GAP, where),
        execution_reason_below=(
            _number(table, "execution_reason_below", DEFAULT_LOW_EXECUTION, where)
            if "execution_reason_below" in table
            else None
        ),
        adjustment_reason=_flag(table, "adjustment_reason", where),
        full_marks_execution_below=_number(
            table, "full_marks_execution_below", DEFAULT_FULL_MARKS_EXECUTION, where
        ),
        qualitative_share=_number(table, "qualitative_share", DEFAULT_QUALITATIVE_SHARE, where),
        copied_across=_number(table, "copied_across", DEFAULT_COPIED_ACROSS, where),
    )


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise AuditSettingError(f"{where}.{key}：{value!r} 应为 true 或 false")
    return value


def _number(table: dict[str, Any], key: str, default: Decimal, where: str) -> Decimal:
    if key not in table:
        return default
    try:
        return Decimal(str(table[key]))
    except InvalidOperation:
        raise AuditSettingError(f"{where}.{key}：{table[key]!r} 不是数字") from None
