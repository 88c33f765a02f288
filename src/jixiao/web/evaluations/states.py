"""The state of every object the trail protects, as plain JSON values.

Each event from epoch 1 records the hashes of its object's state after the change
(:func:`jixiao.domain.trail.state_hashes` of :func:`values`), and ``jixiao verify-trail``
recomputes them from the stored rows (:func:`every`), so a row changed outside the
application (an ``UPDATE`` on the database, a restored copy edited) is named with the fields
that differ. The subjects:

- ``evaluation#<id>``: a form's project, year, template, origin, state, version, data, total,
  grade, findings, acknowledgements, 复核 scores, score reasons, the targets it took and their
  change reasons, and its evidence files (indicator, name, size, sha256; the content is checked
  against the sha256 separately, :func:`evidence_mismatches`);
- ``targets#<id>``: approved targets (project, year, indicators, who set them);
- ``project#<id>``: code, name, kind, unit; ``organisation#<id>``: name, kind, parent, and
  ``active: false`` once disabled (absent while in use, as in the states recorded before);
- ``account#<id>``: username, active, staff, superuser, a digest of the password hash, the
  membership (organisation, role) and the technical administrator role;
- ``spotcheck#<id>``: a 抽查 draw (year, rate, strata, seed, the forms drawn);
- the kinds other apps add with :func:`protect` (the year's tasks, notices, the results
  ledger: :mod:`jixiao.web.year`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from jixiao.web.evaluations.models import (
    ApprovedTargets,
    Evaluation,
    Evidence,
    Project,
    SpotCheck,
)
from jixiao.web.orgs.models import AdminRole, Membership, Organisation

DELETED: dict = {}
"""The state an event records for an object it deleted."""


def _figure(value: Any) -> str | None:
    """A stored decimal as text that does not depend on the database (85.00 and 85 alike)."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def evaluation(ev: Evaluation, files: list[dict] | None = None) -> dict:
    if files is None:
        files = files_of(Evidence.objects.filter(evaluation_id=ev.pk)).get(ev.pk, [])
    return {
        "project": ev.project_id,
        "year": ev.year,
        "template": ev.template,
        "origin": getattr(ev, "origin", ""),
        "state": ev.state,
        "version": ev.version,
        "data": ev.data,
        "total": _figure(ev.total),
        "grade": ev.grade,
        "findings": ev.findings,
        "acknowledgements": ev.acknowledgements,
        "review_scores": ev.review_scores,
        "score_reasons": getattr(ev, "score_reasons", {}),
        "targets": ev.targets,
        "target_reasons": ev.target_reasons,
        "evidence": files,
    }


def files_of(rows: models.QuerySet[Evidence]) -> dict[int, list[dict]]:
    """The evidence files of ``rows`` by form, as the state records them (no content)."""
    files: dict[int, list[dict]] = {}
    fields = ("id", "evaluation_id", "indicator", "name", "size", "sha256")
    for row in rows.order_by("id").values_list(*fields).iterator():
        files.setdefault(row[1], []).append(dict(zip(("id", *fields[2:]), (row[0], *row[2:]))))
    return files


def targets(t: ApprovedTargets) -> dict:
    return {
        "project": t.project_id,
        "year": t.year,
        "indicators": t.indicators,
        "set_by": t.set_by_id,
    }


def spot_check(c: SpotCheck) -> dict:
    return {
        "year": c.year,
        "size": c.size,
        "rate": _figure(c.rate),
        "strata": c.strata,
        "seed": c.seed,
        "drawn_by": c.drawn_by_id,
        "evaluations": sorted(c.evaluations.values_list("pk", flat=True)),
    }


Maker = Callable[[Any], dict]
EXTRA: dict[str, tuple[type[models.Model], Maker, str]] = {}
"""Kinds of protected objects other apps add: subject kind → (model, state maker, label)."""


def protect(kind: str, model: type[models.Model], maker: Maker, label: str) -> None:
    """Protect another app's objects on the trail: their events are ``kind#<id>`` and
    ``verify-trail`` compares each stored row (``maker``'s state) with its last event."""
    EXTRA[kind] = (model, maker, label)


def project(p: Project) -> dict:
    return {"code": p.code, "name": p.name, "kind": p.kind, "unit": p.unit_id}


def organisation(o: Organisation) -> dict:
    """Name, kind, parent and, once disabled, ``"active": False``: an organisation in use
    records no ``active`` field, so the states recorded before the field was (all of
    organisations in use: a disable was not an event then) still verify as they are, and
    a disable or an enable is an event with its diff."""
    state: dict[str, Any] = {"name": o.name, "kind": o.kind, "parent": o.parent_id}
    if not o.active:
        state["active"] = False
    return state


