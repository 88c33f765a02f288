"""A small organisation tree with one account per role and place, and the
bundled sample forms, for the web tests (SQLite test database)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from jixiao import samples
from jixiao.domain.model import Evaluation as Form
from jixiao.readers import read_path


@dataclass
class Tree:
    bureau: object
    dept_a: object
    dept_b: object
    unit_a1: object
    unit_a2: object
    unit_b1: object
    users: dict


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is slow by design; tests only need passwords to check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a page asked for in English leaves
    English active on the thread, which actions called directly would then speak."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: test databases roll back, so a trail's head
    (the cache's version) can come round again in another test's data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def sample_forms() -> list[Form]:
    return [form for path in samples.paths() for form in read_path(path)]


@pytest.fixture
def forms() -> list[Form]:
    return sample_forms()


@pytest.fixture
def tree(db) -> Tree:
    from django.contrib.auth import get_user_model

    from jixiao.web.orgs.models import Membership, Organisation

    kind = Organisation.Kind
    bureau = Organisation.objects.create(name="测试区财政局", kind=kind.BUREAU)
    dept_a = Organisation.objects.create(name="甲局", kind=kind.DEPARTMENT, parent=bureau)
    dept_b = Organisation.objects.create(name="乙局", kind=kind.DEPARTMENT, parent=bureau)
    unit_a1 = Organisation.objects.create(name="甲一中心", kind=kind.UNIT, parent=dept_a)
    unit_a2 = Organisation.objects.create(name="甲二所", kind=kind.UNIT, parent=dept_a)
    unit_b1 = Organisation.objects.create(name="乙一站", kind=kind.UNIT, parent=dept_b)
    places = {
        "filler_a1": (unit_a1, "filler"),
        "filler_a2": (unit_a2, "filler"),
        "filler_b1": (unit_b1, "filler"),
        "filler_dept_a": (dept_a, "filler"),  # fills 甲局's own 部门整体支出 form
        "reviewer_a": (dept_a, "reviewer"),
        "reviewer_b": (dept_b, "reviewer"),
        "reviewer_bureau": (bureau, "reviewer"),
        "admin": (bureau, "admin"),
    }
    users = {}
    for name, (org, role) in places.items():
        user = get_user_model().objects.create_user(name, password=f"{name}-口令-2026")
        Membership.objects.create(user=user, organisation=org, role=role)
        users[name] = user
    return Tree(bureau, dept_a, dept_b, unit_a1, unit_a2, unit_b1, users)


@pytest.fixture
def project_a1(tree):
    from jixiao.web.evaluations.models import Project

    return Project.objects.create(code="A1-001", name="示例项目", unit=tree.unit_a1)


@pytest.fixture
def draft(tree, project_a1, forms):
    """A draft of the first sample form, created by the unit's filler."""
    from jixiao.web.evaluations import actions

    return actions.forms.create(user=tree.users["filler_a1"], project=project_a1, form=forms[0])


def edited(form: Form, **changes) -> Form:
    return replace(form, **changes)


def department_form(name: str = "示例县民政局", year: int = 2023) -> Form:
    """The family's 部门整体支出 form (national-department), named for ``name``."""
    import json
    from pathlib import Path

    from jixiao.contract.json import evaluation_from_dict

    path = Path(__file__).parents[1] / "fixtures" / "family" / "national-department.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["project"]["department"], data["year"] = name, year
    return evaluation_from_dict(data, path.name)


@pytest.fixture
def admins(tree) -> dict:
    """The 三员: a system, a security and an audit administrator (no business role)."""
    from django.contrib.auth import get_user_model

    from jixiao.web.orgs.models import AdminRole

    made = {}
    for role in ("system", "security", "audit"):
        user = get_user_model().objects.create_user(
            f"{role}_admin", password=f"{role}_admin-口令-2026"
        )
        AdminRole.objects.create(user=user, role=role)
        made[role] = get_user_model().objects.get(pk=user.pk)
    return made
