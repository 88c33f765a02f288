from django.contrib import admin

from jixiao.web.evaluations.models import Evaluation, Event, Project, SpotCheck


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit")
    search_fields = ("code", "name")


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
