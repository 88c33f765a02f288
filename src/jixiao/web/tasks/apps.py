from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "jixiao.web.tasks"
    label = "tasks"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"
