"""Pages of the diagnostic: the référent's authority page, taking a diagnostic with the
barometer's form, its result, the PDF, the share link; the analysts' grid page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_referent
from observatoire.cas_usage.queries import cases_like_mine
from observatoire.diagnostic import queries, reports, services
from observatoire.diagnostic.access import (
    get_editable_run,
    get_run_for,
    get_shared_run,
)
from observatoire.diagnostic.choices import RunStatus
from observatoire.diagnostic.forms import StartForm
from observatoire.diagnostic.models import Run
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.forms import (
    changed_values,
    initial_from_post,
    submitted_values,
)
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services import collection, current_edition
from observatoire.questionnaires.services.collection import LoadedQuestionnaire
from observatoire.questionnaires.views import (
    first_incomplete,
    review_sections,
    save_one,
    section_context,
    section_parts,
)
from observatoire.registre.choices import Status as EntryStatus
from observatoire.registre.models import Entry


@login_required
def authority_home(request):
    """A référent's landing page: its questionnaire, register, diagnostic, cases for it."""
    require_referent(request.user)
    authority = request.user.authority
    edition = current_edition(Population.AUTHORITIES)
    entries = Entry.objects.filter(authority=authority, revision_of__isnull=True)
    context = {
        "authority": authority,
        "edition": edition,
        "response": Response.objects.filter(questionnaire=edition, authority=authority).first(),
        "entries_published": entries.filter(status=EntryStatus.PUBLISHED).count(),
        "entries_draft": entries.filter(status=EntryStatus.DRAFT).count(),
        "to_review": list(
            entries.filter(status=EntryStatus.IN_REVIEW).exclude(submitted_by=request.user)
        ),
        "latest": Run.objects.filter(authority=authority, status=RunStatus.SCORED).first(),
        "draft": Run.objects.filter(authority=authority, status=RunStatus.DRAFT).first(),
        "like": cases_like_mine(request.user, limit=4),
    }
    return render(request, "diagnostic/authority_home.html", context)


def index(request):
    """What the diagnostic is; a référent's runs and how to start one; analysts: all runs."""
    user = request.user
    runs = Run.objects.none()
    if user.is_authenticated and user.is_analyst:
        runs = Run.objects.select_related("authority")[:200]
    elif user.is_authenticated and user.authority_id:
        runs = Run.objects.filter(authority_id=user.authority_id)
    context = {
        "runs": runs,
        "form": StartForm(),
        "source": services.latest_response(user.authority) if getattr(user, "authority_id", None) else None,
        "can_start": user.is_authenticated and bool(user.authority_id) and not user.is_analyst,
        "contact_email": settings.CONTACT_EMAIL,
    }  # fmt: skip
    return render(request, "diagnostic/index.html", context)


@require_POST
@login_required
def start(request):
    require_referent(request.user)
    form = StartForm(request.POST)
    prefill = form.is_valid() and form.cleaned_data["prefill"]
    try:
        run = services.start_run(request.user.authority, by=request.user, prefill=prefill)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("diagnostic:index")
    return redirect("diagnostic:run", run.pk)


@login_required
def run_home(request, pk):
    """Resume where the référents stopped: the first section with missing answers."""
    run = get_run_for(request.user, pk)
    if run.is_scored:
        return redirect("diagnostic:result", pk)
    section = first_incomplete(LoadedQuestionnaire.load(run.questionnaire), run.answers)
    if section is not None:
        return redirect("diagnostic:section", pk, section.code)
    return redirect("diagnostic:review", pk)


def _editable(request, pk) -> Run:
    run = get_editable_run(request.user, pk)
    if run.is_scored:
        raise PermissionDenied(_("Ce diagnostic est calculé : lancez-en un nouveau."))
    return run


