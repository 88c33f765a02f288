from django.contrib import admin
from django.urls import include, path

from jixiao.web.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("jixiao.web.pages.urls")),
]

# A body over Django's limits is a 413 (JSON under /api: jixiao.web.edge); the other
# errors keep Django's pages, which jixiao.web.edge.Edge turns into JSON under /api.
handler400 = "jixiao.web.edge.bad_request"
