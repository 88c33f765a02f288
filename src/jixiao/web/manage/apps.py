from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ManageConfig(AppConfig):
    name = "jixiao.web.manage"
    label = "manage"
    verbose_name = "系统管理"

    def ready(self) -> None:
        from .organisations import record_active_after_migrate

        # after the trail's own anchoring (orgs' post_migrate comes first: INSTALLED_APPS)
        post_migrate.connect(
            record_active_after_migrate, sender=self, dispatch_uid="jixiao-org-active"
        )
