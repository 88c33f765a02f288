"""A signed-in session's expiry is renewed at most once a minute (jixiao.web.sessions), not
written on every request; after two idle hours it is over."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from jixiao.web.sessions import RENEW_SECONDS, RENEWED


def expiry() -> object:
    return Session.objects.get().expire_date


def test_the_expiry_is_renewed_once_a_minute_not_on_every_request(client, tree):
    client.force_login(tree.users["filler_a1"])
    assert client.get("/forms/").status_code == 200
    first = expiry()
    assert timedelta(hours=1, minutes=59) < first - timezone.now() <= timedelta(hours=2)
    assert client.get("/forms/").status_code == 200
    assert expiry() == first  # within the minute: no write

    session = client.session
    session[RENEWED] -= RENEW_SECONDS + 1  # a minute passes
    session.save()
    Session.objects.update(expire_date=first - timedelta(minutes=1))
    assert client.get("/forms/").status_code == 200
    assert expiry() > first - timedelta(minutes=1)
    assert timedelta(hours=1, minutes=59) < expiry() - timezone.now() <= timedelta(hours=2)


def test_an_idle_session_ends(client, tree):
    client.force_login(tree.users["filler_a1"])
    client.get("/forms/")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # two idle hours pass
    answer = client.get("/forms/")
    assert answer.status_code == 302 and "/login" in answer["Location"]
