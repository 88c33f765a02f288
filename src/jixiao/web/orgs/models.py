"""The organisation tree 财政局 → 主管部门 → 实施单位, and each user's place and role in it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.domain.workflow import Role


class Organisation(models.Model):
    """A node of the tree: the 财政局 at the root, its 主管部门, their 实施单位."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "财政局"
        DEPARTMENT = "department", "主管部门"
        UNIT = "unit", "实施单位"

    PARENT_KIND = {Kind.BUREAU: None, Kind.DEPARTMENT: Kind.BUREAU, Kind.UNIT: Kind.DEPARTMENT}

    name = models.CharField("名称", max_length=200)
    kind = models.CharField("层级", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    active = models.BooleanField(  # db_default: rows written by older code are in use
        "在用",
        default=True,
        db_default=True,
        help_text="停用的组织保留其自评表与留痕，不再接收新账号、新项目",
    )

    class Meta:
        verbose_name = verbose_name_plural = "组织"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_name_unique_in_parent")
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        wanted = self.PARENT_KIND[self.Kind(self.kind)]
        have = self.parent.kind if self.parent_id and self.parent else None
        if have != wanted:
            kind = _(self.Kind(self.kind).label)
            where = (
                _("%(kind)s上级应为%(parent)s")
                % {"kind": kind, "parent": _(self.Kind(wanted).label)}
                if wanted
                else _("%(kind)s不应有上级") % {"kind": kind}
            )
            raise ValidationError({"parent": where})

    def scope(self) -> models.QuerySet[Organisation]:
        """The organisations whose forms are seen from this node: a unit itself, a department
        itself and its units, the bureau every unit and department."""
        if self.kind == self.Kind.BUREAU:
            return Organisation.objects.exclude(kind=self.Kind.BUREAU)
        if self.kind == self.Kind.DEPARTMENT:
            return Organisation.objects.filter(models.Q(pk=self.pk) | models.Q(parent=self))
        return Organisation.objects.filter(pk=self.pk)

    def units(self) -> models.QuerySet[Organisation]:
        """The 实施单位 at or below this node."""
        units = Organisation.objects.filter(kind=self.Kind.UNIT)
        if self.kind == self.Kind.BUREAU:
            return units
        if self.kind == self.Kind.DEPARTMENT:
            return units.filter(parent=self)
        return units.filter(pk=self.pk)


# Where each role sits in the tree. A filler at a 主管部门 fills the department's own
# 部门整体支出 form (its units' forms are their fillers').
ROLE_KINDS = {
    Role.FILLER: {Organisation.Kind.UNIT, Organisation.Kind.DEPARTMENT},
    Role.REVIEWER: {Organisation.Kind.DEPARTMENT, Organisation.Kind.BUREAU},
    Role.ADMIN: {Organisation.Kind.BUREAU},
}


class Membership(models.Model):
    """A user's place in the tree and role there (填报 / 审核 / 管理)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="membership", verbose_name="用户"
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="members", verbose_name="组织"
    )
    role = models.CharField("角色", max_length=16, choices=[(r.value, r.label) for r in Role])

    class Meta:
        verbose_name = verbose_name_plural = "岗位"

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation.name}（{Role(self.role).label}）"

    def clean(self) -> None:
        kinds = ROLE_KINDS[Role(self.role)]
        if self.organisation_id and self.organisation.kind not in kinds:
            places = _("或").join(_(Organisation.Kind(k).label) for k in sorted(kinds))
            raise ValidationError(
                {
                    "organisation": _("%(role)s人员应设在%(places)s")
                    % {"role": _(Role(self.role).label), "places": places}
                }
            )
        if AdminRole.objects.filter(user_id=self.user_id).exists():
            raise ValidationError({"user": _("三员账号不能同时担任业务角色（填报、审核、管理）")})

    def save(self, *args, **kwargs) -> None:
        if AdminRole.objects.filter(user_id=self.user_id).exists():
            raise ValidationError({"user": _("三员账号不能同时担任业务角色（填报、审核、管理）")})
        super().save(*args, **kwargs)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its sha256 is stored; the token
    itself is shown once, when it is made. It works until ``expires_at``
    (JIXIAO_API_TOKEN_DAYS after it was made); a token made before tokens
    expired has none, and no longer works."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user) -> str:
        """A new token for ``user`` (returned once, stored only as its digest)."""
        token = secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(days=settings.JIXIAO_API_TOKEN_DAYS)
        made = cls.objects.create(user=user, digest=cls.digest_of(token), expires_at=expires_at)
        from jixiao.web.orgs import security

        security.log("token_create", user=user, detail=f"令牌 #{made.pk}")
        return token

    @classmethod
    def revoke(cls, tokens: models.QuerySet[ApiToken]) -> int:
        """Delete ``tokens``, each on the security log; how many there were."""
        from jixiao.web.orgs import security

        gone = list(tokens.select_related("user"))
        for token in gone:
            security.log("token_revoke", user=token.user, detail=f"令牌 #{token.pk}")
        tokens.filter(pk__in=[t.pk for t in gone]).delete()
        return len(gone)

    @classmethod
    def user_for(cls, token: str):
        """The active user an unexpired token belongs to, or ``None``."""
        found = (
            cls.objects.select_related("user")
            .filter(digest=cls.digest_of(token), expires_at__gt=timezone.now())
            .first()
        )
        return found.user if found and found.user.is_active else None


class PasswordState(models.Model):
    """When an account's password was last set, and whether it must be changed at the next
    sign-in (a new account's or a reset password: set by an administrator, not chosen by
    its owner). With ``JIXIAO_PASSWORD_DAYS`` a password older than that must be changed too."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="password_state",
        verbose_name="用户",
    )
    must_change = models.BooleanField("下次登录须修改密码", default=False)
    changed_at = models.DateTimeField("密码设置时间", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "密码状态"


class AdminRole(models.Model):
    """三员分立: a technical administrator role. One account holds at most one (the user is
    unique here) and no business role (:class:`Membership`) beside it."""

    class Role(models.TextChoices):
        SYSTEM = "system", "系统管理员"  # organisations, templates, years
        SECURITY = "security", "安全管理员"  # accounts, roles, passwords, lockouts
        AUDIT = "audit", "审计管理员"  # reads and exports the trail and the security log

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="admin_role", verbose_name="用户"
    )
    role = models.CharField("管理角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "管理员角色（三员）"

    def __str__(self) -> str:
        return f"{self.user}（{self.get_role_display()}）"

    def clean(self) -> None:
        if Membership.objects.filter(user_id=self.user_id).exists():
            raise ValidationError({"user": _("三员账号不能同时担任业务角色（填报、审核、管理）")})

    def save(self, *args, **kwargs) -> None:
        self.clean()
        super().save(*args, **kwargs)
        self.grant()

    def delete(self, *args, **kwargs):
        user = self.user
        done = super().delete(*args, **kwargs)
        user.user_permissions.clear()
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        return done

    PERMISSIONS = {
        "system": [
            ("orgs", m, a) for m in ("organisation",) for a in ("add", "change", "delete", "view")
        ]
        + [("evaluations", "project", a) for a in ("add", "change", "view")],
        "security": [("auth", "user", a) for a in ("add", "change", "view")]
        + [
            ("orgs", m, a)
            for m in ("membership", "adminrole")
            for a in ("add", "change", "delete", "view")
        ]
        + [("orgs", "passwordstate", a) for a in ("change", "view")]
        + [("axes", m, "view") for m in ("accessattempt", "accesslog", "accessfailurelog")]
        + [("axes", "accessattempt", "delete")]
        + [("orgs", "totpdevice", a) for a in ("view", "delete")],  # a lost phone: reset
        "audit": [],
    }
    """The Django admin permissions each role has (the audit administrator has none: it reads
    the trail and the security log, /security-log/)."""

    def grant(self) -> None:
        """The role's permissions, and staff status for the two that use Django admin."""
        from django.contrib.auth.models import Permission

        wanted = self.PERMISSIONS[self.role]
        perms = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.content_type.model, p.codename.partition("_")[0])
            in wanted
        ]
        user = self.user
        user.user_permissions.set(perms)
        staff = self.role != self.Role.AUDIT
        if user.is_staff != staff:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])


class TotpDevice(models.Model):
    """The second factor of an administrator account (RFC 6238 TOTP, 6 digits, 30 s): its
    secret (base32), whether it was confirmed by a first code, and the last time step used
    (a code is accepted once). Required at sign-in when ``JIXIAO_ADMIN_TOTP=1``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="totp", verbose_name="用户"
    )
    secret = models.CharField("密钥", max_length=64)
    confirmed = models.BooleanField("已启用", default=False)
    last_step = models.BigIntegerField("最近使用的时间步", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "双因素（TOTP）"
