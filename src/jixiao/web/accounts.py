"""Accounts: the password policy, changing one's own password, passwords that must be changed
(a new account's, a reset, an expired one) and the tokens a password change revokes.

The policy (``AUTH_PASSWORD_VALIDATORS``, every message in Chinese with English in the .po):
at least 10 characters that are not all spaces, three of four classes (lower case, upper case,
digits, symbols), not containing the username (nor reversed), not a common password (Django's
list of 20,000 and :data:`COMMON` of those common in China), not all digits.

``jixiao passwd`` (an operator's reset) and an administrator's password in Django admin make the
owner change it at the next sign-in (:class:`MustChange` sends them to the change page; the API
answers 403 until then); ``JIXIAO_PASSWORD_DAYS`` (0: never) makes a password older than that
expire the same way. A password change, by anyone, revokes the account's API tokens.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

_COMMON_TEXT = """
    123456 1234567 12345678 123456789 1234567890 0123456789 111111 11111111 000000 00000000
    123123 123321 654321 666666 888888 88888888 123qwe qwe123 qweasd qweasdzxc 1qaz2wsx
    1q2w3e4r 1q2w3e4r5t 1qaz2wsx3edc abc123 abc123456 a123456 a123456789 aa123456 woaini
    woaini1314 woaini520 5201314 1314520 iloveyou password password1 password123 passw0rd
    p@ssw0rd p@ssword admin admin123 admin@123 admin888 root root123 qwerty qwerty123
    qwertyuiop asdfghjkl zxcvbnm abcd1234 abcd@1234 aaaaaa 147258369 159357 a1b2c3
    zhangsan zhangsan123 lisi123 wangwu123 woshishui nihao123 caizheng caizhengju jixiao
    jixiao123 zaq12wsx 1234qwer qwer1234 asd123 Aa123456 Aa123456. Abc@123 Abc@1234
    Abc123456 Admin@123 Admin@1234 P@ssw0rd P@ssw0rd123 Qwer1234 Passw0rd! Password1
    Password@123 Welcome1 Huawei@123 Huawei12#$ Changeme123 Root@123 Test@123 Aa@123456
