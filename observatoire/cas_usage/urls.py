from django.urls import path

from observatoire.cas_usage import views, views_staff
from observatoire.cas_usage.feeds import LatestCasesFeed

app_name = "cas_usage"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposer/", views.propose, name="propose"),
    path("moderation/", views_staff.moderation, name="moderation"),
    path("flux.atom", LatestCasesFeed(), name="feed"),
    path("correspondances/", views_staff.matches, name="matches"),
    path("correspondances/<int:pk>/", views_staff.decide_match, name="decide_match"),
    path("thesaurus/", views_staff.thesaurus, name="thesaurus"),
    path("thesaurus/ajouter/", views_staff.thesaurus_edit, name="thesaurus_add"),
    path("thesaurus/<int:pk>/", views_staff.thesaurus_edit, name="thesaurus_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/moderer/", views_staff.moderate, name="moderate"),
    path("<int:pk>/nous-aussi/", views.adopt, name="adopt"),
    path("<int:pk>/contact/", views.contact, name="contact"),
]
