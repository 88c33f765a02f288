from django.urls import URLPattern, URLResolver

app_name = "year"

urlpatterns: list[URLPattern | URLResolver] = []
