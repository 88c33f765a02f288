from django.apps import AppConfig


class YearConfig(AppConfig):
    name = "jixiao.web.year"
    label = "year"
    verbose_name = "年度组织"
