"""Reads of the kept counts (:class:`FormCount`, kept by the actions): how many forms a scope
holds, and per unit and state, from a few hundred rows instead of a COUNT over the forms.
They answer what the counts are kept by — the unit (its department through the tree), the
year and the state; a filter on anything else (grade, a search by name) is counted over the
forms by the caller."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet, Sum

from jixiao.domain.workflow import State
from jixiao.web.evaluations.models import FormCount
from jixiao.web.orgs.models import Organisation

DELETED = State.DELETED.value


def rows(
    organisations: QuerySet[Organisation] | None,
    *,
    year: int | None = None,
    unit: int | None = None,
    department: int | None = None,
    states: Collection[str] | None = None,
    own_records: bool = True,
) -> QuerySet[FormCount]:
    """The counts of the forms of ``organisations`` (a scope: the units and departments whose
    forms are seen; ``None``: all, the bureau's), deleted drafts left out; ``department``: the forms that roll up in it (its
    units' and its own); ``own_records`` false: not a department's own 部门整体支出 forms."""
    kept = FormCount.objects.filter(forms__gt=0).exclude(state=DELETED)
    if organisations is not None:
        kept = kept.filter(unit__in=organisations)
    if year is not None:
        kept = kept.filter(year=year)
    if unit is not None:
        kept = kept.filter(unit_id=unit)
    if department is not None:
        kept = kept.filter(Q(unit__parent_id=department) | Q(unit_id=department))
    if states is not None:
        kept = kept.filter(state__in=list(states))
    if not own_records:
        kept = kept.exclude(unit__kind=Organisation.Kind.DEPARTMENT)
    return kept


def total(organisations: QuerySet[Organisation] | None, **filters) -> int:
    """How many forms :func:`rows` counts (one SUM over the kept rows)."""
    return rows(organisations, **filters).aggregate(n=Sum("forms"))["n"] or 0


def years(organisations: QuerySet[Organisation] | None) -> list[int]:
    """The years the scope holds forms of, latest first (from the kept counts)."""
    kept = rows(organisations).order_by("-year").values_list("year", flat=True)
    return list(kept.distinct())
