from django.contrib import admin

from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, Event, Project, SpotCheck


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(ApprovedTargets)
class ApprovedTargetsAdmin(admin.ModelAdmin):
    """Bureau admins may correct approved targets here; evaluations keep the copy they took."""

    list_display = ("project", "year", "set_by", "set_at")
    list_filter = ("year",)
    search_fields = ("project__code", "project__name")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Forms change only through the workflow, which keeps the trail; events never change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("project", "year", "state", "version", "total", "grade")
    list_filter = ("year", "state", "grade")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_name", "action", "state_from", "state_to", "evaluation")


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ("year", "size", "drawn_by", "drawn_at")
