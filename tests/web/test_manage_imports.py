"""The administration imports from xlsx (#23 item 1): the organisation tree, accounts and the
project library. Each reports its refused rows one by one (row, column, problem) and stores
nothing then; run twice, the second run changes nothing; a file that is no workbook, or has
no header, is refused naming the file."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import Workbook, load_workbook

from jixiao.web.evaluations.actions import trail
from jixiao.web.evaluations.models import Event, Project
from jixiao.web.orgs.models import AdminRole, Membership, Organisation, PasswordState

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook(rows: list[list], title_rows: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    for _n in range(title_rows):
        sheet.append(["2025 年项目库（导出）"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Client, url: str, data: bytes, name: str = "book.xlsx"):
    return client.post(url, {"file": io.BytesIO(data) | _named(name)})


class _named:
    """``io.BytesIO(data) | _named(name)``: a file object with a name, as a browser sends."""

    def __init__(self, name: str):
        self.name = name

    def __ror__(self, stream: io.BytesIO) -> io.BytesIO:
        stream.name = self.name
        return stream


def _report(answer) -> str:
    return re.sub(r"\s+", " ", answer.content.decode())


def _events() -> int:
    return Event.objects.count()


TREE = [
    ["层级", "名称", "上级", "状态"],
    ["主管部门", "丙局", "测试区财政局", "在用"],
    ["实施单位", "丙一所", "测试区财政局 / 丙局", ""],
    ["实施单位", "丙二站", "丙局", "停用"],
    ["实施单位", "甲三队", "甲局", ""],
]


def test_the_tree_is_imported_once_and_the_second_run_changes_nothing(tree, admins):
    client = _client(admins["system"])
    first = upload(client, "/manage/organisations/import/", workbook(TREE))
    assert first.status_code == 200 and "新建 4，更改 0，不变 0" in _report(first)
    dept = Organisation.objects.get(name="丙局")
    assert Organisation.objects.get(name="丙一所").parent == dept
    assert not Organisation.objects.get(name="丙二站").active
    assert Organisation.objects.get(name="甲三队").parent == tree.dept_a
    events = _events()
    made = Event.objects.filter(action="org_create", actor=admins["system"])
    assert made.count() == 4
    second = upload(client, "/manage/organisations/import/", workbook(TREE))
    assert second.status_code == 200 and "新建 0，更改 0，不变 4" in _report(second)
    assert _events() == events  # nothing on the trail either: nothing changed
    assert trail.check().intact


def test_the_exported_tree_imports_back_as_it_is(tree, admins):
    client = _client(admins["system"])
    answer = client.get("/manage/organisations/export/")
    assert answer["Content-Disposition"] == 'attachment; filename="organisations.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["层级", "名称", "上级", "状态"]
    assert ["实施单位", "甲一中心", "测试区财政局 / 甲局", "在用"] in rows
    assert len(rows) == 1 + Organisation.objects.count()
    before = _events()
    again = upload(client, "/manage/organisations/import/", answer.content)
    assert "新建 0，更改 0，不变 6" in _report(again) and _events() == before


def test_a_tree_with_bad_rows_names_each_and_stores_nothing(tree, admins):
    rows = [
        ["层级", "名称", "上级"],
        ["主管部门", "丁局", "测试区财政局"],  # fine, but the file is refused as a whole
        ["单元", "某所", "甲局"],  # row 3: no such level
        ["实施单位", "", "甲局"],  # row 4: no name
        ["实施单位", "某所", "无此局"],  # row 5: no such parent
        ["实施单位", "甲一中心", ""],  # row 6: no parent
        ["主管部门", "甲一中心", "测试区财政局"],  # fine: another parent
        ["实施单位", "甲局", "测试区财政局 / 甲局"],  # fine: a unit named like its department
        ["财政局", "测试区财政局", ""],  # fine: there already
        ["主管部门", "甲局", "测试区财政局"],  # fine: there already
        ["实施单位", "甲局", "测试区财政局"],  # row 11: a unit under the bureau
    ]
    client = _client(admins["system"])
    before = (_events(), Organisation.objects.count())
    answer = upload(client, "/manage/organisations/import/", workbook(rows))
    assert answer.status_code == 422
    text = _report(answer)
    assert "5 行有误，未导入任何内容" in text
    assert (
        '<td class="num">3</td><td>A 列「层级」</td><td>层级应为财政局、主管部门或实施单位</td>'
        in text
    )
    assert '<td class="num">4</td><td>B 列「名称」</td><td>名称不能为空</td>' in text
    assert '<td class="num">5</td><td>C 列「上级」</td><td>没有名为“无此局”的主管部门</td>' in text
    assert '<td class="num">6</td><td>C 列「上级」</td><td>须填写上级（主管部门）</td>' in text
    assert (
        '<td class="num">11</td><td>C 列「上级」</td><td>没有名为“测试区财政局”的主管部门</td>'
        in text
    )
    assert (_events(), Organisation.objects.count()) == before
    assert not Organisation.objects.filter(name="丁局").exists()


def test_files_that_are_no_workbook_or_have_no_header_are_refused_by_name(tree, admins):
    client = _client(admins["system"])
    junk = upload(client, "/manage/organisations/import/", b"PK\x03\x04 not a zip", "机构.xlsx")
    assert junk.status_code == 422 and "机构.xlsx" in _report(junk)
    text = upload(client, "/manage/organisations/import/", "层级,名称\n".encode(), "tree.csv")
    assert text.status_code == 422 and "tree.csv" in _report(text)
    headless = upload(
        client,
        "/manage/organisations/import/",
        workbook([["名字", "类别"], ["甲", "乙"]]),
        "空.xlsx",
    )
    assert headless.status_code == 422
    assert "文件 空.xlsx 的第一个工作表前 10 行中没有表头（须有：层级、名称）" in _report(headless)
    none = client.post("/manage/organisations/import/", {})
    assert none.status_code == 422 and "请选择一个 xlsx 文件" in _report(none)


ACCOUNTS = [
    ["账号", "姓名", "组织", "角色"],
    ["bing_filler", "王五", "测试区财政局 / 甲局 / 甲一中心", "填报"],
    ["jia_reviewer2", "赵六", "甲局", "审核"],
    ["audit2", "钱七", "", "审计管理员"],
    ["filler_a2", "", "甲二所", "填报"],  # there, as it is
    ["security_admin", "", "", "安全管理员"],  # the importer itself, as it is
]


def test_accounts_are_imported_with_one_time_passwords_and_the_second_run_changes_nothing(
    tree, admins
):
    client = _client(admins["security"])
    first = upload(client, "/manage/accounts/import/", workbook(ACCOUNTS))
    text = _report(first)
    assert first.status_code == 200 and "新建 3，更改 0，不变 2" in text
    shown = dict(re.findall(r"<td>([\w.]+)</td><td><code>([^<]+)</code></td>", text))
    assert set(shown) == {"bing_filler", "jia_reviewer2", "audit2"}
    users = get_user_model().objects
    filler = users.get(username="bing_filler")
    assert filler.check_password(shown["bing_filler"]) and filler.first_name == "王五"
    assert (filler.membership.organisation, filler.membership.role) == (tree.unit_a1, "filler")
    assert PasswordState.objects.get(user=filler).must_change
    assert AdminRole.objects.get(user__username="audit2").role == "audit"
    assert Membership.objects.get(user__username="jia_reviewer2").organisation == tree.dept_a
    events = _events()
    second = upload(client, "/manage/accounts/import/", workbook(ACCOUNTS))
    assert "新建 0，更改 0，不变 5" in _report(second) and "<code>" not in _report(second)
    assert _events() == events
    assert users.get(username="bing_filler").check_password(shown["bing_filler"])
    # a row that changes a role is a change, once
    moved = [*ACCOUNTS[:1], ["bing_filler", "王五", "甲二所", "填报"]]
    assert "新建 0，更改 1，不变 0" in _report(
        upload(client, "/manage/accounts/import/", workbook(moved))
    )
    assert "新建 0，更改 0，不变 1" in _report(
        upload(client, "/manage/accounts/import/", workbook(moved))
    )
    assert trail.check().intact


def test_accounts_with_bad_rows_are_named_and_none_is_made(tree, admins):
    rows = [
        ["账号", "姓名", "组织", "角色"],
        ["ok_one", "", "甲一中心", "填报"],
        ["", "", "甲一中心", "填报"],  # 3
        ["two", "", "甲一中心", "科长"],  # 4
        ["three", "", "无此单位", "填报"],  # 5
        ["four", "", "测试区财政局", "填报"],  # 6: a filler at the bureau
        ["ok_one", "", "甲二所", "填报"],  # 7: twice in the file
        ["bad name!", "", "甲一中心", "填报"],  # 8
        ["five", "", "", "审核"],  # 9: a business role needs a place
    ]
    answer = upload(_client(admins["security"]), "/manage/accounts/import/", workbook(rows))
    text = _report(answer)
    assert answer.status_code == 422 and "7 行有误" in text and "<code>" not in text
    for row, column in [
        (3, "A 列「账号」"),
        (4, "D 列「角色」"),
        (5, "C 列「组织」"),
        (6, "A 列「账号」"),
        (7, "A 列「账号」"),
        (8, "A 列「账号」"),
        (9, "C 列「组织」"),
    ]:
        assert f'<td class="num">{row}</td><td>{column}</td>' in text, row
    assert "填报人员应设在" in text and "与第 2 行的账号重复" in text
    assert not get_user_model().objects.filter(username="ok_one").exists()


LIBRARY = [
    ["序号", "项目编码", "项目名称", "主管部门", "实施单位", "项目类别", "预算金额（万元）"],
    [1, "310115-2025-001", "河道保洁", "甲局", "甲一中心", "一般项目", 120.5],
    [2, "310115-2025-002", "社区文化活动", "乙局", "乙一站", "一般项目", 35],
    [3, "A1-001", "示例项目（更名）", "甲局", "甲一中心", "延续项目", 80],
]


def test_the_project_library_is_imported_codes_kept_and_the_second_run_changes_nothing(
    tree, admins, project_a1
):
    client = _client(admins["system"])
    first = upload(
        client, "/manage/projects/import/", workbook(LIBRARY, title_rows=2), "项目库.xlsx"
    )
    assert first.status_code == 200 and "新建 2，更改 1，不变 0" in _report(first)
    assert Project.objects.get(code="310115-2025-002").unit == tree.unit_b1
    project_a1.refresh_from_db()
    assert project_a1.name == "示例项目（更名）"  # the code stays, the name follows the library
    events = _events()
    second = upload(client, "/manage/projects/import/", workbook(LIBRARY, title_rows=2))
    assert "新建 0，更改 0，不变 3" in _report(second) and _events() == events
    exported = load_workbook(io.BytesIO(client.get("/manage/projects/export/").content)).active
    assert ["310115-2025-001", "河道保洁", "甲局", "甲一中心"] in [
        list(r) for r in exported.iter_rows(values_only=True)
    ]
    assert trail.check().intact


def test_a_project_library_with_bad_rows_names_each(tree, admins, project_a1):
    rows = [
        ["项目编码", "项目名称", "实施单位"],
        ["N-1", "新项目", "甲一中心"],
        ["", "无编码", "甲一中心"],  # 3
        ["N-2", "", "甲一中心"],  # 4
        ["N-3", "某项目", "无此单位"],  # 5
        ["A1-001", "示例项目", "乙一站"],  # 6: registered at another unit
        ["N-1", "又一个", "甲一中心"],  # 7: twice
        ["N-4", "某项目", "甲局"],  # 8: a department, not a unit
    ]
    answer = upload(_client(admins["system"]), "/manage/projects/import/", workbook(rows))
    text = _report(answer)
    assert answer.status_code == 422 and "6 行有误" in text
    assert '<td class="num">3</td><td>A 列「项目编码」</td><td>项目编码不能为空</td>' in text
    assert '<td class="num">4</td><td>B 列「项目名称」</td><td>项目名称不能为空</td>' in text
    assert (
        '<td class="num">5</td><td>C 列「实施单位」</td><td>没有名为“无此单位”的实施单位</td>'
        in text
    )
    assert "项目编码 A1-001 已登记在“测试区财政局 / 甲局 / 甲一中心”" in text
    assert '<td class="num">7</td><td>A 列「项目编码」</td><td>与第 2 行的项目编码重复</td>' in text
    assert '<td class="num">8</td>' in text
    assert not Project.objects.filter(code="N-1").exists()


def test_a_state_that_cannot_be_applied_is_named_at_its_cell(tree, admins):
    rows = [["层级", "名称", "上级", "状态"], ["实施单位", "甲一中心", "甲局", "停用"]]
    client = _client(admins["system"])
    answer = upload(client, "/manage/organisations/import/", workbook(rows))
    assert answer.status_code == 422
    assert '<td class="num">2</td><td>D 列「状态」</td><td>其账号仍在用' in _report(answer)
    assert Organisation.objects.get(pk=tree.unit_a1.pk).active


def test_the_exported_accounts_import_back_as_they_are(tree, admins):
    client = _client(admins["security"])
    answer = client.get("/manage/accounts/export/")
    assert answer["Content-Disposition"] == 'attachment; filename="accounts.xlsx"'
    rows = [
        [c or "" for c in row]
        for row in load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True)
    ]
    assert rows[0] == ["账号", "姓名", "组织", "角色", "电子邮箱", "状态"]
    assert ["filler_a1", "", "测试区财政局 / 甲局 / 甲一中心", "填报", "", "在用"] in rows
    assert ["audit_admin", "", "", "审计管理员", "", "在用"] in rows
    before = _events()
    again = upload(client, "/manage/accounts/import/", answer.content)
    assert "新建 0，更改 0，不变 11" in _report(again) and _events() == before


def test_the_email_column_is_read_validated_and_exported(tree, admins):
    """电子邮箱 (#23): set by the sheet where it has the column (an empty cell clears it, a
    sheet without it leaves the addresses), a bad address refuses the row and nothing is
    stored, each change on the security log; exported, it imports back unchanged."""
    client = _client(admins["security"])
    heads = ["账号", "姓名", "组织", "角色", "电子邮箱"]
    rows = [
        heads,
        ["filler_a1", "", "甲一中心", "填报", "A1@Example.CN"],
        ["new_b1", "新人", "乙一站", "填报", "b1@example.cn"],
    ]
    bad = upload(
        client,
        "/manage/accounts/import/",
        workbook([*rows, ["x1", "", "乙一站", "填报", "not-mail"]]),
    )
    assert (
        '<td class="num">4</td><td>E 列「电子邮箱」</td><td>电子邮箱格式不正确：not-mail</td>'
        in _report(bad)
    )
    assert not get_user_model().objects.filter(username="new_b1").exists()
    assert get_user_model().objects.get(username="filler_a1").email == ""
    done = upload(client, "/manage/accounts/import/", workbook(rows))
    assert "新建 1，更改 1" in _report(done)
    users = get_user_model().objects
    assert users.get(username="filler_a1").email == "A1@example.cn"  # the domain folded
    assert users.get(username="new_b1").email == "b1@example.cn"
    logged = Event.objects.filter(subject="security", action="account_email").order_by("id")
    assert [e.actor_id for e in logged] == [admins["security"].pk] * 2
    assert "A1@example.cn" in logged[0].comment
    exported = client.get("/manage/accounts/export/").content
    listed = [
        list(r) for r in load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True)
    ]
    assert [
        "filler_a1",
        None,
        "测试区财政局 / 甲局 / 甲一中心",
        "填报",
        "A1@example.cn",
        "在用",
    ] in listed
    before = _events()
    again = upload(client, "/manage/accounts/import/", exported)
    assert "更改 0" in _report(again) and _events() == before
    # a sheet without the column leaves the address; an empty cell clears it
    upload(
        client,
        "/manage/accounts/import/",
        workbook([heads[:4], ["filler_a1", "", "甲一中心", "填报"]]),
    )
    assert users.get(username="filler_a1").email == "A1@example.cn"
    upload(
        client,
        "/manage/accounts/import/",
        workbook([heads, ["filler_a1", "", "甲一中心", "填报", ""]]),
    )
    assert users.get(username="filler_a1").email == ""
    assert trail.check().intact
