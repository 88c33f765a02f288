"""Requests whose user is known, for the type checker: a page's behind ``login_required``
(``jixiao.web.pages.views.page``) and an API call's behind its authentication.

Django types ``request.user`` as a user or AnonymousUser; past these checks it is always
a user. At run time these requests are Django's HttpRequest as before: the classes only
name what the checks guarantee.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SignedInRequest(HttpRequest):
    """A page's request past ``login_required``: ``user`` is never AnonymousUser."""

    user: User


class ApiRequest(HttpRequest):
    """An API call past BearerToken or Session: ``auth`` is the user that signed in
    (django-ninja sets it; Django's request has no such attribute)."""

    auth: User
