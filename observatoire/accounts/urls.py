from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from observatoire.accounts import views, views_staff
from observatoire.core.throttle import rate_limited

app_name = "accounts"
urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.profile, name="profile"),
    path("compte/notifications/", views.notification_settings, name="notifications"),
    path("compte/jetons/<int:pk>/revoquer/", views.revoke_token, name="revoke_token"),
    path("inviter/", views_staff.invite, name="invite"),
    path("proconnect/refus/", views.proconnect_refused, name="proconnect_refused"),
    path("verrous/", views_staff.lockouts, name="lockouts"),
    path("verrous/<int:pk>/debloquer/", views_staff.unlock, name="unlock"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path(
        "mot-de-passe/",
        rate_limited("password_reset", "email")(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                template_name="accounts/password_reset_form.html",
                email_template_name="accounts/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete"),
            template_name="accounts/password_reset_confirm.html",
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
