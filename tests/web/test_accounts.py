"""Accounts (#22): the password policy with its Chinese reasons, changing one's own password
(page and API), a reset password changed at first sign-in, expiry, tokens revoked on a password
change and one by one, and the lockout per account across addresses."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.web import accounts
from jixiao.web.evaluations.models import Event
from jixiao.web.orgs.models import ApiToken

pytestmark = pytest.mark.django_db
GOOD = "Qing-shui-He-2026"


def _token(name: str, password: str | None = None) -> str:
    answer = Client().post(
        "/api/auth/token",
        json.dumps({"username": name, "password": password or f"{name}-口令-2026"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 10, "密码不能全是空格"),
        ("zhangsan123", "至少 3 类"),
        ("Zhangsan-123", "不能包含账号名"),
        ("Abc@123456", "常见密码"),
        ("Short-1a", "太短"),
        ("1234567890123", "至少 3 类"),
    ],
)
def test_the_policy_refuses_with_a_chinese_reason(password, reason):
    user = get_user_model()(username="zhangsan")
    from django.utils import translation

    with translation.override("zh-hans"):
        refused = accounts.refusals(password, user)
    assert refused and any(reason in r for r in refused), refused


def test_a_good_password_passes():
    assert accounts.refusals(GOOD, get_user_model()(username="zhangsan")) == []


def test_the_reasons_are_in_english_too(tree):
    from django.utils import translation

    with translation.override("en"):
        refused = accounts.refusals("zhangsan123", tree.users["filler_a1"])
    assert any("at least 3" in r for r in refused), refused


def test_changing_ones_own_password_on_the_page_revokes_the_tokens(tree):
    user = tree.users["filler_a1"]
    token = _token("filler_a1")
    client = Client()
    client.force_login(user)
    assert client.get("/account/password/").status_code == 200
    weak = client.post(
        "/account/password/",
        {"old_password": "filler_a1-口令-2026", "new_password": "abc", "again": "abc"},
    )
    assert weak.status_code == 422 and "太短" in weak.content.decode()
    done = client.post(
        "/account/password/",
        {"old_password": "filler_a1-口令-2026", "new_password": GOOD, "again": GOOD},
    )
    assert done.status_code == 200 and "密码已修改" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert not ApiToken.objects.filter(user=user).exists()
    assert Client().get("/api/evaluations", headers=_bearer(token)).status_code == 401
    assert client.get("/forms/").status_code == 200  # this session stays signed in
    log = set(Event.objects.filter(subject="security").values_list("action", flat=True))
    assert {"token_create", "token_revoke", "password_change"} <= log


def test_changing_ones_own_password_through_the_api(tree):
    token = _token("reviewer_a")
    wrong = Client().post(
        "/api/auth/password",
        json.dumps({"old_password": "nope", "new_password": GOOD}),
        content_type="application/json",
        headers=_bearer(token),
    )
    assert wrong.status_code == 422 and "原密码不正确" in wrong.json()["detail"]
    done = Client().post(
        "/api/auth/password",
        json.dumps({"old_password": "reviewer_a-口令-2026", "new_password": GOOD}),
        content_type="application/json",
        headers=_bearer(token),
    )
    assert done.status_code == 200
    assert Client().get("/api/auth/tokens", headers=_bearer(token)).status_code == 401
    assert Client().get("/api/auth/tokens", headers=_bearer(_token("reviewer_a", GOOD))).json()


def test_a_reset_password_must_be_changed_at_first_sign_in(tree):
    accounts.set_password(username="filler_a1", password="Reset-by-Operator-1")
    client = Client()
    client.force_login(get_user_model().objects.get(username="filler_a1"))  # marks the session
    forced = client.get("/forms/")
    assert forced.status_code == 302 and forced["Location"] == "/account/password/"
    assert "请先修改密码" in client.get("/account/password/").content.decode()
    token = _token("filler_a1", "Reset-by-Operator-1")
    refused = Client().get("/api/evaluations", headers=_bearer(token))
    assert refused.status_code == 403 and "须先修改密码" in refused.json()["detail"]
    client.post(
        "/account/password/",
        {"old_password": "Reset-by-Operator-1", "new_password": GOOD, "again": GOOD},
    )
    assert client.get("/forms/").status_code == 200


def test_a_password_older_than_the_setting_must_be_changed(tree, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.web.orgs.models import PasswordState

    user = tree.users["filler_a1"]
    accounts.mark(user, must_change=False)
    assert not accounts.must_change(user)
    PasswordState.objects.filter(user=user).update(changed_at=timezone.now() - timedelta(91))
    assert not accounts.must_change(user)  # no expiry by default
    settings.JIXIAO_PASSWORD_DAYS = 90
    assert accounts.must_change(user)


def test_tokens_are_listed_and_revoked_one_by_one(tree):
    first, second = _token("admin"), _token("admin")
    other = _token("reviewer_a")
    listed = Client().get("/api/auth/tokens", headers=_bearer(first)).json()
    assert len(listed) == 2 and [t["current"] for t in listed] == [True, False]
    theirs = ApiToken.objects.get(user=tree.users["reviewer_a"]).pk
    not_mine = Client().delete(f"/api/auth/tokens/{theirs}", headers=_bearer(first))
    assert not_mine.status_code == 404
    assert (
        Client().delete(f"/api/auth/tokens/{listed[1]['id']}", headers=_bearer(first)).status_code
        == 204
    )
    assert Client().get("/api/auth/tokens", headers=_bearer(second)).status_code == 401
    assert Client().delete("/api/auth/token", headers=_bearer(first)).status_code == 204
    assert Client().get("/api/auth/tokens", headers=_bearer(first)).status_code == 401
    assert Client().get("/api/auth/tokens", headers=_bearer(other)).status_code == 200


def test_forty_tries_from_ten_addresses_lock_the_account(tree, settings):
    """Five a (account, address) lock that address; twenty over all addresses lock the account
    everywhere, for the right password too (JIXIAO_ACCOUNT_FAILURE_LIMIT)."""
    tries = 0
    for n in range(10):
        for _ in range(4):  # under the per-address limit
            client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
            client.post("/login/", {"username": "filler_a1", "password": "wrong-口令"})
            tries += 1
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    locked = elsewhere.post("/login/", {"username": "filler_a1", "password": "filler_a1-口令-2026"})
    assert tries == 40 and locked.status_code == 429
    api = Client(REMOTE_ADDR="10.9.9.8").post(
        "/api/auth/token",
        json.dumps({"username": "filler_a1", "password": "filler_a1-口令-2026"}),
        content_type="application/json",
    )
    assert api.status_code == 429
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": "filler_a2", "password": "filler_a2-口令-2026"}
    )
    assert other.status_code == 302  # another account is not locked
    failures = Event.objects.filter(subject="security", action="login_failed").count()
    assert failures >= 40  # every failure kept, not erased by a later success
