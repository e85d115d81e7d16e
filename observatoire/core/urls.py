from django.urls import path

from observatoire.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("journal/", views.audit_log, name="audit"),
    path("accueil/", views.landing, name="landing"),
    path("sante/", views.health, name="health"),
]
