from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from observatoire import dashboard, views
from observatoire.api import api
from observatoire.core import urls as core_urls

# The project's pages join core's namespace, so their names stay core:home, core:audit…
site = [
    path("", views.home, name="home"),
    path("journal/", views.audit_log, name="audit"),
    path("accueil/", views.landing, name="landing"),
    *core_urls.urlpatterns,
]

urlpatterns = [
    path("", include((site, "core"))),
    path(
        "tableau-de-bord/",
        include(([path("", dashboard.analyst_home, name="analyst")], "dashboard")),
    ),
    path("comptes/", include("observatoire.accounts.urls")),
    path("territoires/", include("observatoire.territoires.urls")),
    path("questionnaires/", include("observatoire.questionnaires.urls")),
    path("barometre/", include("observatoire.barometre.urls")),
    path("registre/", include("observatoire.registre.urls")),
    path("cas-usage/", include("observatoire.cas_usage.urls")),
    path("", include("observatoire.diagnostic.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
if settings.PROCONNECT_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
