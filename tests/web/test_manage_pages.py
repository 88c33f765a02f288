"""Administration in the product's own pages (#23 item 1): the organisation tree, accounts,
projects, the year's templates and approved targets as a table — each write through the
actions, on the trail (and, where the trail's state does not hold it, the security log)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.web import accounts
from jixiao.web.evaluations.actions import trail
from jixiao.web.evaluations.models import ApprovedTargets, Event, Project
from jixiao.web.manage import year_templates
from jixiao.web.orgs.models import AdminRole, Membership, Organisation, PasswordState

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _events(subject: str) -> list[Event]:
    return list(Event.objects.filter(subject=subject).order_by("id"))


def test_the_system_administrator_builds_the_tree_on_the_pages(tree, admins):
    system = admins["system"]
    client = _client(system)
    page = client.get("/manage/organisations/").content.decode()
    assert "组织树" in page and "甲一中心" in page and "测试区财政局" in page
    answer = client.post(
        "/manage/organisations/", {"name": "丙局", "kind": "department", "parent": tree.bureau.pk}
    )
    assert answer.status_code == 302
    dept = Organisation.objects.get(name="丙局")
    assert dept.parent == tree.bureau and dept.kind == "department"
    created = _events(f"organisation#{dept.pk}")
    assert [e.action for e in created] == ["org_create"] and created[0].actor_id == system.pk
    client.post("/manage/organisations/", {"name": "丙一所", "kind": "unit", "parent": dept.pk})
    unit = Organisation.objects.get(name="丙一所")
    # a unit under a unit, a department without a parent: the model's rule, shown on the page
    wrong = client.post(
        "/manage/organisations/", {"name": "错层", "kind": "unit", "parent": unit.pk}
    )
    assert wrong.status_code == 422 and "上级应为主管部门" in wrong.content.decode()
    twin = client.post(
        "/manage/organisations/", {"name": "丙一所", "kind": "unit", "parent": dept.pk}
    )
    assert twin.status_code == 409 and "同一上级下已有" in twin.content.decode()
    # rename and move
    url = f"/manage/organisations/{unit.pk}/"
    assert client.post(url, {"op": "rename", "name": "丙一中心"}).status_code == 302
    assert client.post(url, {"op": "move", "parent": tree.dept_a.pk}).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.parent_id) == ("丙一中心", tree.dept_a.pk)
    changes = _events(f"organisation#{unit.pk}")
    assert [e.action for e in changes] == ["org_create", "org_change", "org_change"]
    assert changes[1].diff == [{"path": "name", "old": "丙一所", "new": "丙一中心"}]
    assert changes[2].diff == [{"path": "parent", "old": dept.pk, "new": tree.dept_a.pk}]
    assert trail.check().intact


def test_an_organisation_is_disabled_after_its_children_and_accounts(tree, admins):
    client = _client(admins["system"])
    url = f"/manage/organisations/{tree.dept_a.pk}/"
    refused = client.post(url, {"op": "disable"})
    assert refused.status_code == 409 and "先停用其下级组织" in refused.content.decode()
    unit = tree.unit_a2
    refused = client.post(f"/manage/organisations/{unit.pk}/", {"op": "disable"})
    assert refused.status_code == 409 and "filler_a2" in refused.content.decode()
    accounts.set_active(actor=admins["security"], user=tree.users["filler_a2"], active=False)
    assert client.post(f"/manage/organisations/{unit.pk}/", {"op": "disable"}).status_code == 302
    unit.refresh_from_db()
    assert not unit.active
    logged = Event.objects.filter(subject="security", action="org_disable").get()
    assert logged.actor_id == admins["system"].pk and "甲二所" in logged.comment
    # nothing new is placed under a disabled organisation
    made = client.post("/manage/organisations/", {"name": "新", "kind": "unit", "parent": unit.pk})
    assert made.status_code == 422  # a unit under a unit
    place = _client(admins["security"]).post(
        "/manage/accounts/",
        {"username": "late", "organisation": unit.pk, "role": "filler"},
    )
    assert place.status_code == 409 and "已停用" in place.content.decode()
    assert client.post(f"/manage/organisations/{unit.pk}/", {"op": "enable"}).status_code == 302
    assert Event.objects.filter(subject="security", action="org_enable").count() == 1
    assert trail.check().intact


def test_a_disable_and_an_enable_are_on_the_trail_and_verify(tree, admins):
    """states.organisation records ``active`` (#23): a disable and an enable are events with
    their diff; an organisation in use records the state's old shape (no ``active``), so the
    trails recorded before still verify; a disable outside the application is named."""
    from jixiao.domain.trail import state_hashes
    from jixiao.web.evaluations import states

    unit = tree.unit_a1
    old_shape = {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}
    assert states.organisation(unit) == old_shape  # what every record before holds
    recorded = _events(f"organisation#{unit.pk}")[-1].state
    assert recorded == state_hashes(old_shape)
    for user in tree.users.values():
        if user.membership.organisation_id == unit.pk:
            accounts.set_active(actor=admins["security"], user=user, active=False)
    client = _client(admins["system"])
    url = f"/manage/organisations/{unit.pk}/"
    assert client.post(url, {"op": "disable"}).status_code == 302
    disabled = _events(f"organisation#{unit.pk}")[-1]
    assert disabled.action == "org_change" and disabled.actor_id == admins["system"].pk
    assert disabled.diff == [{"path": "active", "new": False}]
    assert disabled.state == state_hashes({**old_shape, "active": False})
    assert trail.check().intact
    # enabled again outside the application: named by verify-trail
    Organisation.objects.filter(pk=unit.pk).update(active=True)
    report = trail.check()
    assert not report.intact and any("组织" in d and "active" in d for d in report.differences), (
        report.differences
    )
    Organisation.objects.filter(pk=unit.pk).update(active=False)
    assert trail.check().intact
    assert client.post(url, {"op": "enable"}).status_code == 302
    enabled = _events(f"organisation#{unit.pk}")[-1]
    assert enabled.diff == [{"path": "active", "old": False}]
    assert enabled.state == recorded  # back to the old shape
    assert trail.check().intact


def test_the_security_administrator_creates_an_account_with_a_one_time_password(tree, admins):
    security = admins["security"]
    client = _client(security)
    answer = client.post(
        "/manage/accounts/",
        {"username": "unit_c1", "name": "张三", "organisation": tree.unit_b1.pk, "role": "filler"},
    )
    assert answer.status_code == 201
    word = re.search(r'id="new-password">([^<]+)<', answer.content.decode()).group(1)
    user = get_user_model().objects.get(username="unit_c1")
    assert user.check_password(word) and accounts.refusals(word, user) == []
    assert user.membership.organisation == tree.unit_b1 and user.membership.role == "filler"
    assert PasswordState.objects.get(user=user).must_change
    events = _events(f"account#{user.pk}")
    assert events and all(e.actor_id == security.pk for e in events)
    # the password policy and the roles' places hold
    weak = client.post(
        "/manage/accounts/", {"username": "x1", "organisation": tree.bureau.pk, "role": "filler"}
    )
    assert weak.status_code == 422 and "填报人员应设在" in weak.content.decode()
    assert not get_user_model().objects.filter(username="x1").exists()
    again = client.post(
        "/manage/accounts/",
        {"username": "UNIT_C1", "organisation": tree.unit_b1.pk, "role": "filler"},
    )
    assert again.status_code == 409


def test_disable_reset_and_roles_of_an_account(tree, admins):
    security = admins["security"]
    client = _client(security)
    filler = tree.users["filler_a1"]
    url = f"/manage/accounts/{filler.pk}/"
    assert client.get(url).status_code == 200
    from jixiao.web.orgs.models import ApiToken

    ApiToken.issue(filler)
    reset = client.post(url, {"op": "reset"})
    word = re.search(r'id="new-password">([^<]+)<', reset.content.decode()).group(1)
    filler.refresh_from_db()
    assert filler.check_password(word) and not ApiToken.objects.filter(user=filler).exists()
    assert PasswordState.objects.get(user=filler).must_change
    assert Event.objects.filter(subject="security", action="password_change").exists()
    # a role and place change, then a 三员 role: the business role goes
    assert (
        client.post(
            url, {"op": "place", "organisation": tree.dept_a.pk, "role": "reviewer"}
        ).status_code
        == 302
    )
    assert Membership.objects.get(user=filler).role == "reviewer"
    assert client.post(url, {"op": "place", "organisation": "", "role": "audit"}).status_code == 302
    assert not Membership.objects.filter(user=filler).exists()
    assert AdminRole.objects.get(user=filler).role == "audit"
    assert client.post(url, {"op": "disable"}).status_code == 302
    filler.refresh_from_db()
    assert not filler.is_active
    assert Event.objects.filter(subject="security", action="role_change").count() >= 3
    # not one's own
    own = client.post(f"/manage/accounts/{security.pk}/", {"op": "disable"})
    assert own.status_code == 409
    assert trail.check().intact


def test_projects_are_registered_and_renamed_their_code_kept(tree, admins):
    client = _client(admins["system"])
    answer = client.post(
        "/manage/projects/", {"code": "P-2024-01", "name": "河道保洁", "unit": tree.unit_a1.pk}
    )
    assert answer.status_code == 302
    project = Project.objects.get(code="P-2024-01")
    assert project.unit == tree.unit_a1
    twice = client.post(
        "/manage/projects/", {"code": "P-2024-01", "name": "别的", "unit": tree.unit_a1.pk}
    )
    assert twice.status_code == 409 and "已被使用" in twice.content.decode()
    assert (
        client.post(f"/manage/projects/{project.pk}/", {"name": "河道保洁养护"}).status_code == 302
    )
    project.refresh_from_db()
    assert (project.code, project.name) == ("P-2024-01", "河道保洁养护")
    assert [e.action for e in _events(f"project#{project.pk}")] == [
        "project_create",
        "project_change",
    ]
    assert "河道保洁养护" in client.get("/manage/projects/").content.decode()


def test_the_template_of_a_year_and_department(tree, admins):
    client = _client(admins["system"])
    assert (
        client.post(
            "/manage/templates/", {"year": "2025", "department": "", "template": "national-2020"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/manage/templates/",
            {"year": "2025", "department": tree.dept_b.pk, "template": "shanghai-2019"},
        ).status_code
        == 302
    )
    assert year_templates.chosen(2025, tree.unit_a1) == "national-2020"
    assert year_templates.chosen(2025, tree.unit_b1) == "shanghai-2019"
    assert year_templates.chosen(2025, tree.dept_b) == "shanghai-2019"
    assert year_templates.chosen(2024, tree.unit_a1) is None
    # a department's whole-spending forms have a template of their own kind
    assert (
        client.post(
            "/manage/templates/",
            {"year": "2025", "department": "", "template": "national-department"},
        ).status_code
        == 302
    )
    assert year_templates.chosen(2025, tree.unit_b1, "department") == "national-department"
    assert year_templates.chosen(2025, tree.unit_b1) == "shanghai-2019"
    cleared = {"year": "2025", "department": "", "template": "", "kind": "department"}
    assert client.post("/manage/templates/", cleared).status_code == 302
    assert year_templates.chosen(2025, tree.unit_b1, "department") is None
    assert year_templates.chosen(2025, tree.unit_a1) == "national-2020"
    bad = client.post("/manage/templates/", {"year": "2025", "department": "", "template": "nope"})
    assert bad.status_code == 422 and "没有模板" in bad.content.decode()
    logged = Event.objects.filter(subject="security", action="template_set").order_by("id")
    assert [e.comment for e in logged] == [
        "2025 全部主管部门：（无） → national-2020",
        "2025 乙局：（无） → shanghai-2019",
        "2025 全部主管部门：（无） → national-department",
        "2025 全部主管部门 department：（清除）",
    ]
    page = client.get("/manage/templates/").content.decode()
    assert "shanghai-2019" in page and "乙局" in page


def test_approved_targets_are_a_table_of_indicators(tree, project_a1):
    client = _client(tree.users["reviewer_a"])
    url = f"/manage/targets/{project_a1.pk}/2024/"
    page = client.get(url).content.decode()
    assert "一级指标" in page and "null" not in page and page.count('name="name"') == 3
    added = client.post(
        url,
        {
            "op": "add",
            "level1": ["产出指标"],
            "level2": ["数量指标"],
            "name": ["巡查频次"],
            "target": ["≥12(次)"],
            "points": ["20"],
        },
    )
    assert added.content.decode().count('name="name"') == 2 and "巡查频次" in added.content.decode()
    bad = client.post(
        url,
        {
            "op": "save",
            "level1": ["产出指标"],
            "level2": [""],
            "name": ["巡查频次"],
            "target": ["≥12(次)"],
            "points": ["二十"],
        },
    )
    assert bad.status_code == 422 and "分值应为 0–100 之间的数" in bad.content.decode()
    assert "巡查频次" in bad.content.decode()  # what was typed stays
    saved = client.post(
        url,
        {
            "op": "save",
            "level1": ["产出指标", "效益指标", ""],
            "level2": ["数量指标", "社会效益指标", ""],
            "name": ["巡查频次", "群众满意度", ""],
            "target": ["≥12(次)", "≥90%", ""],
            "points": ["20", "10.5", ""],
        },
    )
    assert saved.status_code == 302
    stored = ApprovedTargets.objects.get(project=project_a1, year=2024)
    assert stored.indicators == [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "巡查频次",
            "target": "≥12(次)",
            "points": "20",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "群众满意度",
            "target": "≥90%",
            "points": "10.5",
        },
    ]
    assert stored.set_by == tree.users["reviewer_a"]
    assert [e.action for e in _events(f"targets#{stored.pk}")] == ["targets_create"]
    # one row removed: a change on the trail
    client.post(
        url,
        {
            "op": "save",
            "level1": ["产出指标", "效益指标"],
            "level2": ["数量指标", "社会效益指标"],
            "name": ["巡查频次", "群众满意度"],
            "target": ["≥12(次)", "≥90%"],
            "points": ["20", "10.5"],
            "remove": ["1"],
        },
    )
    stored.refresh_from_db()
    assert [r["name"] for r in stored.indicators] == ["巡查频次"]
    assert [e.action for e in _events(f"targets#{stored.pk}")] == [
        "targets_create",
        "targets_change",
    ]
    again = client.get(url).content.decode()
    assert 'value="巡查频次"' in again and 'value="≥12(次)"' in again
    # another department's reviewer does not see the project
    assert _client(tree.users["reviewer_b"]).get(url).status_code == 404
    listing = client.get("/manage/targets/").content.decode()
    assert "A1-001" in listing and f"/manage/targets/{project_a1.pk}/2024/" in listing


def test_the_pages_in_english(tree, admins, project_a1):
    from django.utils import translation

    han = re.compile(r"[\u4e00-\u9fff]")
    names = ["测试区财政局", "甲局", "乙局", "甲一中心", "甲二所", "乙一站", "示例项目"]
    # what a workbook's headings and cells say (the import pages name them as the file has them)
    names += [
        "层级",
        "名称",
        "上级",
        "状态",
        "在用",
        "停用",
        "账号",
        "姓名",
        "组织",
        "角色",
        "项目编码",
        "项目名称",
        "实施单位",
    ]
    names += [
        "主管部门",
        "财政局",
        "填报",
        "审核",
        "管理",
        "系统管理员",
        "安全管理员",
        "审计管理员",
        "公里",
        "年底前",
        "局",
    ]
    pages = [
        (admins["system"], "/manage/"),
        (admins["system"], "/manage/organisations/"),
        (admins["system"], f"/manage/organisations/{tree.unit_a1.pk}/"),
        (admins["system"], "/manage/organisations/import/"),
        (admins["system"], "/manage/projects/"),
        (admins["system"], f"/manage/projects/{project_a1.pk}/"),
        (admins["system"], "/manage/projects/import/"),
        (admins["system"], "/manage/templates/"),
        (admins["security"], "/manage/accounts/"),
        (admins["security"], f"/manage/accounts/{tree.users['filler_a1'].pk}/"),
        (admins["security"], "/manage/accounts/import/"),
        (tree.users["admin"], "/manage/targets/"),
        (tree.users["admin"], f"/manage/targets/{project_a1.pk}/2024/"),
    ]
    for user, url in pages:
        client = _client(user)
        client.cookies["django_language"] = "en"
        with translation.override("en"):
            text = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        body = re.sub(r"<[^>]+>", " ", text.split("<main", 1)[1])
        for name in sorted(names, key=len, reverse=True):
            body = body.replace(name, "")
        body = re.sub(r"（[a-z0-9-]+）", "", body)
        left = sorted(set(han.findall(body)))
        assert not left, (url, left, [ln for ln in body.splitlines() if han.search(ln)][:5])


def test_the_actions_refuse_whom_the_pages_refuse(tree, admins):
    from jixiao.web.evaluations.actions import projects
    from jixiao.web.evaluations.actions.errors import Forbidden
    from jixiao.web.manage import organisations

    for user in (admins["security"], admins["audit"], tree.users["admin"]):
        with pytest.raises(Forbidden):
            organisations.create(
                user=user, name="某局", kind="department", parent_id=tree.bureau.pk
            )
        with pytest.raises(Forbidden):
            year_templates.set_template(
                user=user, year=2025, department_id="", template="national-2020"
            )
    for user in (admins["system"], admins["audit"], tree.users["admin"]):
        with pytest.raises(Forbidden):
            accounts.create_account(
                actor=user, username="x", organisation=tree.unit_a1, role="filler"
            )
        with pytest.raises(Forbidden):
            accounts.reset_password(actor=user, user=tree.users["filler_a1"])
    for user in (admins["security"], tree.users["filler_a1"], tree.users["reviewer_bureau"]):
        with pytest.raises(Forbidden):
            projects.register(user=user, code="Z-1", name="某项目", unit_id=tree.unit_a1.pk)
    # a bureau admin (a business role) registers projects as the API lets it create them
    made = projects.register(
        user=tree.users["admin"], code="Z-1", name="某项目", unit_id=tree.unit_a1.pk
    )
    assert made.unit == tree.unit_a1
    assert not Organisation.objects.filter(name="某局").exists()


def test_a_refusal_in_english(tree, admins):
    client = _client(admins["system"])
    client.cookies["django_language"] = "en"
    answer = client.post(
        "/manage/organisations/",
        {"name": "Wrong", "kind": "unit", "parent": tree.bureau.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 422
    assert (
        "The parent of a" in answer.content.decode() and "上级应为" not in answer.content.decode()
    )


def test_the_security_administrator_lifts_a_lockout(tree, admins):
    from axes.models import AccessAttempt

    filler = tree.users["filler_a1"]
    for address in ("10.0.0.1", "10.0.0.2"):
        AccessAttempt.objects.create(
            username=filler.username,
            ip_address=address,
            user_agent="t",
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/login/",
        )
    client = _client(admins["security"])
    url = f"/manage/accounts/{filler.pk}/"
    assert "登录失败 10 次" in client.get(url).content.decode()
    assert client.post(url, {"op": "unlock"}).status_code == 302
    assert not AccessAttempt.objects.filter(username=filler.username).exists()
    logged = Event.objects.filter(subject="security", action="unlock").get()
    assert logged.comment == "filler_a1" and logged.actor_id == admins["security"].pk
    assert "登录失败" not in client.get(url).content.decode()
    refused = _client(admins["system"]).post(url, {"op": "unlock"})
    assert refused.status_code == 403


def test_the_account_pages_set_a_validated_email_used_by_the_reminders(tree, admins, settings):
    """电子邮箱 on the account pages (#23): given at creation or changed on the account's page,
    validated (a bad one refused, nothing stored), on the security log; 催报 mails it."""
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from jixiao.web.year import actions as year

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = _client(admins["security"])
    form = {"username": "mail_a1", "organisation": tree.unit_a1.pk, "role": "filler"}
    bad = client.post("/manage/accounts/", {**form, "email": "a1@"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.content.decode()
    assert not get_user_model().objects.filter(username="mail_a1").exists()
    made = client.post("/manage/accounts/", {**form, "email": " a1@Example.cn "})
    assert made.status_code == 201
    user = get_user_model().objects.get(username="mail_a1")
    assert user.email == "a1@example.cn" and "a1@example.cn" in made.content.decode()
    url = f"/manage/accounts/{user.pk}/"
    page = client.get(url).content.decode()
    assert 'name="email" type="email" maxlength="254" value="a1@example.cn"' in page
    refused = client.post(url, {"op": "email", "email": "两个@@example.cn"})
    assert refused.status_code == 422 and 'value="两个@@example.cn"' in refused.content.decode()
    assert client.post(url, {"op": "email", "email": "center@example.cn"}).status_code == 302
    user.refresh_from_db()
    assert user.email == "center@example.cn"
    assert "已更改电子邮箱" in client.get(f"{url}?done=email").content.decode()
    logged = Event.objects.filter(subject="security", action="account_email").order_by("id")
    assert [e.comment.split("：")[-1] for e in logged] == [
        "（无） → a1@example.cn",
        "a1@example.cn → center@example.cn",
    ]
    # only the security administrator sets it
    assert (
        _client(admins["system"]).post(url, {"op": "email", "email": "x@example.cn"}).status_code
        == 403
    )
    # 催报 mails the address set here
    task = year.issue(
        user=tree.users["admin"],
        year=2024,
        template="national-2020",
        deadline=timezone.now() + timedelta(days=5),
        scope_kind="units",
        organisations=[tree.unit_a1.pk],
    ).task
    Project.objects.create(code="MAIL-1", name="邮件项目", unit=tree.unit_a1)
    year.remind(user=tree.users["admin"], task_id=task.pk, units=[tree.unit_a1.pk])
    assert [m.to for m in mail.outbox] == [["center@example.cn"]]
    english = client.post(url, {"op": "email", "email": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "e-mail address" in english.content.decode().lower()
    assert trail.check().intact


def test_an_organisation_disabled_before_active_was_recorded_is_anchored_at_migrate(tree):
    """Before its state held ``active``, a disable was no event: after the upgrade the row
    would differ from its record. The post_migrate step records each such organisation once
    (an ``anchor``), and only where ``active`` is the one difference."""
    from django.core.management import call_command

    from jixiao.web.manage.organisations import record_active_after_migrate

    unit, other = tree.unit_a2, tree.unit_b1
    Organisation.objects.filter(pk=unit.pk).update(active=False)  # as the old code left it
    Organisation.objects.filter(pk=other.pk).update(active=False, name="改名")  # tampered too
    report = trail.check()
    assert any("甲二所" in d and "active" in d for d in report.differences)
    call_command("migrate", verbosity=0)  # post_migrate, as an upgrade runs it
    anchored = _events(f"organisation#{unit.pk}")[-1]
    assert anchored.action == "anchor" and anchored.actor_name == "migrate"
    assert anchored.diff == [{"path": "active", "new": False}]
    differences = trail.check().differences
    assert differences == [f"组织 #{other.pk}（改名）：active、name 与审计链记录的不符"]
    assert record_active_after_migrate() == 0  # once
