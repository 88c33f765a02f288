from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "jixiao.web.sources"
    label = "sources"
    verbose_name = "原件"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models.signals import post_save

        from jixiao.web.evaluations import states
        from jixiao.web.evaluations.models import Evaluation
        from jixiao.web.sources import keep, models

        states.protect("sourcefile", models.SourceFile, keep.state, "原件")
        post_save.connect(keep.kept, sender=Evaluation, dispatch_uid="sources.kept")
        request_finished.connect(keep.forget, dispatch_uid="sources.forget")
