from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from jixiao.web.api import api
from jixiao.web.orgs import security, totp, views

urlpatterns = [
    *([path("admin/", admin.site.urls)] if settings.JIXIAO_ADMIN else []),  # JIXIAO_ADMIN=0: off
    path("api/", api.urls),
    path("account/password/", views.password, name="password"),
    path("account/totp/", totp.page, name="totp"),
    path("security-log/", security.page, name="security_log"),
    path("", include("jixiao.web.year.urls")),
    path("", include("jixiao.web.manage.urls")),
    path("", include("jixiao.web.sources.urls")),
    path("", include("jixiao.web.pages.urls")),
]

# A body over Django's limits is a 413 (JSON under /api: jixiao.web.edge); the other
# errors keep Django's pages, which jixiao.web.edge.Edge turns into JSON under /api.
handler400 = "jixiao.web.edge.bad_request"