@login_required
def section(request, pk, section_code):
    """One part of the barometer's form (same rendering, autosave and skip logic)."""
    run = get_run_for(request.user, pk)
    if run.is_scored:
        return redirect("diagnostic:result", pk)
    form, sections, current, questions = section_parts(run.questionnaire, section_code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        run = _editable(request, pk)
        changes = changed_values(
            form, submitted_values(questions, request.POST), initial_from_post(request.POST)
        )
        run, errors = services.save_run_answers(run, changes, by=request.user, form=form)
        if not errors:
            index = sections.index(current)
            if "previous" in request.POST and index > 0:
                return redirect("diagnostic:section", pk, sections[index - 1].code)
            if index + 1 < len(sections):
                return redirect("diagnostic:section", pk, sections[index + 1].code)
            return redirect("diagnostic:review", pk)
    context = section_context(run, form, sections, current, questions, errors)
    for item in context["items"]:
        item["prefilled"] = item["question"].code in run.prefilled
    context["save_url"] = reverse("diagnostic:save", args=[run.pk])
    context["urls"] = {"section": "diagnostic:section", "review": "diagnostic:review"}
    context["prefilled_note"] = _prefilled_note(run)
    return render(request, "diagnostic/section.html", context)


def _prefilled_note(run: Run) -> str:
    if run.source is None:
        return ""
    return _("Reprise de votre réponse au baromètre %(year)s : modifiez-la si besoin.") % {
        "year": run.source.questionnaire.year
    }


@require_POST
@login_required
def save(request, pk):
    """htmx: save one question as soon as it changes; returns its status line."""
    run = _editable(request, pk)
    form = LoadedQuestionnaire.load(run.questionnaire)
    return save_one(
        request,
        form,
        lambda changes: services.save_run_answers(run, changes, by=request.user, form=form),
    )


@login_required
def review(request, pk):
    """All answers on one page; POST checks them and computes the diagnostic."""
    run = get_run_for(request.user, pk)
    if run.is_scored:
        return redirect("diagnostic:result", pk)
    form = LoadedQuestionnaire.load(run.questionnaire)
    errors: dict[str, str] = {}
    if request.method == "POST":
        run = _editable(request, pk)
        try:
            services.score_run(run, by=request.user)
        except collection.SubmitError as error:
            errors = error.errors
        else:
            messages.success(request, _("Votre diagnostic est calculé."))
            return redirect("diagnostic:result", pk)
    errors = errors or collection.check_response(form, run.answers)
    sections = review_sections(form, run.answers, errors, marked=run.prefilled)
    context = {"run": run, "sections": sections, "errors": errors}
    return render(request, "diagnostic/review.html", context)


@login_required
def result(request, pk):
    run = get_run_for(request.user, pk)
    if not run.is_scored:
        return redirect("diagnostic:run", pk)
    context = queries.result_context(run)
    context["share_url"] = (
        request.build_absolute_uri(reverse("diagnostic:shared", args=[run.share_token]))
        if run.share_token
        else ""
    )
    return render(request, "diagnostic/result.html", context)


def _pdf_response(run: Run) -> HttpResponse:
    response = HttpResponse(reports.build_pdf(run), content_type="application/pdf")
    name = f"diagnostic-{run.authority.siren or run.authority.code}-{run.scored_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def result_pdf(request, pk):
    """The diagnostic as a PDF, generated on request (a second or two)."""
    run = get_run_for(request.user, pk)
    if not run.is_scored:
        raise Http404
    return _pdf_response(run)


@require_POST
@login_required
def share(request, pk):
    """Create (or renew) or withdraw the read-only link."""
    run = get_run_for(request.user, pk)
    if not request.user.is_referent_of(run.authority):
        raise PermissionDenied(
            _("Seuls les référents de la collectivité partagent son diagnostic.")
        )
    try:
        if "withdraw" in request.POST:
            services.unshare_run(run, by=request.user)
            messages.success(request, _("Le lien de partage est retiré."))
        else:
            services.share_run(run, by=request.user)
            messages.success(request, _("Lien de partage créé : toute personne qui l'a peut lire ce diagnostic."))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("diagnostic:result", pk)


def shared(request, token):
    """The read-only view behind a share link (no login, no answers to edit)."""
    run = get_shared_run(token)
    context = queries.result_context(run) | {"shared": True, "token": token}
    return render(request, "diagnostic/result.html", context)


def shared_pdf(request, token):
    return _pdf_response(get_shared_run(token))
