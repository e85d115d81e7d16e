from django.urls import path

from observatoire.registre import manage_views, views

app_name = "registre"
urlpatterns = [
    path("", views.index, name="index"),
    path("fiche/<int:pk>/", views.detail, name="detail"),
    path("fiche/<int:pk>/historique/", views.history, name="history"),
    path("fiche/<int:pk>/pdf/", views.entry_pdf, name="pdf"),
    path("fiche/<int:pk>/export/<str:fmt>/", views.entry_export, name="entry_export"),
    path("collectivite/<str:siren>/", views.authority_register, name="authority"),
    path("collectivite/<str:siren>/integration/", views.authority_embed, name="embed"),
    path("collectivite/<str:siren>/flux.json", views.authority_feed, name="feed"),
    path("export/<str:fmt>/", views.bulk_export, name="export"),
    path("produits/nouveau/", manage_views.create_product, name="create_product"),
    path("produits/<int:pk>/", views.product, name="product"),
    path("gerer/", manage_views.dashboard, name="dashboard"),
    path("gerer/nouvelle/", manage_views.create, name="create"),
    path("gerer/import/", manage_views.import_csv, name="import"),
    path("fiche/<int:pk>/modifier/", manage_views.edit, name="edit"),
    path("fiche/<int:pk>/ai-act/", manage_views.ai_act, name="aiact"),
    path("fiche/<int:pk>/conformite/", manage_views.compliance, name="compliance"),
    path("fiche/<int:pk>/soumettre/", manage_views.submit, name="submit"),
    path("fiche/<int:pk>/approuver/", manage_views.approve, name="approve"),
    path("fiche/<int:pk>/renvoyer/", manage_views.send_back, name="send_back"),
    path("fiche/<int:pk>/archiver/", manage_views.archive, name="archive"),
    path("fiche/<int:pk>/reviser/", manage_views.revise, name="revise"),
    path("fiche/<int:pk>/reprendre/", manage_views.adopt, name="adopt"),
]
