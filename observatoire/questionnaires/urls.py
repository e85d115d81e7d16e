from django.urls import path

from observatoire.questionnaires import views, views_staff

app_name = "questionnaires"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/repondre/", views.start, name="start"),
    path("<slug:code>/xlsform/", views.export, name="export"),
    path("reponses/<int:pk>/", views.response_home, name="response"),
    path("reponses/<int:pk>/enregistrer/", views.save, name="save"),
    path("reponses/<int:pk>/relecture/", views.review, name="review"),
    path("reponses/<int:pk>/rouvrir/", views_staff.reopen, name="reopen"),
    path("reponses/<int:pk>/<slug:section_code>/", views.section, name="section"),
    path("campagnes/nouveau/", views_staff.create, name="create"),
    path("campagnes/<slug:code>/", views_staff.dashboard, name="campaign"),
    path("campagnes/<slug:code>/edition/", views_staff.new_edition, name="new_edition"),
    path("campagnes/<slug:code>/taux/", views_staff.rates, name="rates"),
    path("campagnes/<slug:code>/echantillon/", views_staff.sample, name="sample"),
    path("campagnes/<slug:code>/invitations/", views_staff.invite, name="invite"),
    path("campagnes/<slug:code>/relances/", views_staff.remind, name="remind"),
    path("campagnes/<slug:code>/import/", views_staff.import_responses, name="import"),
    path(
        "campagnes/<slug:code>/reponses.csv",
        views_staff.export_responses,
        name="export_responses",
    ),
]
