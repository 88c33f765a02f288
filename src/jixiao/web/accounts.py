"""Accounts from the command line: ``jixiao passwd`` sets a new password.

The password goes through the validators configured in the settings
(``AUTH_PASSWORD_VALIDATORS``), as it does on a page; the reasons come back in
Chinese for the command to print.
"""

from __future__ import annotations


class PasswordRefused(Exception):
    """The account is unknown or the password fails a validator; the message says why."""


def set_password(*, username: str, password: str) -> None:
    """Give ``username`` a new password, or raise PasswordRefused naming the reason."""
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils import translation

    user_model = get_user_model()
    try:
        user = user_model.objects.get(username=username)
    except user_model.DoesNotExist:
        raise PasswordRefused(f"没有账号 {username}") from None
    with translation.override("zh-hans"):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise PasswordRefused("；".join(str(m) for m in error.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
