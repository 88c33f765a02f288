"""Left for two callers outside the web package that this refactor could not edit
(``jixiao verify-trail`` in ``cli.py`` and ``bench/bench_pages.py``): the writes are
:mod:`jixiao.web.evaluations.actions`. Remove this module once those import
``actions.trail.verify`` and ``actions.forms.create`` (issue #15)."""

from __future__ import annotations

from jixiao.web.evaluations.actions import forms
from jixiao.web.evaluations.actions.trail import verify as verify_trail

__all__ = ["create", "verify_trail"]


def create(user, project, form):
    """:func:`jixiao.web.evaluations.actions.forms.create`, called positionally."""
    return forms.create(user=user, project=project, form=form)
