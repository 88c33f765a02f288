"""Sessions end after two idle hours (SESSION_COOKIE_AGE) without a database write on every
request: Django's SESSION_SAVE_EVERY_REQUEST would save the session (a write transaction)
on each page, most of a small request's time. :class:`IdleExpiry` renews the session's
expiry at most once a :data:`RENEW_SECONDS`, so the idle limit holds to within that."""

from __future__ import annotations

import time

RENEW_SECONDS = 60
RENEWED = "_jixiao_renewed"  # the session key: when the expiry was last renewed (Unix seconds)


class IdleExpiry:
    """Middleware, listed after SessionMiddleware: marks a signed-in session modified — so
    SessionMiddleware saves it with a fresh expiry — when it was last renewed over
    :data:`RENEW_SECONDS` ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED, 0) >= RENEW_SECONDS:
                session[RENEWED] = now
        return response
