"""The audit (审核): every inconsistency a careful reviewer would catch, pointed
at the field.

``audit(form, template)`` runs the checks of every family — one module each:
arithmetic, scoring, grade, units, text, completeness — and returns the
findings with the severities the template's ``[audit]`` table sets. Each family
is a pure function ``findings(form, template, figures)``, where ``figures`` are
the form's figures recomputed once by :func:`jixiao.domain.recompute.recompute`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from types import ModuleType

from jixiao.domain.audit import arithmetic, batch, completeness, grade, scoring, text, units
from jixiao.domain.audit.finding import FAMILIES, RULES, Finding, Rule, Severity
from jixiao.domain.audit.settings import AuditSettingError, settings
from jixiao.domain.model import Evaluation
from jixiao.domain.recompute import recompute
from jixiao.domain.template import Template

__all__ = [
    "FAMILIES",
    "RULES",
    "AuditSettingError",
    "Finding",
    "Rule",
    "Severity",
    "audit",
    "audit_batch",
    "worst",
]

CHECKS = (completeness, arithmetic, scoring, grade, units, text)


def audit(
    form: Evaluation, template: Template, families: Sequence[ModuleType] = CHECKS
) -> list[Finding]:
    """Every finding on one form, with the template's severities (checks set
    "off" left out); ``families``, some of :data:`CHECKS`, runs only those."""
    figures = {check.field: check for check in recompute(form, template)}
    chosen = settings(template)
    out = []
    for family in families:
        for finding in family.findings(form, template, figures):
            severity = chosen.severity_of(finding.code)
            if severity is None:
                continue
            out.append(
                finding if severity is finding.severity else replace(finding, severity=severity)
            )
    return out


def audit_batch(
    forms: Sequence[Evaluation], template_of: Callable[[Evaluation], Template]
) -> list[list[Finding]]:
    """What only the batch shows (跨表: texts copied across projects, targets unchanged
    from last year), each form's findings by its place in ``forms``."""
    return batch.findings(forms, template_of)


def worst(findings: list[Finding]) -> Severity | None:
    """The most severe level among findings."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)
