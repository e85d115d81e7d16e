"""Writes of the barometer: the life cycle of an edition, weighting, computation, publication."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from observatoire.accounts.access import require_analyst
from observatoire.barometre import estimation, indicator_specs, opendata, tasks
from observatoire.barometre.choices import EditionStatus, JobStatus
from observatoire.barometre.models import (
    WORKING,
    Edition,
    PublishedVersion,
    ResponseWeight,
    Result,
    SavedModel,
    WeightingRun,
)
from observatoire.barometre.weighting import PlanError
from observatoire.core import jobs
from observatoire.core.audit import acting_as, record_event

logger = logging.getLogger(__name__)

# Allowed moves of the life cycle; weighting and publishing have their own services.
TRANSITIONS = {
    EditionStatus.DRAFT: {EditionStatus.COLLECTING},
    EditionStatus.COLLECTING: {EditionStatus.CLOSED},
    EditionStatus.CLOSED: {EditionStatus.COLLECTING},
    EditionStatus.WEIGHTED: {EditionStatus.COLLECTING},
    EditionStatus.PUBLISHED: {EditionStatus.COLLECTING},
}
# A weighting run's stages, in order, with their label on the page (and the CLI's bar).
RUN_STAGES = {
    **estimation.STAGES,
    **estimation.REPLICATE_STAGE,
    "store": "Enregistrement des poids et des résultats",
}
RESULT_FIELDS = [
    "indicator", "category", "domain", "level", "estimate", "se", "ci_low", "ci_high", "n",
    "population", "flag", "change", "change_se", "change_p", "gap", "gap_se", "gap_p",
]  # fmt: skip


@transaction.atomic
def move_edition(edition: Edition, status: str, *, by) -> Edition:
    """Open or close the collection (draft → collecting → closed; reopen for a correction)."""
    if status not in TRANSITIONS.get(EditionStatus(edition.status), set()):
        raise ValidationError(
            f"Passage impossible de « {edition.get_status_display()} » à "
            f"« {EditionStatus(status).label} »."
        )
    with acting_as(by):
        edition.status = status
        edition.save()
    return edition


@transaction.atomic
def update_plan(edition: Edition, changes: dict[str, Any], *, by) -> Edition:
    """Change the weighting plan (before publication or for a correction); logged."""
    with acting_as(by):
        edition.plan = {**(edition.plan or {}), **changes}
        edition.save()
    return edition


def _require_closed(edition: Edition) -> None:
    if edition.status in (EditionStatus.DRAFT, EditionStatus.COLLECTING):
        raise ValidationError("Fermez la collecte avant de pondérer l'édition.")


def weight_edition(edition: Edition, *, by=None, progress: Callable[[str], None] | None = None):
    """Run the weighting plan; store one weight per response and the report. Re-runnable.

    The computation only reads, outside any transaction, so that a page can follow the
    run's progress; everything it writes is written in one transaction at the end."""
    _require_closed(edition)
    step = progress or (lambda _stage: None)
    try:
        result = estimation.compute(edition, _previous_cells(edition), step)
    except PlanError as exc:
        raise ValidationError(str(exc)) from exc
    step("store")
    with transaction.atomic():
        weights = result.weighted.design.weights
        ResponseWeight.objects.filter(edition=edition).delete()
        replicates = result.replicates if result.replicates is not None else [None] * len(weights)
        ResponseWeight.objects.bulk_create(
            (
                ResponseWeight(
                    edition=edition,
                    response_id=pk,
                    cell=str(cell),
                    weight=float(w),
                    replicates=None if rw is None else np.asarray(rw, dtype="<f8").tobytes(),
                )
                for pk, cell, w, rw in zip(
                    result.sample.response_ids,
                    result.weighted.cells.tolist(),
                    weights,
                    replicates,
                    strict=True,
                )
            ),
            batch_size=1000,
        )
        _store_results(edition, result.rows)
        with acting_as(by):
            edition.weighting_report = result.weighted.report
            edition.weighted_at = edition.computed_at = timezone.now()
            if edition.status != EditionStatus.PUBLISHED:
                edition.status = EditionStatus.WEIGHTED
            edition.save()
        transaction.on_commit(
            lambda: opendata.remember_sample(edition, result.sample, result.table)
        )
    return result


