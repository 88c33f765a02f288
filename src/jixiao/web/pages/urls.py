from django.contrib.auth import views as auth_views
from django.urls import include, path

from jixiao.web.pages import attention, dashboards, progress, rollup, tasks, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="pages/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("forms/", views.forms, name="forms"),
    path("review/", views.queue, name="queue"),
    path("forms/export/", views.export_list, name="export"),
    path("rollup/", rollup.rollup_page, name="rollup"),
    path("rollup/export/<str:fmt>/", rollup.rollup_export, name="rollup_export"),
    path("attention/", attention.attention_page, name="attention"),
    path("progress/", progress.progress_page, name="progress"),
    path("progress/export/", progress.progress_export, name="progress_export"),
    path("dashboards/", dashboards.dashboards_page, name="dashboards"),
    path("dashboards/data/<str:name>/", dashboards.dashboard_data, name="dashboard_data"),
    path("forms/new/", views.new, name="new"),
    path("imports/", tasks.import_page, name="imports"),
    path("tasks/<int:pk>/", tasks.task_page, name="task"),
    path("tasks/<int:pk>/cancel/", tasks.cancel_task, name="cancel_task"),
    path("tasks/<int:pk>/download/", tasks.task_download, name="task_download"),
    path("exports/", tasks.export_page, name="exports"),
    path("forms/<int:pk>/", views.form_page, name="form"),
    path("forms/<int:pk>/edit/", views.edit, name="edit"),
    path("forms/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("forms/<int:pk>/review/", views.review, name="review"),
    path("forms/<int:pk>/history/", views.history, name="history"),
    path("forms/<int:pk>/download/<str:fmt>/", views.download, name="download"),
    path("forms/<int:pk>/review-scores/", views.review_scores, name="review_scores"),
    path("forms/<int:pk>/evidence/", views.add_evidence, name="add_evidence"),
    path("forms/<int:pk>/evidence/<int:item>/", views.evidence_file, name="evidence"),
    path(
        "forms/<int:pk>/evidence/<int:item>/remove/", views.remove_evidence, name="remove_evidence"
    ),
    path("forms/<int:pk>/<str:action>/", views.step, name="step"),
]
