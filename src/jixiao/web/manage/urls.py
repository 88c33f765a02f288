"""The administration pages (/manage/…); their names are stable (other pages and tests use them)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "manage"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/", views.index, name="index"),
    path("manage/organisations/", views.organisation_list, name="organisations"),
    path("manage/organisations/export/", views.organisation_export, name="organisations_export"),
    path("manage/organisations/import/", views.organisation_import, name="organisations_import"),
    path("manage/organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("manage/accounts/", views.account_list, name="accounts"),
    path("manage/accounts/export/", views.account_export, name="accounts_export"),
    path("manage/accounts/import/", views.account_import, name="accounts_import"),
    path("manage/accounts/<int:pk>/", views.account_detail, name="account"),
    path("manage/projects/", views.project_list, name="projects"),
    path("manage/projects/export/", views.project_export, name="projects_export"),
    path("manage/projects/import/", views.project_import, name="projects_import"),
    path("manage/projects/<int:pk>/", views.project_detail, name="project"),
    path("manage/templates/", views.template_list, name="templates"),
    path("manage/targets/", views.target_list, name="targets"),
    path("manage/targets/<int:pk>/<int:year>/", views.target_detail, name="target"),
]
