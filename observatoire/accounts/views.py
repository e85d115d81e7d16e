from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts import services
from observatoire.accounts.forms import AcceptInvitationForm, ApiTokenForm, NotificationsForm
from observatoire.accounts.models import ApiToken, Invitation


def accept(request, token):
    invitation = Invitation.find_usable(token)
    if invitation is None:
        raise Http404(_("Ce lien d'invitation n'est plus valable."))
    form = AcceptInvitationForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        user = services.accept_invitation(
            invitation,
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Bienvenue ! Vous êtes référent de %s.") % invitation.authority)
        return redirect("core:home")
    return render(request, "accounts/accept.html", {"form": form, "invitation": invitation})


@login_required
def profile(request):
    """The user's account: role, authority, API tokens (a new token is shown once)."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if form.is_valid():
        _api_token, new_token = services.create_api_token(
            form.cleaned_data["name"], form.cleaned_data["days"], by=request.user
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "notifications": NotificationsForm(user=request.user),
        },
    )


@require_POST
@login_required
def revoke_token(request, pk):
    try:
        token = services.get_own_token(request.user, pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404(_("Jeton introuvable.")) from exc
    services.revoke_api_token(token, by=request.user)
    messages.success(request, _("Jeton « %s » révoqué.") % token.name)
    return redirect("accounts:profile")


def lockout_context() -> dict:
    from django.conf import settings

    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes answers to a locked account or address (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "accounts/locked_out.html", lockout_context(), status=429)


def proconnect_refused(request):
    """Where a failed ProConnect login lands (LOGIN_REDIRECT_URL_FAILURE): an agent of an
    organisation the observatory does not know is told whom to ask."""
    from django.conf import settings

    from observatoire.accounts.oidc import REFUSAL

    refusal = request.session.pop(REFUSAL, None)
    context = {"refusal": refusal, "contact_email": settings.CONTACT_EMAIL}
    return render(request, "accounts/proconnect_refused.html", context, status=403)


@require_POST
@login_required
def notification_settings(request):
    """The account page's switches: the kinds left unticked are switched off."""
    form = NotificationsForm(request.POST, user=request.user)
    if form.is_valid():
        services.set_notification_preferences(request.user, form.cleaned_data["wanted"])
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
    return redirect(reverse("accounts:profile") + "#notifications")
