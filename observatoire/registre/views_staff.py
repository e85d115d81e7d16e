"""The back office of the register: référents keep theirs (edit, AI Act wizard, review workflow,
import), analysts review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_act_for, require_acts_for_an_authority
from observatoire.registre import aiact, services
from observatoire.registre.access import get_editable_entry, get_reviewable_entry, visible_entries
from observatoire.registre.choices import Status
from observatoire.registre.forms import (
    FORMSETS,
    AIActForm,
    ComplianceForm,
    EntryForm,
    ImportForm,
    VendorProductForm,
    children_data,
    children_formsets,
)
from observatoire.registre.models import Entry
from observatoire.registre.queries import authority_by_siren
from observatoire.territoires.models import Authority


def _acting_authority(request) -> Authority:
    """A référent's own authority; an analyst names one with ?authority=SIREN."""
    user = request.user
    siren = request.GET.get("authority") or request.POST.get("authority")
    authority = authority_by_siren(siren) if user.is_analyst and siren else user.authority
    if authority is None:
        raise PermissionDenied(
            _("Choisissez d'abord la collectivité : ouvrez son registre, puis « Nouvelle fiche ».")
        )
    require_act_for(user, authority)
    return authority


@login_required
def dashboard(request):
    """The référent's entries by status, and the entries waiting for their review."""
    require_acts_for_an_authority(request.user)
    entries = visible_entries(request.user)
    if not request.user.is_analyst:
        entries = entries.filter(authority_id=request.user.authority_id)
    to_review = entries.filter(status=Status.IN_REVIEW).exclude(submitted_by=request.user)
    return render(request, "registre/dashboard.html", {"entries": entries, "to_review": to_review})


def _edit(request, entry: Entry | None, authority: Authority):
    form = EntryForm(request.POST or None, instance=entry)
    initial = services.children_of(entry) if entry else None
    formsets = children_formsets(request.POST or None, initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and all(f.is_valid() for f in formsets.values())
    ):
        data = dict(form.cleaned_data)
        try:
            if entry is None:
                entry = services.create_entry(
                    authority, data, by=request.user, children=children_data(formsets)
                )
                messages.success(
                    request, _("Fiche créée. Étape suivante : la classification AI Act.")
                )
                return redirect("registre:aiact", entry.pk)
            services.update_entry(entry, data, by=request.user, children=children_data(formsets))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Fiche enregistrée."))
            return redirect(entry)
    sets = [(FORMSETS[prefix][0], formset) for prefix, formset in formsets.items()]
    return render(
        request,
        "registre/edit.html",
        {"form": form, "formsets": sets, "entry": entry, "authority": authority},
    )


@login_required
def create(request):
    return _edit(request, None, _acting_authority(request))


@login_required
def edit(request, pk):
    entry = get_editable_entry(request.user, pk)
    if entry.status in (Status.PUBLISHED, Status.ARCHIVED):
        messages.info(request, _("Une fiche publiée se modifie par une révision."))
        return redirect(entry)
    return _edit(request, entry, entry.authority)


@login_required
def ai_act(request, pk):
    """The guided AI Act classification: answers → level and reasoning, stored on the entry."""
    entry = get_editable_entry(request.user, pk)
    form = AIActForm(request.POST or None, initial=entry.ai_act_answers)
    if request.method == "POST" and form.is_valid():
        result = services.classify_entry(entry, form.cleaned_data, by=request.user)
        messages.success(
            request,
            _("Classification enregistrée : %(level)s.")
            % {"level": entry.get_ai_act_level_display()},
        )
        return redirect(
            "registre:compliance" if result.level == "high" else "registre:detail", entry.pk
        )
    return render(request, "registre/ai_act.html", {"form": form, "entry": entry})


@login_required
def compliance(request, pk):
    """Article 26 checklist and article 27 outline, for high-risk systems."""
    entry = get_editable_entry(request.user, pk)
    initial = {f"check_{k}": v for k, v in entry.deployer_checklist.items()}
    initial |= {f"fria_{k}": v for k, v in entry.fria.items()}
    form = ComplianceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_compliance(entry, *form.split(), by=request.user)
        messages.success(request, _("Obligations enregistrées."))
        return redirect(entry)
    return render(request, "registre/compliance.html", {"form": form, "entry": entry})


def _workflow(request, entry: Entry, action, done: str):
    try:
        entry = action(entry, by=request.user) or entry
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    if not Entry.objects.filter(pk=entry.pk).exists():
        return redirect("registre:dashboard")
    return redirect(entry)


@require_POST
@login_required
def submit(request, pk):
    entry = get_editable_entry(request.user, pk)
    return _workflow(request, entry, services.submit_entry, _("Fiche soumise à relecture."))


@require_POST
@login_required
def approve(request, pk):
    entry = get_reviewable_entry(request.user, pk)
    return _workflow(request, entry, services.approve_entry, _("Fiche approuvée et publiée."))


@require_POST
@login_required
def send_back(request, pk):
    entry = get_editable_entry(request.user, pk)
    return _workflow(request, entry, services.return_to_draft, _("Fiche renvoyée en brouillon."))


@require_POST
@login_required
def archive(request, pk):
    entry = get_editable_entry(request.user, pk)
    return _workflow(request, entry, services.archive_entry, _("Fiche archivée."))


@require_POST
@login_required
def revise(request, pk):
    entry = get_editable_entry(request.user, pk)
    revision = services.start_revision(entry, by=request.user)
    return redirect("registre:edit", revision.pk)


@require_POST
@login_required
def adopt(request, pk):
    """A member commune's référent takes its EPCI's published entry as its own draft."""
    parent = visible_entries(request.user).filter(pk=pk, status=Status.PUBLISHED).first()
    if parent is None:
        raise PermissionDenied(_("Fiche introuvable."))
    try:
        entry = services.adopt_entry(parent, _acting_authority(request), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(parent)
    messages.success(request, _("Fiche reprise : adaptez les champs locaux puis soumettez-la."))
    return redirect("registre:edit", entry.pk)


@login_required
def import_csv(request):
    """Bulk import from the Eurocities CSV template: all lines or none."""
    authority = _acting_authority(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            result = services.import_eurocities(raw.decode("utf-8"), authority, by=request.user)
        except UnicodeDecodeError:
            errors = [_("ligne 1 : le fichier n'est pas encodé en UTF-8")]
        except services.ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s fiche importée en brouillon.",
                    "%(n)s fiches importées en brouillon.",
                    len(result.created),
                )
                % {"n": len(result.created)},
            )
            return redirect("registre:dashboard")
    context = {"form": form, "errors": errors, "authority": authority, "questions": aiact.QUESTIONS}
    return render(request, "registre/import.html", context)


@login_required
def create_product(request):
    """A vendor-product sheet, described once and linked from several authorities' entries."""
    if not (request.user.is_analyst or request.user.is_referent):
        raise PermissionDenied(_("Réservé aux référents et aux analystes."))
    form = VendorProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = services.create_vendor_product(form.cleaned_data, by=request.user)
        messages.success(request, _("Fiche produit créée."))
        return redirect(product)
    return render(request, "registre/product_form.html", {"form": form})
