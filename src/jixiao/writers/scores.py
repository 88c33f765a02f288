"""The JSON of ``jixiao score --json``: each recomputed figure of a form beside
the printed one, with its arithmetic. A public contract (docs/json.md)."""

from __future__ import annotations

from jixiao.contract.json import figure
from jixiao.domain.model import Evaluation
from jixiao.domain.recompute import Check


def _value(value) -> str | None:
    return value if isinstance(value, str) or value is None else figure(value)


def check_dict(check: Check) -> dict:
    fig = check.figure
    return {
        "field": check.field,
        "printed": _value(check.printed),
        "computed": check.label if check.label is not None else figure(fig.value),
        "range": [figure(fig.low), figure(fig.high)] if fig.is_range else None,
        "status": check.status.value,
        "explanation": fig.explanation,
        "by_rounding": {mode.value: figure(v) for mode, v in check.by_rounding.items()} or None,
        "fits": [mode.value for mode in check.fitting_modes] if check.by_rounding else None,
    }


def score_dict(ev: Evaluation, checks: list[Check]) -> dict:
    """One form of ``jixiao score --json``."""
    return {
        "source": {"file": ev.source.file, "form_index": ev.source.form_index}
        if ev.source
        else None,
        "template": ev.template,
        "project": ev.project.name,
        "figures": [check_dict(c) for c in checks],
    }
