"""The site's URLs with ProConnect's, as settings.py adds them when OIDC_RP_CLIENT_ID is set."""

from django.urls import include, path

from observatoire.urls import urlpatterns as site

urlpatterns = [*site, path("oidc/", include("mozilla_django_oidc.urls"))]
