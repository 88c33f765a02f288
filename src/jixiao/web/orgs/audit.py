"""Every change of an account, membership, organisation, project or approved targets is an
event on the trail, whoever makes it (the actions, Django admin, the command line): model
signals call :func:`jixiao.web.evaluations.actions.trail.record`, in the change's transaction,
with the fields that changed and the object's state after the change. ``bulk_create`` sends
no signals: the bulk loader calls ``record_many`` itself."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


def _before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from jixiao.web.evaluations import states

    if raw or instance.pk is None:
        instance._trail_before = states.DELETED
        return
    instance._trail_before = states.of(states.subject(instance))


def _short(subject: str) -> str:
    """The action's prefix (the column holds 16 characters): ``org_change``, ``account_create``."""
    kind = subject.partition("#")[0]
    return {"organisation": "org"}.get(kind, kind)


def _masked(state: dict) -> dict:
    return {**state, "password": "***"} if "password" in state else state


def _after(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kw: Any) -> None:
    from jixiao.domain.trail import field_diff
    from jixiao.web.evaluations import states
    from jixiao.web.evaluations.actions import trail

    if raw:
        return
    subject = states.subject(instance)
    after = states.of(subject)
    before = getattr(instance, "_trail_before", states.DELETED)
    diff = field_diff(_masked(before), _masked(after))
    if "password" in after and before.get("password") not in (None, after["password"]):
        diff.append({"path": "password", "new": "（已更改）"})
    kind = _short(subject)
    trail.record(subject, action=f"{kind}_{'create' if created else 'change'}", diff=diff)
    if kind == "account":
        _account_changed(instance, before, after, created)


def _from_admin() -> bool:
    from jixiao.web.evaluations.actions.trail import _actor

    who = _actor.get()
    return bool(getattr(who, "path", "").startswith("/admin/"))


def _account_changed(instance: Any, before: dict, after: dict, created: bool) -> None:
    """A password set by someone else (Django admin) must be changed by its owner; any password
    change revokes the account's tokens; the security log says what happened."""
    from jixiao.web import accounts
    from jixiao.web.orgs import security
    from jixiao.web.orgs.models import ApiToken

    user_id = getattr(instance, "user_id", None) or instance.pk
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    password_set = before.get("password") != after.get("password")
    if password_set and not created and before:
        ApiToken.revoke(ApiToken.objects.filter(user_id=user_id))
        security.log("password_change", user=user, detail="密码已更改，令牌已撤销")
    if password_set and _from_admin():
        accounts.mark(user, must_change=True)
    for part in ("membership", "admin_role", "superuser", "staff", "active"):
        if before and before.get(part) != after.get(part):
            security.log(
                "role_change",
                user=user,
                detail=f"{part}: {before.get(part)} → {after.get(part)}",
            )


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from jixiao.web.evaluations import states
    from jixiao.web.evaluations.actions import trail

    subject = states.subject(instance)
    kind = _short(subject)
    gone = type(instance).__name__ in {"Membership", "AdminRole"}
    trail.record(subject, action=f"{kind}_{'change' if gone else 'delete'}", diff=[])
    if kind == "account":
        from jixiao.web.orgs import security

        security.log("role_change", username=subject, detail=f"{type(instance).__name__} 删除")


def connect(app_config: Any) -> None:
    from jixiao.web.evaluations.actions.trail import anchor_after_migrate
    from jixiao.web.evaluations.models import ApprovedTargets, Project
    from jixiao.web.orgs.models import AdminRole, Membership, Organisation

    for model in (get_user_model(), Membership, AdminRole, Organisation, Project, ApprovedTargets):
        uid = f"jixiao-trail-{model.__name__}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid)
        post_save.connect(_after, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    post_migrate.connect(anchor_after_migrate, sender=app_config, dispatch_uid="jixiao-anchor")
