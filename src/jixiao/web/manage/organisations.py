"""The organisation tree's writes (财政局 → 主管部门 → 实施单位), by the system administrator:
create, rename, move, disable and enable; the tree as an xlsx and back. Each change is a model
save, so it is an ``org_*`` event on the trail (:mod:`jixiao.web.orgs.audit`) by whoever acts;
disabling and enabling, which the trail's recorded state of an organisation does not hold, are
on the security log as well (``org_disable`` / ``org_enable``, on the same keyed chain)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.web.evaluations.actions import checks
from jixiao.web.evaluations.actions import trail as events
from jixiao.web.evaluations.actions.errors import Conflict, Invalid, NotFound
from jixiao.web.orgs import security
from jixiao.web.orgs.models import Organisation

from . import roles, sheets

Kind = Organisation.Kind
SEPARATOR = " / "

KIND_WORDS = {
    Kind.BUREAU: ("财政局", "bureau"),
    Kind.DEPARTMENT: ("主管部门", "department"),
    Kind.UNIT: ("实施单位", "单位", "unit"),
}


def kind_of(word: str) -> Kind | None:
    folded = word.strip().casefold()
    for kind, words in KIND_WORDS.items():
        if folded in {w.casefold() for w in words}:
            return kind
    return None


def path(org: Organisation) -> str:
    """The organisation's place: its ancestors' names and its own, ``甲区财政局 / 甲局 / 甲一中心``."""
    names = []
    node: Organisation | None = org
    while node is not None:
        names.append(node.name)
        node = node.parent
    return SEPARATOR.join(reversed(names))


def find(text: str, kinds: set[str] | None = None) -> list[Organisation]:
    """The organisations ``text`` names: a path (names joined by ``/``) from the root, or one
    name (every organisation of that name)."""
    parts = [p.strip() for p in text.replace("／", "/").split("/") if p.strip()]
    if not parts:
        return []
    rows = Organisation.objects.select_related("parent__parent")
    if len(parts) == 1:
        found = list(rows.filter(name=parts[0]))
    else:
        nodes = list(rows.filter(name=parts[0], parent=None))
        for part in parts[1:]:
            nodes = list(rows.filter(name=part, parent__in=nodes))
        found = nodes
    return [o for o in found if kinds is None or o.kind in kinds]


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("名称不能为空"))
    checks.storable(name, _("名称"))
    checks.fits(Organisation, "name", name)
    return name


def _placed(org: Organisation) -> None:
    """The kind fits its parent (the model's rule), the parent is in use, the name is free."""
    try:
        org.clean()
    except ValidationError as error:
        raise Invalid("；".join(m for ms in error.message_dict.values() for m in ms)) from None
    if org.parent_id and org.parent and not org.parent.active:
        raise Conflict(_("上级组织“%(name)s”已停用") % {"name": org.parent.name})
    twin = Organisation.objects.filter(parent_id=org.parent_id, name=org.name).exclude(pk=org.pk)
    if twin.exists():
        raise Conflict(_("同一上级下已有名为“%(name)s”的组织") % {"name": org.name})


def get(pk: Any) -> Organisation:
    number = int(pk) if str(pk).isdigit() else 0
    if not checks.db_id(number) or not (found := Organisation.objects.filter(pk=number).first()):
        raise NotFound(_("组织 %(pk)s 不存在") % {"pk": pk})
    return found


@transaction.atomic
def create(*, user: Any, name: str, kind: str, parent_id: Any = None) -> Organisation:
    roles.require(user, roles.SYSTEM)
    if kind not in Kind.values:
        raise Invalid(_("层级应为财政局、主管部门或实施单位"))
    parent = get(parent_id) if parent_id not in (None, "") else None
    org = Organisation(name=_checked_name(name), kind=kind, parent=parent)
    _placed(org)
    with events.acting(user):
        org.save()
    return org


@transaction.atomic
def rename(*, user: Any, org: Organisation, name: str) -> Organisation:
    roles.require(user, roles.SYSTEM)
    org.name = _checked_name(name)
    _placed(org)
    with events.acting(user):
        org.save(update_fields=["name"])
    return org


@transaction.atomic
def move(*, user: Any, org: Organisation, parent_id: Any) -> Organisation:
    """A unit to another 主管部门 (its forms are then seen and reviewed from there)."""
    roles.require(user, roles.SYSTEM)
    parent = get(parent_id) if parent_id not in (None, "") else None
    if parent is not None and (parent.pk == org.pk or parent.parent_id == org.pk):
        raise Invalid(_("不能移到自身或其下级之下"))
    org.parent = parent
    _placed(org)
    with events.acting(user):
        org.save(update_fields=["parent"])
    return org


def _active_accounts(org: Organisation) -> list[str]:
    users = get_user_model().objects.filter(membership__organisation=org, is_active=True)
    return list(users.order_by("username").values_list("username", flat=True))


@transaction.atomic
def set_active(*, user: Any, org: Organisation, active: bool) -> Organisation:
    """停用 / 启用. An organisation is disabled only once its sub-organisations are and its
    accounts are disabled (by the security administrator: 三员分立); its forms, projects and
    trail stay. It is enabled only under a parent in use."""
    roles.require(user, roles.SYSTEM)
    if org.active == active:
        return org
    if not active:
        if names := list(org.children.filter(active=True).values_list("name", flat=True)):
            raise Conflict(
                _("先停用其下级组织：%(names)s") % {"names": _("、").join(sorted(names))}
            )
        if names := _active_accounts(org):
            raise Conflict(
                _("其账号仍在用（须由安全管理员先停用）：%(names)s")
                % {"names": _("、").join(names)}
            )
    elif org.parent_id and org.parent and not org.parent.active:
        raise Conflict(_("上级组织“%(name)s”已停用") % {"name": org.parent.name})
    org.active = active
    with events.acting(user):
        org.save(update_fields=["active"])
        security.log(
            "org_enable" if active else "org_disable",
            user=user,
            detail=f"organisation#{org.pk} {path(org)}：{'启用' if active else '停用'}",
        )
    return org


def tree() -> list[tuple[Organisation, int]]:
    """Every organisation in tree order with its depth (0 the bureau)."""
    every = list(Organisation.objects.order_by("name"))
    children: dict[int | None, list[Organisation]] = {}
    for org in every:
        children.setdefault(org.parent_id, []).append(org)
    out: list[tuple[Organisation, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            out.append((org, depth))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return out


# The tree's workbook: one row an organisation, parents before children.
COLUMNS = {
    "kind": ("层级", "Level"),
    "name": ("名称", "Name"),
    "parent": ("上级", "Parent"),
    "state": ("状态", "State"),
}
HEADS = ["层级", "名称", "上级", "状态"]
STATE_WORDS = {"在用": True, "active": True, "启用": True, "停用": False, "disabled": False}


def export() -> bytes:
    rows = [
        (
            KIND_WORDS[Kind(org.kind)][0],
            org.name,
            path(org.parent) if org.parent else "",
            "在用" if org.active else "停用",
        )
        for org, _depth in tree()
    ]
    return sheets.write("组织", HEADS, rows)


def import_tree(*, user: Any, data: bytes, file: str) -> sheets.Report:
    """Rows of 层级, 名称, 上级 (a path, or a name found once), 状态 (optional): an organisation
    not there is created, one there is left as it is (its 状态 applied when the row gives one).
    All or nothing: with any row refused nothing is stored, and every refused row is named.
    Run twice, the second run changes nothing."""
    roles.require(user, roles.SYSTEM)
    lines = sheets.read(data, file, COLUMNS, ["kind", "name"])
    report = sheets.Report(file)
    return sheets.apply(lines, report, lambda line: _import_line(user, line, report))


def _import_line(user: Any, line: sheets.Line, report: sheets.Report) -> None:
    kind = kind_of(line.get("kind"))
    if kind is None:
        raise sheets.RowProblem(line.error("kind", _("层级应为财政局、主管部门或实施单位")))
    name = line.get("name")
    if not name:
        raise sheets.RowProblem(line.error("name", _("名称不能为空")))
    parent = None
    wanted = Organisation.PARENT_KIND[kind]
    if wanted is not None:
        text = line.get("parent")
        if not text:
            raise sheets.RowProblem(
                line.error("parent", _("须填写上级（%(kind)s）") % {"kind": Kind(wanted).label})
            )
        found = find(text, {wanted})
        if not found:
            raise sheets.RowProblem(
                line.error(
                    "parent",
                    _("没有名为“%(text)s”的%(kind)s") % {"text": text, "kind": Kind(wanted).label},
                )
            )
        if len(found) > 1:
            raise sheets.RowProblem(
                line.error("parent", _("“%(text)s”不止一个，请写出完整路径") % {"text": text})
            )
        parent = found[0]
    elif line.get("parent"):
        raise sheets.RowProblem(line.error("parent", _("财政局不应有上级")))
    state = line.get("state")
    active = STATE_WORDS.get(state.casefold()) if state else None
    if state and active is None:
        raise sheets.RowProblem(line.error("state", _("状态应为在用或停用")))
    there = Organisation.objects.filter(parent=parent, name=name).first()
    try:
        if there is None:
            there = create(
                user=user, name=name, kind=kind.value, parent_id=parent.pk if parent else None
            )
            report.created += 1
            if active is False:
                set_active(user=user, org=there, active=False)
            return
        if there.kind != kind:
            raise sheets.RowProblem(
                line.error(
                    "kind",
                    _("已有“%(name)s”，层级为%(kind)s")
                    % {"name": name, "kind": there.get_kind_display()},
                )
            )
        if active is not None and there.active != active:
            try:
                set_active(user=user, org=there, active=active)
            except (Invalid, Conflict) as error:
                raise sheets.RowProblem(line.error("state", error.message)) from None
            report.changed += 1
        else:
            report.unchanged += 1
    except (Invalid, Conflict, NotFound) as error:
        raise sheets.RowProblem(line.error("name", error.message)) from None


def record_active_after_migrate(**kwargs: Any) -> int:
    """post_migrate: an organisation disabled before its trail state held ``active`` (a
    disable was no event then) gets one ``anchor`` event recording it as found, so the
    upgraded trail verifies; only where the recorded state differs from the row in
    ``active`` alone (any other difference stays named by ``verify-trail``). How many."""
    import contextlib

    from jixiao.domain import trail as chain
    from jixiao.web.evaluations import states
    from jixiao.web.evaluations.actions import trail
    from jixiao.web.evaluations.models import Event
    from jixiao.web.trail_key import TrailKeyError

    if not Event.objects.filter(subject=trail.EPOCHS, action=chain.EPOCH).exists():
        return 0  # the first epoch's anchors will record every organisation as it is
    made = 0
    with contextlib.suppress(TrailKeyError), trail.acting("migrate"):
        for org in Organisation.objects.filter(active=False).order_by("pk"):
            subject = states.subject(org)
            recorded = (
                Event.objects.filter(subject=subject, epoch__gt=0)
                .order_by("-id")
                .values_list("state", flat=True)
                .first()
            )
            now = chain.state_hashes(states.organisation(org))
            if recorded is None or chain.differing(recorded, now) != ["active"]:
                continue
            with transaction.atomic():
                trail.record(org, action=trail.ANCHOR, diff=[{"path": "active", "new": False}])
            made += 1
    return made
