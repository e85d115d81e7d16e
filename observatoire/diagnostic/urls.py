from django.urls import path

from observatoire.diagnostic import views, views_staff

app_name = "diagnostic"
urlpatterns = [
    path("ma-collectivite/", views.authority_home, name="authority_home"),
    path("diagnostic/", views.index, name="index"),
    path("diagnostic/nouveau/", views.start, name="start"),
    path("diagnostic/grille/", views_staff.rules, name="rules"),
    path("diagnostic/grille/<str:kind>/", views_staff.rules, name="rules"),
    path(
        "diagnostic/grille/<str:kind>/v<int:number>.yaml",
        views_staff.rules_download,
        name="rules_download",
    ),
    path("diagnostic/partage/<str:token>/", views.shared, name="shared"),
    path("diagnostic/partage/<str:token>/pdf/", views.shared_pdf, name="shared_pdf"),
    path("diagnostic/<int:pk>/", views.run_home, name="run"),
    path("diagnostic/<int:pk>/enregistrer/", views.save, name="save"),
    path("diagnostic/<int:pk>/relecture/", views.review, name="review"),
    path("diagnostic/<int:pk>/resultat/", views.result, name="result"),
    path("diagnostic/<int:pk>/resultat.pdf", views.result_pdf, name="pdf"),
    path("diagnostic/<int:pk>/partage/", views.share, name="share"),
    path("diagnostic/<int:pk>/<slug:section_code>/", views.section, name="section"),
]
