"""The analysts' pages of accounts: invitations and login lockouts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts import services
from observatoire.accounts.access import require_analyst
from observatoire.accounts.forms import InviteForm
from observatoire.accounts.views import lockout_context


@login_required
def invite(request):
    require_analyst(request.user)
    form = InviteForm(request.POST or None)
    if form.is_valid():
        services.invite_referent(
            form.cleaned_data["email"], form.cleaned_data["authority"], by=request.user
        )
        messages.success(request, _("Invitation envoyée à %s.") % form.cleaned_data["email"])
        return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@login_required
def lockouts(request):
    """Analysts see the failed logins and unlock an account or an address on request."""
    from axes.models import AccessAttempt

    require_analyst(request.user)
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
    return render(request, "accounts/lockouts.html", {"attempts": attempts, **lockout_context()})


@require_POST
@login_required
def unlock(request, pk):
    from axes.models import AccessAttempt

    require_analyst(request.user)
    attempt = AccessAttempt.objects.filter(pk=pk).first()
    if attempt is None:
        raise Http404(_("Essai introuvable."))
    services.unlock_login(attempt, by=request.user)
    messages.success(request, _("Connexion débloquée pour %s.") % attempt.username)
    return redirect("accounts:lockouts")