def start_weighting(edition: Edition, *, by=None, in_background: bool = True) -> WeightingRun:
    """Queue a weighting run for the management page (or join the one under way).

    Without `in_background` (the command line), the run happens here and now."""
    _require_closed(edition)

    def make() -> WeightingRun:
        with acting_as(by):
            return WeightingRun.objects.create(edition=edition, started_by=by)

    return jobs.start_or_join(
        edition, edition.runs.all(), make, tasks.weigh, here=not in_background
    )


def run_weighting(run_id: int) -> None:
    """Weight and compute an edition; the run records each stage, then success or the error."""
    run = WeightingRun.objects.select_related("edition", "started_by").get(pk=run_id)
    stages = list(RUN_STAGES)

    def progress(stage: str) -> None:
        WeightingRun.objects.filter(pk=run.pk).update(
            status=JobStatus.RUNNING,
            step=RUN_STAGES[stage],
            percent=100 * stages.index(stage) // len(stages),
        )

    try:
        with jobs.running(run):
            result = weight_edition(run.edition, by=run.started_by, progress=progress)
    except ValidationError as exc:
        run.status, run.error = JobStatus.FAILED, " ".join(exc.messages)
    except Exception as exc:  # the page shows it; the analyst can run it again
        logger.exception("Weighting run %s failed", run.pk)
        run.status, run.error = JobStatus.FAILED, f"Erreur inattendue : {exc}"[:2000]
    else:
        run.status, run.percent, run.report = JobStatus.DONE, 100, result.weighted.report
        run.step = f"{len(result.rows)} résultats calculés"
    run.finished_at = timezone.now()
    fields = ["status", "error", "percent", "report", "step", "finished_at", "heartbeat_at"]
    run.save(update_fields=fields)


@transaction.atomic
def compute_edition(edition: Edition, *, by=None, progress: Callable[[str], None] | None = None):
    """Recompute every indicator (after an edit of the indicator file) on the same plan."""
    if not edition.weighted_at:
        raise ValidationError("Pondérez l'édition avant de calculer ses indicateurs.")
    result = estimation.compute(edition, _previous_cells(edition), progress, replicates=False)
    _store_results(edition, result.rows)
    with acting_as(by):
        edition.computed_at = timezone.now()
        edition.save()
    return result


@transaction.atomic
def update_indicators(edition: Edition, text: str, *, by) -> Edition:
    """Replace the edition's indicator file (``""``: back to the shipped one) after checking
    it against the questionnaire.

    A file with an error changes nothing; the next computation uses the new file, and the
    published pages keep the file of their version until the next publication."""
    text = text.replace("\r\n", "\n")
    if text and text != indicator_specs.shipped_text(edition.population):
        name = "fichier des indicateurs"
        try:
            indicator_specs.check_questions(
                indicator_specs.parse(text, name), edition.questionnaire, name
            )
        except indicator_specs.IndicatorError as exc:
            raise ValidationError(str(exc)) from exc
    else:
        text = ""
    with acting_as(by):
        edition.indicators = text
        edition.save()
    return edition


def _previous_cells(edition: Edition) -> dict[tuple, tuple[float, float]]:
    previous = edition.previous_edition()
    if previous is None:
        return {}
    version = previous.published_version or WORKING
    return {
        (r.indicator, r.category, r.domain, r.level): (r.estimate, r.se)
        for r in Result.objects.filter(edition=previous, version=version)
    }


