"""The kept counts of forms per unit, year and state (:class:`FormCount`): a write helper the
actions call in their own transaction, after their event (whose append holds the trail's lock
until commit, so writers keep the counts one at a time; each change is an ``UPDATE … SET forms
= forms + 1`` besides, never a value read and written back, so no count is lost either way)."""

from __future__ import annotations

from django.db.models import F

from jixiao.web.evaluations.models import Evaluation, FormCount


def add(*, unit_id: int, year: int, state: str, n: int = 1) -> None:
    """``n`` more (or, negative, fewer) forms of the unit, year and state."""
    if not n:
        return
    rows = FormCount.objects.filter(unit_id=unit_id, year=year, state=state)
    if not rows.update(forms=F("forms") + n):
        FormCount.objects.get_or_create(unit_id=unit_id, year=year, state=state)
        rows.update(forms=F("forms") + n)


def created(evaluation: Evaluation) -> None:
    """A new form: one more of its unit, year and state."""
    add(unit_id=evaluation.project.unit_id, year=evaluation.year, state=evaluation.state)


def moved(evaluation: Evaluation, state_from: str) -> None:
    """A form's state changed from ``state_from`` to its own: one fewer there, one more here."""
    if state_from == evaluation.state:
        return
    unit, year = evaluation.project.unit_id, evaluation.year
    add(unit_id=unit, year=year, state=state_from, n=-1)
    add(unit_id=unit, year=year, state=evaluation.state)


def rebuild() -> int:
    """Every count counted again from the forms (``jixiao recount``; the bulk loaders)."""
    return FormCount.objects.rebuild()
