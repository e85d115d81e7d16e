from django.urls import path

from observatoire.barometre import views, views_staff

app_name = "barometre"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.note, name="note"),
    path("<slug:code>/theme/<slug:theme>/", views.theme, name="theme"),
    path("<slug:code>/indicateur/<slug:indicator>/", views.indicator, name="indicator"),
    path("<slug:code>/indicateur/<slug:indicator>/vega-lite.json", views.chart_spec, name="spec"),
    path("<slug:code>/version/<int:number>/", views.version_page, name="version"),
    path("<slug:code>/comparer/", views.compare, name="compare"),
    path("<slug:code>/methode/", views.method, name="method"),
    path("<slug:code>/explorer/", views.explorer, name="explorer"),
    path("<slug:code>/explorer/tableau.csv", views.explorer_csv, name="explorer_csv"),
    path("<slug:code>/explorer/modele/", views_staff.model, name="explorer_model"),
    path("<slug:code>/explorer/modele/enregistrer/", views_staff.model_save, name="model_save"),
    path("<slug:code>/explorer/modeles/<int:pk>/", views.saved_model, name="saved_model"),
    path("<slug:code>/donnees/<str:name>", views.download, name="download"),
    path("<slug:code>/rapport/", views.report_request, name="report_request"),
    path("<slug:code>/rapport/statut/", views.report_status, name="report_status"),
    path("<slug:code>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:code>/gestion/", views_staff.manage, name="manage"),
    path(
        "<slug:code>/gestion/indicateurs/", views_staff.manage_indicators, name="manage_indicators"
    ),
    path("<slug:code>/gestion/indicateurs.yaml", views_staff.indicator_file, name="indicator_file"),
    path("<slug:code>/gestion/ponderation/", views_staff.weighting_status, name="weighting_status"),
    path("<slug:code>/gestion/textes/", views_staff.manage_texts, name="manage_texts"),
    path("<slug:code>/gestion/<str:action>/", views_staff.manage_action, name="manage_action"),
]