_LOOK_UP: Any = object()


def account(user: Any, membership: Membership | None = _LOOK_UP) -> dict:
    if membership is _LOOK_UP:
        membership = Membership.objects.filter(user_id=user.pk).first()
    return {
        "username": user.username,
        "active": user.is_active,
        "staff": user.is_staff,
        "superuser": user.is_superuser,
        "password": hashlib.sha256(user.password.encode()).hexdigest()[:32],
        "membership": None
        if membership is None
        else {"organisation": membership.organisation_id, "role": membership.role},
        "admin_role": getattr(getattr(user, "admin_role", None), "role", None),
    }


def subject(obj: models.Model) -> str:
    """The trail's name for an object (a membership is part of its account)."""
    if isinstance(obj, (Membership, AdminRole)):
        return f"account#{obj.user_id}"
    extra = {model: name for name, (model, _maker, _label) in EXTRA.items()}
    kinds: dict[type[models.Model], str] = {
        Evaluation: "evaluation",
        ApprovedTargets: "targets",
        Project: "project",
        Organisation: "organisation",
        SpotCheck: "spotcheck",
        **extra,
    }
    kind = kinds.get(type(obj), "account")
    return f"{kind}#{obj.pk}"


def of(name: str) -> dict:
    """The current state of the object named ``name`` (:data:`DELETED` if it is gone)."""
    kind, _, pk = name.partition("#")
    model: Any = {
        "evaluation": Evaluation,
        "targets": ApprovedTargets,
        "project": Project,
        "organisation": Organisation,
        "spotcheck": SpotCheck,
        "account": get_user_model(),
        **{name: m for name, (m, _maker, _label) in EXTRA.items()},
    }[kind]
    found = model.objects.filter(pk=int(pk)).first()
    if found is None:
        return DELETED
    makers: dict[str, Callable[[Any], dict]] = {
        "evaluation": evaluation,
        "targets": targets,
        "project": project,
        "organisation": organisation,
        "spotcheck": spot_check,
        "account": account,
        **{name: maker for name, (_m, maker, _label) in EXTRA.items()},
    }
    return makers[kind](found)


def every() -> Iterator[tuple[str, str, dict]]:
    """Every protected object now: its subject, what it is (for the console) and its state."""
    files = files_of(Evidence.objects.all())
    for ev in Evaluation.objects.select_related("project").order_by("id").iterator():
        label = f"自评表 #{ev.pk}（{ev.project.code} {ev.year} 年度）"
        yield f"evaluation#{ev.pk}", label, evaluation(ev, files.get(ev.pk, []))
    for t in ApprovedTargets.objects.select_related("project").order_by("id"):
        yield f"targets#{t.pk}", f"绩效目标 #{t.pk}（{t.project.code} {t.year} 年度）", targets(t)
    for p in Project.objects.order_by("id"):
        yield f"project#{p.pk}", f"项目 #{p.pk}（{p.code}）", project(p)
    for o in Organisation.objects.order_by("id"):
        yield f"organisation#{o.pk}", f"组织 #{o.pk}（{o.name}）", organisation(o)
    for c in SpotCheck.objects.filter(seed__gt="").order_by("id"):  # draws from pages and API
        yield f"spotcheck#{c.pk}", f"抽查 #{c.pk}（{c.year} 年度）", spot_check(c)
    for name, (model, maker, label) in EXTRA.items():
        for row in model._default_manager.order_by("pk"):
            yield f"{name}#{row.pk}", f"{label} #{row.pk}", maker(row)
    places = {m.user_id: m for m in Membership.objects.all()}
    for user in get_user_model().objects.order_by("id"):
        yield (
            f"account#{user.pk}",
            f"账号 #{user.pk}（{user.username}）",
            account(user, places.get(user.pk)),
        )


def evidence_mismatches() -> Iterator[tuple[int, int, str]]:
    """Evidence files whose bytes no longer hash to their stored sha256: (form, file, name)."""
    rows = Evidence.objects.order_by("id").values_list("evaluation_id", "id", "name", "sha256")
    for form, pk, name, sha in rows.iterator():
        content = Evidence.objects.values_list("content", flat=True).get(pk=pk)
        if hashlib.sha256(bytes(content)).hexdigest() != sha:
            yield form, pk, name
