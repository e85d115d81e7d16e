from django.urls import path  # noqa: F401

app_name = "cas_usage"
urlpatterns: list = []
