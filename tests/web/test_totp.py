"""The administrators' second factor (#22): RFC 6238 codes (the RFC's own test vector), the
sign-in that owes a code sees only /account/totp/, enrolment, a code used once, five wrong
codes end the session, no API token for an administrator while it is required."""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.web.evaluations.models import Event
from jixiao.web.orgs import totp
from jixiao.web.orgs.models import AdminRole, TotpDevice

pytestmark = pytest.mark.django_db


def test_the_codes_are_rfc_6238s():
    secret = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1
    assert totp.code(secret, 59 // 30) == "287082"  # 94287082, six digits
    assert totp.code(secret, 1111111109 // 30) == "081804"
    assert totp.matching_step(secret, "081804", now=1111111109) == 1111111109 // 30
    assert totp.matching_step(secret, "081804", now=1111111109 + 90) is None


@pytest.fixture
def auditor(settings):
    settings.JIXIAO_ADMIN_TOTP = True
    user = get_user_model().objects.create_user("audit_admin", password="Audit-口令-2026x")
    AdminRole.objects.create(user=user, role="audit")
    return get_user_model().objects.get(pk=user.pk)


def test_an_administrator_owes_a_code_after_the_password(auditor):
    client = Client()
    client.force_login(auditor)
    assert client.get("/security-log/")["Location"] == "/account/totp/"
    page = client.get("/account/totp/").content.decode()
    device = TotpDevice.objects.get(user=auditor)
    assert device.secret in page and "otpauth://totp/" in page and not device.confirmed
    wrong = client.post("/account/totp/", {"code": "000000"})
    assert wrong.status_code == 422
    now = totp.code(device.secret, int(time.time() // 30))
    assert client.post("/account/totp/", {"code": now}).status_code == 302
    assert client.get("/security-log/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    again = Client()
    again.force_login(auditor)
    assert again.post("/account/totp/", {"code": now}).status_code == 422  # used once
    actions = set(Event.objects.filter(subject="security").values_list("action", flat=True))
    assert {"totp_ok", "totp_failed"} <= actions


def test_five_wrong_codes_end_the_session(auditor):
    client = Client()
    client.force_login(auditor)
    for _ in range(4):
        assert client.post("/account/totp/", {"code": "000000"}).status_code == 422
    assert client.post("/account/totp/", {"code": "000000"})["Location"] == "/login/"
    assert client.get("/account/totp/").status_code == 302  # signed out
    assert client.get("/account/totp/")["Location"].startswith("/login/")


def test_business_accounts_owe_nothing_and_administrators_get_no_token(tree, auditor):
    client = Client()
    client.force_login(tree.users["filler_a1"])
    assert client.get("/forms/").status_code == 200
    answer = Client().post(
        "/api/auth/token",
        json.dumps({"username": "audit_admin", "password": "Audit-口令-2026x"}),
        content_type="application/json",
    )
    assert answer.status_code == 403 and "双因素" in answer.json()["detail"]
