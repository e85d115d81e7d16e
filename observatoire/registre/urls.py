from django.urls import path

from observatoire.registre import views, views_staff

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
    path("produits/nouveau/", views_staff.create_product, name="create_product"),
    path("produits/<int:pk>/", views.product, name="product"),
    path("gerer/", views_staff.dashboard, name="dashboard"),
    path("gerer/nouvelle/", views_staff.create, name="create"),
    path("gerer/import/", views_staff.import_csv, name="import"),
    path("fiche/<int:pk>/modifier/", views_staff.edit, name="edit"),
    path("fiche/<int:pk>/ai-act/", views_staff.ai_act, name="aiact"),
    path("fiche/<int:pk>/conformite/", views_staff.compliance, name="compliance"),
    path("fiche/<int:pk>/soumettre/", views_staff.submit, name="submit"),
    path("fiche/<int:pk>/approuver/", views_staff.approve, name="approve"),
    path("fiche/<int:pk>/renvoyer/", views_staff.send_back, name="send_back"),
    path("fiche/<int:pk>/archiver/", views_staff.archive, name="archive"),
    path("fiche/<int:pk>/reviser/", views_staff.revise, name="revise"),
    path("fiche/<int:pk>/reprendre/", views_staff.adopt, name="adopt"),
]
