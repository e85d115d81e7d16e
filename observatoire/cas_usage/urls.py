from django.urls import path

from observatoire.cas_usage import views
from observatoire.cas_usage.feeds import LatestCasesFeed

app_name = "cas_usage"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposer/", views.propose, name="propose"),
    path("moderation/", views.moderation, name="moderation"),
    path("flux.atom", LatestCasesFeed(), name="feed"),
    path("correspondances/", views.matches, name="matches"),
    path("correspondances/<int:pk>/", views.decide_match, name="decide_match"),
    path("thesaurus/", views.thesaurus, name="thesaurus"),
    path("thesaurus/ajouter/", views.thesaurus_edit, name="thesaurus_add"),
    path("thesaurus/<int:pk>/", views.thesaurus_edit, name="thesaurus_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/moderer/", views.moderate, name="moderate"),
    path("<int:pk>/nous-aussi/", views.adopt, name="adopt"),
    path("<int:pk>/contact/", views.contact, name="contact"),
]