"""
COMMON = frozenset(_COMMON_TEXT.split())
"""Passwords common in China (pinyin names, 我爱你, keyboard walks, the defaults of devices)."""


class LengthValidator:
    """At least ``min_length`` characters (Django's own says it in English only)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少 %(n)s 个字符") % {"n": self.min_length}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少 %(n)s 个字符") % {"n": self.min_length}


class ClassesValidator:
    """Three of the four classes: lower case, upper case, digits, other symbols."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        if not password.strip():
            raise ValidationError(_("密码不能全是空格"), code="password_blank")
        kinds = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password.replace(" ", "")),
        ]
        if sum(kinds) < self.classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类")
                % {"n": self.classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类") % {"n": self.classes}


class NotUsernameValidator:
    """Not containing the username (nor its reverse), whatever the case."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        name = (getattr(user, "username", "") or "").lower()
        low = password.lower()
        if len(name) >= 3 and (name in low or name[::-1] in low):
            raise ValidationError(_("密码不能包含账号名"), code="password_has_username")

    def get_help_text(self) -> str:
        return _("密码不能包含账号名")


class CommonValidator:
    """Not one of :data:`COMMON`, nor one of them with digits or symbols added at the end."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        if password.lower() in _LOWERED or _stem(password) in _STEMS:
            raise ValidationError(_("这是常见密码，请换一个"), code="password_common")

    def get_help_text(self) -> str:
        return _("不能使用常见密码")


def _stem(text: str) -> str:
    """A password without the digits and symbols at its end, in lower case ("Abc@123" → "abc")."""
    return re.sub(r"[\d\W_]+$", "", text).lower()


_LOWERED = frozenset(p.lower() for p in COMMON)
_STEMS = frozenset(s for s in map(_stem, COMMON) if len(s) >= 3)


class PasswordRefused(Exception):
    """The account is unknown or the password fails a validator; the message says why."""


def refusals(password: str, user: Any) -> list[str]:
    """Why ``password`` is refused for ``user`` (empty when it passes the policy)."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [str(m) for m in error.messages]
    return []


def mark(user: Any, *, must_change: bool) -> None:
    """Record that ``user``'s password was set now, and whether its owner must change it."""
    from django.utils import timezone

    from jixiao.web.orgs.models import PasswordState

    PasswordState.objects.update_or_create(
        user=user, defaults={"must_change": must_change, "changed_at": timezone.now()}
    )


def must_change(user: Any) -> bool:
    """Whether ``user`` must change their password before anything else: set by an
    administrator (new or reset), or older than ``JIXIAO_PASSWORD_DAYS``."""
    from django.conf import settings
    from django.utils import timezone

    from jixiao.web.orgs.models import PasswordState

    state = PasswordState.objects.filter(user_id=user.pk).first()
    if state is None:
        return False
    if state.must_change:
        return True
    days = settings.JIXIAO_PASSWORD_DAYS
    return bool(days and state.changed_at and state.changed_at < timezone.now() - timedelta(days))


def set_password(*, username: str, password: str) -> None:
    """An operator sets ``username``'s password (``jixiao passwd``): the owner must change it
    at the next sign-in. Raises PasswordRefused naming the reason."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import translation

    user_model = get_user_model()
    try:
        user = user_model.objects.get(username=username)
    except user_model.DoesNotExist:
        raise PasswordRefused(f"没有账号 {username}") from None
    with translation.override("zh-hans"):
        if reasons := refusals(password, user):
            raise PasswordRefused("；".join(reasons))
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        mark(user, must_change=True)


def change_own(user: Any, *, old: str, new: str) -> None:
    """The owner changes their own password: the old one checked, the new one by the policy
    and not the same. Raises PasswordRefused naming the reason."""
    from django.db import transaction

    if not user.check_password(old):
        raise PasswordRefused(_("原密码不正确"))
    if old == new:
        raise PasswordRefused(_("新密码不能与原密码相同"))
    if reasons := refusals(new, user):
        raise PasswordRefused(_("；").join(reasons))
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        mark(user, must_change=False)


# The security administrator's accounts (三员分立: accounts, business roles and administrator
# roles are the security administrator's, :mod:`jixiao.web.manage`). Each change is a model
# save, so an ``account_*`` event on the trail (:mod:`jixiao.web.orgs.audit`) by whoever acts,
# and a role, password or active change is on the security log too.

BUSINESS_ROLES = ("filler", "reviewer", "admin")
ADMIN_ROLES = ("system", "security", "audit")


def one_time_password() -> str:
    """A random password the policy accepts (shown once; its owner changes it at sign-in)."""
    import secrets
    import string

    pools = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+-=@")
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice("".join(pools)) for _ in range(10)]
        secrets.SystemRandom().shuffle(chars)
        word = "".join(chars)
        if not refusals(word, None):
            return word


def _require_security(actor: Any) -> None:
    from jixiao.web.manage import roles

    roles.require(actor, roles.SECURITY)


def _place(user: Any, *, organisation: Any, role: str) -> bool:
    """Give ``user`` the role (a business role at ``organisation``, or an administrator role);
    whether anything changed. Raises Invalid / Conflict naming the reason."""
    from django.core.exceptions import ValidationError

    from jixiao.web.evaluations.actions.errors import Conflict, Invalid
    from jixiao.web.orgs.models import AdminRole, Membership

    membership = Membership.objects.filter(user=user).first()
    admin_role = AdminRole.objects.filter(user=user).first()
    if role in ADMIN_ROLES:
        if admin_role is not None and admin_role.role == role and membership is None:
            return False
        if membership is not None:
            membership.delete()
        if admin_role is not None:
            admin_role.role = role
            admin_role.save()
        else:
            AdminRole.objects.create(user=user, role=role)
        return True
    if role not in BUSINESS_ROLES:
        raise Invalid(_("角色应为填报、审核、管理、系统管理员、安全管理员或审计管理员"))
    if organisation is None:
        raise Invalid(_("业务角色须设在某个组织"))
    if not organisation.active:
        raise Conflict(_("组织“%(name)s”已停用") % {"name": organisation.name})
    if membership is not None and (membership.organisation_id, membership.role) == (
        organisation.pk,
        role,
    ):
        return False
    if admin_role is not None:
        admin_role.delete()
    place = membership or Membership(user=user)
    place.organisation, place.role = organisation, role
    try:
        place.clean()
    except ValidationError as error:
        raise Invalid("；".join(m for ms in error.message_dict.values() for m in ms)) from None
    place.save()
    return True


def create_account(
    *,
    actor: Any,
    username: str,
    name: str = "",
    organisation: Any = None,
    role: str,
    password: str | None = None,
) -> tuple[Any, str]:
    """A new account with its role; its password (``password``, or a random one) is returned
    once and must be changed at the first sign-in."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from jixiao.web.evaluations.actions import checks
    from jixiao.web.evaluations.actions import trail as events
    from jixiao.web.evaluations.actions.errors import Conflict, Invalid

    _require_security(actor)
    user_model = get_user_model()
    username, name = (username or "").strip(), (name or "").strip()
    if not username:
        raise Invalid(_("账号不能为空"))
    checks.storable({"username": username, "name": name}, _("账号"))
    if len(username) > 150 or not re.fullmatch(r"[\w.@+-]+", username):
        raise Invalid(_("账号只能由字母、数字和 @ . + - _ 组成，至多 150 个字符"))
    if len(name) > 150:
        raise Invalid(_("姓名至多 150 个字符"))
    if user_model.objects.filter(username__iexact=username).exists():
        raise Conflict(_("账号 %(name)s 已存在") % {"name": username})
    word = password or one_time_password()
    with transaction.atomic(), events.acting(actor):
        user = user_model(username=username, first_name=name)
        if reasons := refusals(word, user):
            raise Invalid(_("；").join(reasons))
        user.set_password(word)
        user.save()
        _place(user, organisation=organisation, role=role)
        mark(user, must_change=True)
    return user, word


def set_place(*, actor: Any, user: Any, organisation: Any, role: str) -> bool:
    """Change an account's role or place (not one's own); whether anything changed."""
    from django.db import transaction

    from jixiao.web.evaluations.actions import trail as events
    from jixiao.web.evaluations.actions.errors import Conflict

    _require_security(actor)
    if _holds(user, organisation=organisation, role=role):
        return False
    if user.pk == actor.pk:
        raise Conflict(_("不能更改自己的角色"))
    with transaction.atomic(), events.acting(actor):
        return _place(user, organisation=organisation, role=role)


def _holds(user: Any, *, organisation: Any, role: str) -> bool:
    """Whether ``user`` has that role there already (an administrator role: anywhere)."""
    from jixiao.web.orgs.models import AdminRole, Membership

    if role in ADMIN_ROLES:
        return (
            AdminRole.objects.filter(user=user, role=role).exists()
            and not Membership.objects.filter(user=user).exists()
        )
    return (
        organisation is not None
        and Membership.objects.filter(user=user, organisation=organisation, role=role).exists()
    )


def set_active(*, actor: Any, user: Any, active: bool) -> bool:
    """停用 / 启用 an account (not one's own); a disabled account cannot sign in and its
    tokens no longer work. Whether anything changed."""
    from django.db import transaction

    from jixiao.web.evaluations.actions import trail as events
    from jixiao.web.evaluations.actions.errors import Conflict

    _require_security(actor)
    if user.pk == actor.pk:
        raise Conflict(_("不能停用自己的账号"))
    if user.is_active == active:
        return False
    org = getattr(getattr(user, "membership", None), "organisation", None)
    if active and org is not None and not org.active:
        raise Conflict(_("组织“%(name)s”已停用") % {"name": org.name})
    with transaction.atomic(), events.acting(actor):
        user.is_active = active
        user.save(update_fields=["is_active"])
    return True


def reset_password(*, actor: Any, user: Any, password: str | None = None) -> str:
    """A new password set by the security administrator (a random one unless given, by the
    policy): the owner must change it at the next sign-in; the account's tokens are revoked
    (:mod:`jixiao.web.orgs.audit`). Returns it, to be shown once."""
    from django.db import transaction

    from jixiao.web.evaluations.actions import trail as events
    from jixiao.web.evaluations.actions.errors import Invalid

    _require_security(actor)
    word = password or one_time_password()
    if reasons := refusals(word, user):
        raise Invalid(_("；").join(reasons))
    with transaction.atomic(), events.acting(actor):
        user.set_password(word)
        user.save(update_fields=["password"])
        mark(user, must_change=True)
    return word


def failed_sign_ins(user: Any) -> int:
    """The account's failed sign-ins counted by the lockout now (every address)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    found = AccessAttempt.objects.filter(username=user.get_username())
    return found.aggregate(n=Sum("failures_since_start"))["n"] or 0


def unlock(*, actor: Any, user: Any, request: Any = None) -> int:
    """Lift a lockout: the account's failed sign-ins forgotten (as Django admin's deletion of
    its attempts), on the security log (``unlock``). How many records there were."""
    from axes.models import AccessAttempt
    from django.db import transaction

    from jixiao.web.orgs import security

    _require_security(actor)
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=user.get_username())
        count = attempts.count()
        if count:
            attempts.delete()
            security.log("unlock", user=actor, request=request, detail=user.get_username())
    return count
