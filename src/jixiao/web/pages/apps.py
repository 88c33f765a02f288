from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "jixiao.web.pages"
    label = "pages"
    verbose_name = "页面"
