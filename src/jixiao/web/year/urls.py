from django.urls import URLPattern, URLResolver, path

from jixiao.web.year import views

app_name = "year"

urlpatterns: list[URLPattern | URLResolver] = [
    path("todo/", views.todo, name="todo"),
    path("year/tasks/", views.tasks, name="tasks"),
    path("year/tasks/<int:pk>/late/", views.late, name="late"),
    path("year/review/", views.review, name="review"),
    path("year/spot-checks/", views.spot_checks, name="spot_checks"),
    path("year/recheck/<int:pk>/", views.recheck, name="recheck"),
    path("year/ledger/", views.ledger, name="ledger"),
    path("year/ledger/export/<str:fmt>/", views.ledger_export, name="ledger_export"),
]
