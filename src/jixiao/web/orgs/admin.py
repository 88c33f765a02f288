"""Django admin under 三员分立 (beside the product's own administration pages, /manage/): open to
the system administrator (organisations, projects) and the security administrator (accounts,
business roles, technical roles, lockouts) only, each seeing its own models by Django's
permissions (given with the role: :func:`jixiao.web.orgs.models.AdminRole.save`). The
superuser made from the command line may sign in only until a security administrator exists
(first setup). No form here makes a superuser or grants permissions. Every change is a model
save, so it is on the trail (jixiao.web.orgs.audit) and the security log; sign-in records and
failures are read-only (a lockout may be lifted, and that is logged). ``JIXIAO_ADMIN=0`` turns
admin off (jixiao.web.urls)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from jixiao.web.orgs.models import AdminRole, Membership, Organisation, PasswordState, TotpDevice

ADMIN_ROLES = {AdminRole.Role.SYSTEM.value, AdminRole.Role.SECURITY.value}


def may_use_admin(user) -> bool:
    """System and security administrators; the superuser until a security administrator exists."""
    if not (user.is_active and user.is_authenticated):
        return False
    role = getattr(getattr(user, "admin_role", None), "role", None)
    if role in ADMIN_ROLES:
        return True
    security = AdminRole.objects.filter(role=AdminRole.Role.SECURITY).exists()
    return user.is_superuser and not security


def _has_permission(request) -> bool:
    return may_use_admin(request.user)


admin.site.has_permission = _has_permission  # type: ignore[method-assign]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")


@admin.register(AdminRole)
class AdminRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)


@admin.register(PasswordState)
class PasswordStateAdmin(admin.ModelAdmin):
    list_display = ("user", "must_change", "changed_at")
    readonly_fields = ("changed_at",)


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """A lost authenticator: the security administrator deletes the device (logged); the
    account enrols again at its next sign-in."""

    list_display = ("user", "confirmed")
    fields = ("user", "confirmed")
    readonly_fields = ("user", "confirmed")  # the secret is never shown here

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        from jixiao.web.orgs import security

        security.log("totp_reset", user=request.user, request=request, detail=str(obj.user))
        super().delete_model(request, obj)


class AccountAdmin(UserAdmin):
    """Accounts without the superuser, staff, groups and permission fields: technical roles
    are given as :class:`AdminRole`, business roles as :class:`Membership`."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "is_active", "last_login")
    list_filter = ("is_active",)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model in (AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, ReadOnly)


class AttemptAdmin(ReadOnly):
    """A lockout is lifted by deleting its attempt (the security administrator's; logged)."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("axes.delete_accessattempt")

    def delete_model(self, request, obj):
        from jixiao.web.orgs import security

        security.log("unlock", user=request.user, request=request, detail=obj.username)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from jixiao.web.orgs import security

        for attempt in queryset:
            security.log("unlock", user=request.user, request=request, detail=attempt.username)
        super().delete_queryset(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AttemptAdmin)
