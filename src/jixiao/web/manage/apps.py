from django.apps import AppConfig


class ManageConfig(AppConfig):
    name = "jixiao.web.manage"
    label = "manage"
    verbose_name = "系统管理"
