"""The refusals of the actions: a message in the active language (Chinese first, English
through Django's catalogue) and the HTTP status the API answers with — 404 for what the
user may not see (never revealing that it exists), 403 for a step their role may not take,
409 for a locked, not editable or stale form, 422 for content the form cannot take.
Messages are translated when raised (``gettext``), so the caller's active language
(LocaleMiddleware: the page's choice, the API's ``Accept-Language``) decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    """Content the form cannot take (422), the message naming the field."""

    status = 422


class FieldErrors(Invalid):
    """Content refused at named fields (422): ``fields`` maps each field path to what is
    wrong there, every one found at once, so a page marks them beside their fields and
    keeps every other value; ``message`` lists them for the API's ``detail``."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("；".join(fields.values()))
        self.fields = fields


class Mismatched(Conflict):
    """An uploaded form that is not the chosen project's (409): ``mismatches`` lists each
    field with the file's value and the project's; imported only once confirmed."""

    def __init__(self, message: str, mismatches: list[dict[str, str]]):
        super().__init__(message)
        self.mismatches = mismatches


OUT_OF_RANGE = gettext_lazy(
    "表中的数字超出可计算的范围（例如预算数接近 0 而执行数很大），无法审核或计分，请核对后再保存"
)
"""What a form gets whose figures the rules cannot compute with (an ArithmeticError:
a budget of 1E-999999 whose execution rate overflows): the form's fault, a 422."""


class Unavailable(ServiceError):
    """The server is too busy for this now (every PDF render slot taken): try again."""

    status = 503
