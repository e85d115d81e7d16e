"""The analyst's landing page: what waits for it and a link to every management page.

It reads every product app, so it lives in the project package, beside the URL conf.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from observatoire.accounts.access import require_analyst
from observatoire.barometre.models import Edition, WeightingRun
from observatoire.cas_usage.choices import Review
from observatoire.cas_usage.choices import Status as CaseStatus
from observatoire.cas_usage.models import OrganisationMatch, UseCase
from observatoire.questionnaires.models import Questionnaire
from observatoire.registre.choices import Status as EntryStatus
from observatoire.registre.models import Entry


@login_required
def analyst_home(request):
    """Editions, campaigns, weighting runs and the moderation queues, newest first."""
    require_analyst(request.user)
    cases = UseCase.objects.filter(
        Q(status=CaseStatus.PROPOSED) | Q(pending_edit__has_key="fields")
    ).order_by("updated_at")
    entries = (
        Entry.objects.filter(status=EntryStatus.IN_REVIEW)
        .select_related("authority")
        .order_by("updated_at")
    )
    context = {
        "editions": Edition.objects.select_related("questionnaire").order_by("-year", "code"),
        "campaigns": Questionnaire.objects.order_by("-created_at"),
        "runs": WeightingRun.objects.select_related("edition", "started_by")[:5],
        "cases": cases[:10],
        "cases_count": cases.count(),
        "entries": entries[:10],
        "entries_count": entries.count(),
        "matches_count": OrganisationMatch.objects.filter(review=Review.PENDING).count(),
    }
    return render(request, "dashboard.html", context)
