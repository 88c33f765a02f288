"""``jixiao serve --demo``: a demo organisation tree — one 财政局, two 主管部门,
the sample forms' 实施单位 under them — one account per role, and the bundled
sample forms loaded as drafts, each with its approved targets (绩效目标)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jixiao import samples
from jixiao.domain.workflow import Role
from jixiao.readers import read_path
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import ApprovedTargets, Project
from jixiao.web.orgs.models import Membership, Organisation
from jixiao.web.year import actions as year_actions
from jixiao.web.year.selectors import SHANGHAI

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BUREAU = "示例区财政局"
# The two 主管部门: the culture units under the first, every other unit under the second.
CULTURE, CITY = "示例区文化和旅游局", "示例区城市运行管理局"


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
    departments = {
        name: Organisation.objects.create(name=name, kind=kind.DEPARTMENT, parent=bureau)
        for name in (CULTURE, CITY)
    }
    forms = [form for path in samples.paths() for form in read_path(path)]
    units = []
    for number, form in enumerate(forms, start=1):
        unit_name = form.project.unit or f"示例单位{number}"
        dept = departments[CULTURE if "文化" in unit_name else CITY]
        unit, _ = Organisation.objects.get_or_create(name=unit_name, kind=kind.UNIT, parent=dept)
        units.append(unit)
        project = Project.objects.create(
            code=f"DEMO-{number:03d}", name=form.project.name or "", unit=unit
        )
        assert form.year is not None  # every sample form names its year
        ApprovedTargets.objects.create(
            project=project,
            year=form.year,
            set_by=admin.user,
            indicators=[
                {
                    "level1": row.level1,
                    "level2": row.level2,
                    "name": row.name,
                    "target": row.target,
                    "points": None if row.points is None else str(row.points),
                }
                for row in form.indicators
                if row.name
            ],
        )
        actions.forms.create(user=admin.user, project=project, form=form)
    filler = _account("filler", Role.FILLER, units[0])
    department = units[0].parent
    assert department is not None  # a unit's parent is its department
    reviewer = _account("reviewer", Role.REVIEWER, department)
    _issue_next_year(admin.user, forms)
    return [a.account for a in (admin, filler, reviewer)]


def _issue_next_year(admin: User, forms: list) -> None:
    """The year after the samples' latest issued as a task (任务下达), due in 30 days, so
    that every account's 待办 has something in it: a draft per project, carried from its
    form of the year before where there is one."""
    latest = max(form.year for form in forms)
    template = next(form.template for form in forms if form.year == latest)
    deadline = (timezone.now() + timedelta(days=30)).astimezone(SHANGHAI)
    year_actions.issue(
        user=admin,
        year=latest + 1,
        template=template,
        deadline=deadline.replace(hour=17, minute=30, second=0, microsecond=0),
    )


@dataclass(frozen=True)
class _Made:
    user: User
    account: Account


def _account(username: str, role: Role, org: Organisation, staff: bool = False) -> _Made:
    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username, password=password, is_staff=staff, is_superuser=staff
    )
    Membership.objects.create(user=user, organisation=org, role=role.value)
    return _Made(user, Account(username, password, role, org.name))
