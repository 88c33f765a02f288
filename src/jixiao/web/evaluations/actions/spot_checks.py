"""抽查: a bureau admin draws approved forms of a year at random for re-check.

Two ways: :func:`draw` (the API's: a number of forms) and :func:`draw_sample` (the pages':
a rate, optionally by strata — 主管部门 or amount band — with the attention list's high-risk
forms always in). Either way the seed comes from :mod:`secrets` (never from a user), the
draw is :func:`pick` of that seed over the forms as they stood, and the seed, the rule and
the forms drawn are on the trail (the draw's own event and one on each form), so anyone
with the trail can derive the same draw again."""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role, State
from jixiao.web.evaluations.models import Evaluation, SpotCheck

from . import access
from . import trail as events
from .errors import Invalid, ServiceError

HIGH_RISK = 8
"""An attention-list priority from which a form is high-risk (an error finding alone is 8;
any two other reasons together reach it): always in the sample."""
AMOUNT_BANDS = (Decimal(50), Decimal(500))
"""The amount strata, in 万元 of 全年预算数: under 50, 50 to under 500, 500 and more."""


def pick(
    seed: str, strata: Mapping[str, Sequence[int]], forced: Sequence[int], rate: Decimal
) -> list[int]:
    """The draw: every forced form, then from each stratum (in key order) ⌈rate × its size⌉
    forms less the forced ones in it, sampled from the others (ids ascending) by a generator
    seeded with ``seed``. Pure, so a draw is derived again from its record."""
    rng = random.Random(seed)
    must = set(forced)
    chosen = set(must)
    for key in sorted(strata):
        members = sorted(strata[key])
        want = math.ceil(rate * len(members)) - len(must.intersection(members))
        rest = [pk for pk in members if pk not in must]
        if want > 0 and rest:
            chosen.update(rng.sample(rest, min(want, len(rest))))
    return sorted(chosen)


def band(amount: Decimal | None) -> str:
    if amount is None:
        return "0-none"
    low, high = AMOUNT_BANDS
    return "1-small" if amount < low else "2-middle" if amount < high else "3-large"


def population(year: int) -> QuerySet[Evaluation]:
    """The forms a draw of ``year`` is made from: the approved ones."""
    return Evaluation.objects.filter(year=year, state=State.APPROVED.value)


def strata_of(rows: QuerySet[Evaluation], strata: str) -> dict[str, list[int]]:
    """The forms' ids by stratum: one stratum, by 主管部门 (its id), or by amount band."""
    found: dict[str, list[int]] = {}
    if strata == SpotCheck.Strata.DEPARTMENT:
        for pk, dept in rows.annotate(dept=access.DEPARTMENT_ID).values_list("pk", "dept"):
            found.setdefault(f"department-{dept}", []).append(pk)
    elif strata == SpotCheck.Strata.AMOUNT:
        for pk, amount in rows.values_list("pk", "budget_wan"):
            found.setdefault(band(amount), []).append(pk)
    else:
        found["all"] = list(rows.values_list("pk", flat=True))
    return found


def high_risk(rows: QuerySet[Evaluation], year: int) -> list[int]:
    """The attention list's high-risk forms among ``rows`` (priority ≥ :data:`HIGH_RISK`)."""
    from jixiao.web.evaluations.selectors import attention

    flagged = attention.flagged(rows, year)
    return sorted(ev.pk for ev in flagged if getattr(ev, "priority", 0) >= HIGH_RISK)


def digest(strata: Mapping[str, Sequence[int]]) -> str:
    """A fingerprint of the population as it was split (recorded; a re-derivation checks it)."""
    text = ";".join(f"{k}:{','.join(map(str, sorted(v)))}" for k, v in sorted(strata.items()))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def draw_sample(
    *, user: User, year: int, rate: Decimal, strata: str = "", high_risk_in: bool = True
) -> SpotCheck:
    """A 抽查 at ``rate`` (0 < rate ≤ 1) of the year's approved forms, optionally by strata,
    the high-risk forms always in; seed from :mod:`secrets`; on the trail."""
    access.require_role(user, {Role.ADMIN}, _("抽查"))
    if not Decimal(0) < rate <= Decimal(1):
        raise Invalid(_("抽查比例应大于 0%、不超过 100%"))
    if strata not in SpotCheck.Strata.values:
        raise Invalid(_("分层只能是不分层、按主管部门或按金额"))
    rows = population(year).filter(pk__in=access.visible(user).values("pk"))
    split = strata_of(rows, strata)
    if not any(split.values()):
        raise ServiceError(_("%(year)s 年度没有已通过的自评表可抽查") % {"year": year})
    forced = high_risk(rows, year) if high_risk_in else []
    seed = secrets.token_hex(16)
    chosen = pick(seed, split, forced, rate)
    return _stored(user, year, chosen, seed, rate, strata, forced, split)


def _stored(
    user: User,
    year: int,
    chosen: Sequence[int],
    seed: str,
    rate: Decimal | None,
    strata: str,
    forced: Sequence[int],
    split: Mapping[str, Sequence[int]],
) -> SpotCheck:
    check = SpotCheck.objects.create(
        year=year,
        size=len(chosen),
        drawn_by=user,
        rate=rate,
        strata=strata,
        seed=seed,
        forced=list(forced),
    )
    check.evaluations.set(chosen)
    with events.acting(user):
        events.record(
            check,
            action="sample_draw",
            diff=[
                {"path": "seed", "new": seed},
                {"path": "rate", "new": None if rate is None else format(rate, "f")},
                {"path": "strata", "new": strata},
                {"path": "forced", "new": list(forced)},
                {"path": "population", "new": digest(split)},
                {"path": "drawn", "new": list(chosen)},
            ],
        )
    for ev in Evaluation.objects.filter(pk__in=chosen).order_by("pk"):
        events.append(
            evaluation=ev,
            user=user,
            action="spot_check",
            state_from=ev.state,
            diff=[],
            comment=f"抽查 #{check.pk}",
        )
    return check


@transaction.atomic
def draw(*, user: User, year: int, size: int) -> SpotCheck:
    """Draw ``size`` approved forms of ``year`` at random (a seed from the system's CSPRNG,
    so nobody can steer the draw); the draw and each drawn form get a trail event."""
    access.require_role(user, {Role.ADMIN}, _("抽查"))
    rows = population(year).filter(pk__in=access.visible(user).values("pk"))
    approved = list(rows.order_by("pk").values_list("pk", flat=True))
    if size < 1:
        raise ServiceError(_("抽取数至少为 1"))
    if size > len(approved):
        raise ServiceError(
            _("%(year)s 年度已通过的自评表只有 %(n)s 份，不能抽取 %(size)s 份")
            % {"year": year, "n": len(approved), "size": size}
        )
    seed = secrets.token_hex(16)
    chosen = sorted(random.Random(seed).sample(approved, size))
    return _stored(user, year, chosen, seed, None, "", [], {"all": approved})


def sampled(evaluation: Evaluation) -> bool:
    """Whether a 抽查 drew the form (its 复核 is then open after approval)."""
    return evaluation.spot_checks.exists()


def listed(user: User) -> QuerySet[SpotCheck]:
    """The draws made (bureau admins only)."""
    access.require_role(user, {Role.ADMIN}, _("查看抽查"))
    return SpotCheck.objects.prefetch_related("evaluations")
