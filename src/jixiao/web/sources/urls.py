from django.urls import path

from jixiao.web.sources import pages

urlpatterns = [
    path("forms/<int:pk>/source/<int:page>.png", pages.source_page, name="source_page"),
]
