"""The analysts' pages of the catalogue: moderation, matches with the register, the thesaurus."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_analyst
from observatoire.cas_usage import services
from observatoire.cas_usage.choices import Status
from observatoire.cas_usage.forms import (
    MatchDecisionForm,
    ModerationForm,
    ThesaurusEntryForm,
)
from observatoire.cas_usage.models import OrganisationMatch, ThesaurusEntry, UseCase
from observatoire.cas_usage.views import form_errors, visible_case


@login_required
def moderation(request):
    require_analyst(request.user)
    cases = UseCase.objects.filter(
        Q(status__in=[Status.PROPOSED, Status.CHANGES_REQUESTED])
        | Q(pending_edit__has_key="fields")
    )
    return render(request, "cas_usage/moderation.html", {"cases": cases.order_by("updated_at")})


@require_POST
@login_required
def moderate(request, pk):
    require_analyst(request.user)
    case = visible_case(request.user, pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.moderate_case(case, **form.cleaned_data, by=request.user)
            messages.success(request, _("Décision enregistrée : %s.") % case.get_status_display())
            return redirect("cas_usage:moderation")
        except ValidationError as exc:
            form.add_error(None, exc)
    messages.error(request, " ".join(form_errors(form)))
    return redirect(case)


@login_required
def matches(request):
    """The analyst's review list: French PSTW organisations and the authority each is."""
    require_analyst(request.user)
    everything = request.GET.get("tout") == "1"
    context = {"matches": services.review_list(everything), "everything": everything}
    return render(request, "cas_usage/matches.html", context)


@require_POST
@login_required
def decide_match(request, pk):
    require_analyst(request.user)
    match = get_object_or_404(OrganisationMatch, pk=pk)
    form = MatchDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_match(match, **form.cleaned_data, by=request.user)
            messages.success(request, _("Décision enregistrée pour « %s ».") % match.name)
        except ValidationError as exc:
            messages.error(request, f"{match.name} : {' '.join(exc.messages)}")
    else:
        messages.error(request, " ".join(form_errors(form)))
    return redirect("cas_usage:matches")


@login_required
def thesaurus(request):
    """The thesaurus, for analysts: every group of equivalent terms, by theme."""
    require_analyst(request.user)
    entries = ThesaurusEntry.objects.select_related("edited_by").order_by("theme", "key")
    return render(request, "cas_usage/thesaurus.html", {"entries": entries})


@login_required
def thesaurus_edit(request, pk=None):
    """Add or edit a group of equivalent terms."""
    require_analyst(request.user)
    entry = get_object_or_404(ThesaurusEntry, pk=pk) if pk else None
    form = ThesaurusEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_thesaurus_entry(entry, form.cleaned_data, by=request.user)
        messages.success(request, _("Thésaurus mis à jour."))
        return redirect("cas_usage:thesaurus")
    return render(request, "cas_usage/thesaurus_form.html", {"form": form, "entry": entry})
