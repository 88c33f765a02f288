"""``jixiao serve --demo``: a demo organisation tree built from the bundled
sample forms, one account per role, and the forms loaded as drafts."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from jixiao import samples
from jixiao.domain.workflow import Role
from jixiao.readers import read_path
from jixiao.web.evaluations import services
from jixiao.web.evaluations.models import Project
from jixiao.web.orgs.models import Membership, Organisation

BUREAU = "示例区财政局"
_SUMMARY = re.compile(r"[(（]汇总[)）]$")  # 主管部门 printed as "某局(汇总)" on summary forms


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: Role
    organisation: str


def exists() -> bool:
    return Organisation.objects.filter(name=BUREAU, kind=Organisation.Kind.BUREAU).exists()


@transaction.atomic
def load() -> list[Account]:
    """Create the demo data; returns the accounts with their one-time passwords."""
    kind = Organisation.Kind
    bureau = Organisation.objects.create(name=BUREAU, kind=kind.BUREAU)
    admin = _account("admin", Role.ADMIN, bureau, staff=True)
    forms = [form for path in samples.paths() for form in read_path(path)]
    units = []
    for number, form in enumerate(forms, start=1):
        dept_name = _SUMMARY.sub("", form.project.department or "示例主管部门")
        dept, _ = Organisation.objects.get_or_create(name=dept_name, kind=kind.DEPARTMENT, parent=bureau)
        unit, _ = Organisation.objects.get_or_create(name=form.project.unit or f"示例单位{number}",
                                                     kind=kind.UNIT, parent=dept)
        units.append(unit)
        project = Project.objects.create(code=f"DEMO-{number:03d}", name=form.project.name or "", unit=unit)
        services.create(admin.user, project, form)
    filler = _account("filler", Role.FILLER, units[0])
    reviewer = _account("reviewer", Role.REVIEWER, units[0].parent)
    return [a.account for a in (admin, filler, reviewer)]


@dataclass(frozen=True)
class _Made:
    user: object
    account: Account


def _account(username: str, role: Role, org: Organisation, staff: bool = False) -> _Made:
    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(username, password=password, is_staff=staff, is_superuser=staff)
    Membership.objects.create(user=user, organisation=org, role=role.value)
    return _Made(user, Account(username, password, role, org.name))
