"""抽查: a bureau admin draws approved forms of a year at random for re-check."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role, State
from jixiao.web.evaluations.models import SpotCheck

from . import access
from . import trail as events
from .errors import ServiceError


@transaction.atomic
def draw(*, user: User, year: int, size: int) -> SpotCheck:
    """Draw ``size`` approved forms of ``year`` at random (the system's CSPRNG, so nobody
    can steer the draw); each drawn form gets a trail event, so the draw is on record."""
    access.require_role(user, {Role.ADMIN}, _("抽查"))
    approved = list(
        access.visible(user).filter(year=year, state=State.APPROVED.value).order_by("pk")
    )
    if size < 1:
        raise ServiceError(_("抽取数至少为 1"))
    if size > len(approved):
        raise ServiceError(
            _("%(year)s 年度已通过的自评表只有 %(n)s 份，不能抽取 %(size)s 份")
            % {"year": year, "n": len(approved), "size": size}
        )
    drawn = sorted(secrets.SystemRandom().sample(approved, size), key=lambda ev: ev.pk)
    check = SpotCheck.objects.create(year=year, size=size, drawn_by=user)
    check.evaluations.set(drawn)
    for ev in drawn:
        events.append(
            evaluation=ev,
            user=user,
            action="spot_check",
            state_from=ev.state,
            diff=[],
            comment=f"抽查 #{check.pk}",
        )
    return check


def listed(user: User) -> QuerySet[SpotCheck]:
    """The draws made (bureau admins only)."""
    access.require_role(user, {Role.ADMIN}, _("查看抽查"))
    return SpotCheck.objects.prefetch_related("evaluations")
