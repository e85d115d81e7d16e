from django.urls import path

from observatoire.core import views

# Joined to the `core` namespace by the project's urls.py, with the project's own pages.
urlpatterns = [
    path("sante/", views.health, name="health"),
]
