"""Who may use which administration page (三员分立, :class:`jixiao.web.orgs.models.AdminRole`):
the system administrator the organisation tree, the projects and the templates; the security
administrator the accounts; the approved targets whoever the targets action lets set them (a
reviewer over the unit, a bureau admin). Anyone else signed in gets 403 (on the security log,
by :class:`jixiao.web.orgs.security.Denials`); a visitor not signed in goes to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jixiao.web.evaluations.actions.errors import Forbidden

SYSTEM = "system"
SECURITY = "security"
TARGETS = "targets"  # a business role that approves targets: reviewer, bureau admin


def admin_role(user: Any) -> str | None:
    """The account's 三员 role (system, security, audit), or ``None``."""
    return getattr(getattr(user, "admin_role", None), "role", None)


def business_role(user: Any) -> str | None:
    return getattr(getattr(user, "membership", None), "role", None)


def allowed(user: Any, area: str) -> bool:
    """Whether ``user`` may use the pages of ``area`` (:data:`SYSTEM`, :data:`SECURITY`,
    :data:`TARGETS`)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if area == TARGETS:
        return business_role(user) in {"reviewer", "admin"}
    return admin_role(user) == area


def require(user: Any, area: str) -> None:
    """:class:`Forbidden` unless ``user`` may act in ``area`` (the actions call it first)."""
    if not allowed(user, area):
        names = {SYSTEM: _("系统管理员"), SECURITY: _("安全管理员"), TARGETS: _("审核或管理人员")}
        raise Forbidden(_("此项操作仅限%(who)s") % {"who": names[area]})


def only(area: str) -> Callable:
    """A page of ``area``: signed in, and allowed (403 otherwise)."""

    def wrap(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def page(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not allowed(request.user, area):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return page

    return wrap
