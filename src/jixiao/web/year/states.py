"""The states of the year's objects the trail records (hashed field by field)."""

from __future__ import annotations

from datetime import UTC

from jixiao.web.year.models import LedgerEntry, LedgerPolicy, Notice, SelfEvaluationTask


def task(t: SelfEvaluationTask) -> dict:
    return {
        "year": t.year,
        "template": t.template,
        "deadline": t.deadline.astimezone(UTC).isoformat(),
        "scope": t.scope,
        "organisations": sorted(t.organisations.values_list("pk", flat=True)),
        "projects": sorted(t.projects.values_list("pk", flat=True)),
        "two_levels": t.two_levels,
        "remind_days": t.remind_days,
        "note": t.note,
        "issued_by": t.issued_by_id,
    }


def notice(n: Notice) -> dict:
    return {
        "organisation": n.organisation_id,
        "task": n.task_id,
        "kind": n.kind,
        "text": n.text,
        "sent_by": n.sent_by_id,
        "emailed": n.emailed,
    }


def policy(p: LedgerPolicy) -> dict:
    return {"year": p.year, "rules": p.rules, "set_by": p.set_by_id}


def entry(e: LedgerEntry) -> dict:
    return {"evaluation": e.evaluation_id, "done": e.done, "set_by": e.set_by_id}
