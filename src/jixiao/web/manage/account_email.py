"""An account's e-mail address (电子邮箱), set by the security administrator on the account
pages or the accounts' xlsx: where 催报 (the year's reminders, :func:`jixiao.web.year.actions.notify`)
is mailed. Validated (Django's e-mail validator, at most 254 characters); each change is on
the security log (``account_email``, old → new) on the trail's keyed chain — the account's
trail state does not hold the address, so the states recorded before still verify."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.web.evaluations.actions import checks
from jixiao.web.evaluations.actions import trail as events
from jixiao.web.evaluations.actions.errors import Invalid
from jixiao.web.orgs import security

from . import roles

MAX_LENGTH = 254


def clean(email: Any) -> str:
    """``email`` stripped (the domain in lower case), or "" for none; :class:`Invalid` if it
    is not an address."""
    text = str(email or "").strip()
    if not text:
        return ""
    checks.storable({"email": text}, _("电子邮箱"))
    if len(text) > MAX_LENGTH:
        raise Invalid(_("电子邮箱至多 %(n)s 个字符") % {"n": MAX_LENGTH})
    try:
        validate_email(text)
    except ValidationError:
        raise Invalid(_("电子邮箱格式不正确：%(email)s") % {"email": text}) from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def set_email(*, actor: Any, user: Any, email: Any) -> bool:
    """Set (or, with "", clear) ``user``'s e-mail address; whether it changed."""
    roles.require(actor, roles.SECURITY)
    new = clean(email)
    old = user.email or ""
    if new == old:
        return False
    with events.acting(actor):
        user.email = new
        user.save(update_fields=["email"])
        security.log(
            "account_email",
            user=actor,
            detail=f"account#{user.pk} {user.get_username()}：{old or '（无）'} → {new or '（无）'}",
        )
    return True