def _store_results(edition: Edition, rows: list[dict[str, Any]], version: int = WORKING) -> None:
    Result.objects.filter(edition=edition, version=version).delete()
    Result.objects.bulk_create(
        (Result(edition=edition, version=version, **row) for row in rows), batch_size=2000
    )


def fingerprint(rows: list[dict[str, Any]]) -> str:
    """SHA-256 of the results rounded to 1e-9: same inputs, same fingerprint."""
    canon = sorted(
        [
            [r[f] if not isinstance(r[f], float) else round(r[f], 9) for f in RESULT_FIELDS]
            for r in rows
        ],
        key=lambda row: [str(v) for v in row[:4]],
    )
    return hashlib.sha256(json.dumps(canon, default=str).encode()).hexdigest()


@transaction.atomic
def update_texts(edition: Edition, summary: str, commentary: dict[str, str], *, by) -> Edition:
    """Save the note's highlights and per-theme commentaries (Markdown with figure
    references); an unknown reference changes nothing.  Published pages keep their
    version's texts until the next publication."""
    from observatoire.barometre import editorial

    summary = summary.replace("\r\n", "\n").strip()
    commentary = {k: v.replace("\r\n", "\n").strip() for k, v in commentary.items() if v.strip()}
    editorial.check_texts(summary, commentary, indicator_specs.for_edition(edition))
    with acting_as(by):
        edition.summary, edition.commentary = summary, commentary
        edition.save()
    return edition


@transaction.atomic
def publish_edition(
    edition: Edition, *, by=None, note: str = "", embargo_until=None
) -> PublishedVersion:
    """Publish the working results as a new version; earlier versions stay available.

    With ``embargo_until`` (first publication, or while still under embargo) the version
    is public only from that time; analysts preview it before."""
    if embargo_until is not None:
        if embargo_until <= timezone.now():
            raise ValidationError("La date de levée de l'embargo doit être dans le futur.")
        if edition.is_public:
            raise ValidationError(
                "Cette édition est déjà publique : elle ne peut plus être mise sous embargo."
            )
    if edition.status != EditionStatus.WEIGHTED and not (
        edition.status == EditionStatus.PUBLISHED and edition.computed_at
    ):
        raise ValidationError("Seule une édition pondérée peut être publiée.")
    rows = list(Result.objects.filter(edition=edition, version=WORKING).values(*RESULT_FIELDS))
    if not rows:
        raise ValidationError("Aucun résultat calculé : lancez le calcul des indicateurs.")
    from observatoire.barometre import editorial

    editorial.check_texts(
        edition.summary, edition.commentary or {}, indicator_specs.for_edition(edition)
    )
    number = edition.published_version + 1
    if number > 1 and not note:
        raise ValidationError("Une correction doit être expliquée par une note de version.")
    _store_results(edition, rows, version=number)
    with acting_as(by):
        version = PublishedVersion.objects.create(
            edition=edition,
            number=number,
            note=note,
            published_by=by,
            fingerprint=fingerprint(rows),
            indicators=indicator_specs.text_of(edition),
            texts={"summary": edition.summary, "commentary": edition.commentary or {}},
        )
        edition.published_version = number
        if embargo_until is not None:
            edition.embargo_until = embargo_until
        edition.status = EditionStatus.PUBLISHED
        edition.save()
    record_event("barometre.edition", str(edition.pk), f"Publication v{number}")
    return version


@transaction.atomic
def save_model(edition: Edition, result, title: str, *, by) -> SavedModel:
    """Keep a model run from the explorer (analysts), with every number it showed."""
    require_analyst(by)
    title = title.strip()
    if not title:
        raise ValidationError("Donnez un titre au modèle pour pouvoir le citer.")
    data = result.as_dict()
    with acting_as(by):
        return SavedModel.objects.create(
            edition=edition,
            title=title[:200],
            outcome=data["outcome"],
            explanatory=data["explanatory"],
            result=data,
            is_public=data["public"],
            created_by=by,
        )
