from django.urls import path

from observatoire.territoires import views

app_name = "territoires"
urlpatterns = [
    path("", views.search, name="search"),
    path("<str:kind>/<str:code>/", views.detail, name="detail"),
]
