"""What the audit says about a form: a :class:`Finding` (审核意见), made by a :class:`Rule`.

A rule is one check with a stable ``code`` (the name users filter, count and
tune by: never renamed), a default severity and its message in Chinese and
English. Every rule registers itself in :data:`RULES`, which the documentation
(docs/checks.md) is generated from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """严重程度: error — the form contradicts itself or a rule; warning — likely
    wrong or against the rules' advice; info — worth a look."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """审核意见: one problem of one form, pointed at a field path of the
    ``jixiao import --json`` contract (``indicators[3].score``).

    ``printed`` is what the form says there, ``expected`` what it should say
    (a figure, a range "8.00–10.00" or a label) and ``explanation`` the
    arithmetic or reasoning behind it."""

    code: str
    severity: Severity
    field: str
    message: str
    message_en: str
    printed: str | None = None
    expected: str | None = None
    explanation: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # By field, like Target's: compiled (setup.py), a frozen class cannot be
        # unpickled attribute by attribute.
        return Finding, (
            self.code,
            self.severity,
            self.field,
            self.message,
            self.message_en,
            self.printed,
            self.expected,
            self.explanation,
        )


FAMILIES = {
    "arithmetic": "算术",
    "scoring": "计分",
    "grade": "等级",
    "units": "单位与指标值",
    "text": "文字与表格",
    "completeness": "完整性",
    "batch": "跨表",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """审核规则: a check's code, family, default severity and wording.

    ``message``/``message_en`` are format strings over the finding's
    parameters; ``example`` holds parameters for the documentation's example."""

    code: str
    family: str
    severity: Severity
    title: str
    meaning: str
    message: str
    message_en: str
    example: dict[str, str] = field(default_factory=dict)

    def finding(
        self,
        field: str,
        *,
        printed: object = None,
        expected: object = None,
        explanation: str | None = None,
        **params: object,
    ) -> Finding:
        """A finding at ``field``; the messages may also name {printed} and {expected}."""
        printed, expected = shown(printed), shown(expected)
        words = {
            "printed": printed,
            "expected": expected,
            **{k: shown(v) for k, v in params.items()},
        }
        return Finding(
            code=self.code,
            severity=self.severity,
            field=field,
            message=self.message.format(**words),
            message_en=self.message_en.format(**words),
            printed=printed,
            expected=expected,
            explanation=explanation,
        )

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle when compiled: see Finding
        return Rule, (
            self.code,
            self.family,
            self.severity,
            self.title,
            self.meaning,
            self.message,
            self.message_en,
            self.example,
        )

    def example_message(self) -> str:
        return self.message.format(**self.example)


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    family: str,
    severity: Severity,
    title: str,
    meaning: str,
    message: str,
    message_en: str,
    example: dict[str, str],
) -> Rule:
    """Declare a check; codes are unique across families."""
    if code in RULES:
        raise ValueError(f"duplicate audit code {code!r}")
    if family not in FAMILIES:
        raise ValueError(f"unknown audit family {family!r}")
    RULES[code] = made = Rule(code, family, severity, title, meaning, message, message_en, example)
    return made


def shown(value: object) -> str | None:
    """A figure or word as it goes into a finding: decimals as printed."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
