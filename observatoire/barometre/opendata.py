"""Open data: results as CSV and Parquet with a Table Schema, anonymised microdata.

The results file has one row per indicator × category × domain level of the published
version; a suppressed cell keeps its row, with empty numbers and ``diffusion`` saying why
(never a bare number).  Microdata drop every identifier of the authority (or the citizen),
keep only the weighting cell (thin strata already merged), the type and the size band (no
région, no population), and code answers as in the questionnaire; SPSS and Stata files carry variable
and value labels (pyreadstat).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from typing import Any

import numpy as np
import polars as pl

from observatoire.barometre import queries
from observatoire.barometre.choices import Flag
from observatoire.barometre.indicator_specs import AnswerTable, Indicator
from observatoire.barometre.models import Edition
from observatoire.barometre.weighting import REPLICATES, Sample, load_sample
from observatoire.core import csvsafe
from observatoire.questionnaires.choices import DONT_KNOW, REFUSED
from observatoire.questionnaires.models import Choice, Question

RESULT_COLUMNS: list[tuple[str, str, str]] = [
    ("edition", "string", "Code de l'édition"),
    ("annee", "integer", "Année de l'édition"),
    ("version", "integer", "Version publiée (une correction crée une nouvelle version)"),
    ("theme", "string", "Thème"),
    ("indicateur", "string", "Code de l'indicateur"),
    ("libelle", "string", "Libellé de l'indicateur"),
    ("modalite", "string", "Modalité (vide pour un indicateur à une seule valeur)"),
    ("domaine", "string", "Variable de domaine (vide : ensemble)"),
    ("niveau", "string", "Valeur du domaine"),
    ("estimation", "number", "Proportion estimée (entre 0 et 1), pondérée"),
    ("erreur_type", "number", "Erreur type (linéarisation de Taylor, calage pris en compte)"),
    ("ic_bas", "number", "Borne basse de l'intervalle de confiance à 95 %"),
    ("ic_haut", "number", "Borne haute de l'intervalle de confiance à 95 %"),
    ("effectif", "integer", "Nombre de répondants (non pondéré)"),
    ("diffusion", "string", "ok, prudence ou non_diffuse (règle de diffusion)"),
    ("evolution", "number", "Évolution depuis l'édition précédente (en proportion)"),
    ("evolution_p", "number", "p-valeur de l'évolution (échantillons indépendants)"),
    ("ecart_ensemble", "number", "Écart à l'ensemble : estimation du domaine moins celle de l'ensemble (vide pour l'ensemble et les cellules non diffusées)"),
    ("ecart_ensemble_p", "number", "p-valeur de l'écart à l'ensemble (même plan de sondage : le domaine fait partie de l'ensemble, leur covariance est prise en compte)"),
]  # fmt: skip
FLAG_CODES = {Flag.OK: "ok", Flag.CAUTION: "prudence", Flag.SUPPRESS: "non_diffuse"}
SPECIAL_CODES = {DONT_KNOW: 98, REFUSED: 99}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


def result_rows(edition: Edition, version: int | None = None) -> list[dict[str, Any]]:
    version = version or edition.published_version
    iset = queries.indicators_of(edition, version)
    titles = {i.code: i for i in iset.indicators}
    rows = []
    for r in queries.published(edition, version).order_by(
        "indicator", "domain", "level", "category"
    ):
        indicator: Indicator | None = titles.get(r.indicator)
        shown = r.flag != Flag.SUPPRESS
        rows.append(
            {
                "edition": edition.code,
                "annee": edition.year,
                "version": version,
                "theme": indicator.theme if indicator else "",
                "indicateur": r.indicator,
                "libelle": indicator.title if indicator else "",
                "modalite": r.category,
                "domaine": r.domain,
                "niveau": r.level,
                "estimation": round(r.estimate, 4) if shown else None,
                "erreur_type": round(r.se, 4) if shown else None,
                "ic_bas": round(r.ci_low, 4) if shown else None,
                "ic_haut": round(r.ci_high, 4) if shown else None,
                "effectif": r.n,
                "diffusion": FLAG_CODES[Flag(r.flag)],
                "evolution": round(r.change, 4) if shown and r.change is not None else None,
                "evolution_p": round(r.change_p, 4) if shown and r.change_p is not None else None,
                "ecart_ensemble": round(r.gap, 4) if shown and r.gap is not None else None,
                "ecart_ensemble_p": round(r.gap_p, 4) if shown and r.gap_p is not None else None,
            }
        )
    return rows


def table_schema() -> dict[str, Any]:
    """Table Schema (frictionless) of the results file."""
    fields = []
    for name, kind, description in RESULT_COLUMNS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if name in ("estimation", "ic_bas", "ic_haut", "evolution_p", "ecart_ensemble_p"):
            field["constraints"] = {"minimum": 0, "maximum": 1}
        if name == "diffusion":
            field["constraints"] = {"required": True, "enum": list(FLAG_CODES.values())}
        if name in ("edition", "indicateur", "effectif"):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {
        "fields": fields,
        "primaryKey": ["edition", "version", "indicateur", "modalite", "domaine", "niveau"],
        "missingValues": [""],
    }


def results_csv(edition: Edition, version: int | None = None) -> str:
    buffer = io.StringIO()
    writer = csvsafe.DictWriter(
        buffer, fieldnames=[c[0] for c in RESULT_COLUMNS], lineterminator="\n"
    )
    writer.writeheader()
    for row in result_rows(edition, version):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    kinds = {"string": pl.Utf8, "integer": pl.Int64, "number": pl.Float64}
    schema = {name: kinds[kind] for name, kind, _ in RESULT_COLUMNS}
    return pl.DataFrame(rows, schema=schema, orient="row")


def results_parquet(edition: Edition, version: int | None = None) -> bytes:
    buffer = io.BytesIO()
    _frame(result_rows(edition, version)).write_parquet(buffer)
    return buffer.getvalue()


def datapackage(edition: Edition) -> dict[str, Any]:
    """Data Package descriptor (data.gouv.fr, frictionless): the results and the microdata.

    Paths are relative to the descriptor's own URL (``…/donnees/datapackage.json``), so a
    reader that downloads it from the site finds every file beside it."""
    return {
        "name": edition.code,
        "title": edition.title,
        "description": (
            "Résultats pondérés et microdonnées anonymisées avec leurs poids et "
            f"{REPLICATES} poids répliqués (bootstrap recalé) ; plan.yaml et reproduire.R "
            "reproduisent les estimations publiées."
            + (" Données de démonstration (réponses synthétiques)." if edition.is_demo else "")
        ),
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}],
        "resources": [
            {
                "name": "resultats",
                "path": "resultats.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(),
            },
            {
                "name": "microdonnees",
                "path": "microdonnees.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": microdata_schema(edition),
            },
        ],
    }


def microdata_schema(edition: Edition) -> dict[str, Any]:
    """Table Schema of the microdata: each field's question text, and for coded answers
    their labels as Table Schema ``categories`` (and the codes as an ``enum`` constraint)."""
    frame, labels, value_labels = _microdata_once(edition)
    kinds = {pl.Int64: "integer", pl.Float64: "number"}
    fields = []
    for name, dtype in frame.schema.items():
        field: dict[str, Any] = {
            "name": name,
            "type": kinds.get(dtype, "string"),  # type: ignore[call-overload]
            "description": labels.get(name, name),
        }
        if name in value_labels:
            codes = value_labels[name]
            field["categories"] = [{"value": code, "label": text} for code, text in codes.items()]
            field["constraints"] = {"enum": list(codes)}
        if name in ("id", "poids"):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


# --- microdata ------------------------------------------------------------------------


def microdata(edition: Edition) -> tuple[pl.DataFrame, dict[str, str], dict[str, dict[int, str]]]:
    """Anonymised microdata with weights: (frame of codes, variable labels, value labels)."""
    questions = list(Question.objects.filter(questionnaire=edition.questionnaire).order_by("order"))
    choices: dict[str, list[Choice]] = {}
    for choice in Choice.objects.filter(questionnaire=edition.questionnaire).order_by("order"):
        choices.setdefault(choice.list_name, []).append(choice)
    data: dict[str, Any] = {}
    labels = {"id": "Identifiant séquentiel (sans lien avec la collectivité)", "cellule": "Strate de pondération (strates fines regroupées)", "poids": "Poids de calage"}  # fmt: skip
    authorities = edition.population == "authorities"
    if authorities:
        labels.update({"type": "Type de collectivité", "taille": "Taille (moins de 3 500 habitants ou plus)"})  # fmt: skip
    value_labels: dict[str, dict[int, str]] = {}
    columns: list[tuple[str, Question, str | None]] = []
    for q in questions:
        if q.type in ("note", "text", "date"):
            continue
        if q.type == "select_multiple":
            for c in choices.get(q.choice_list, []):
                name = f"{q.code}__{c.value}"
                columns.append((name, q, c.value))
                labels[name] = f"{q.label} : {c.label} (1 : choisi, 0 : non choisi)"
                value_labels[name] = {0: "non", 1: "oui"}
        else:
            columns.append((q.code, q, None))
            labels[q.code] = q.label
            if q.choice_list:
                value_labels[q.code] = {
                    i + 1: c.label for i, c in enumerate(choices.get(q.choice_list, []))
                }
                value_labels[q.code].update({98: "Ne sait pas", 99: "Refus"})
    sample, table = _LAST_SAMPLE.get((edition.pk, edition.weighted_at), (None, None))
    if sample is None or table is None:
        sample = load_sample(edition, weighted=True)
        table = AnswerTable(sample.answers)
    weights = dict(edition.weights.values_list("response_id", "weight"))
    cells = dict(edition.weights.values_list("response_id", "cell"))
    data["id"] = list(range(1, sample.n + 1))
    data["cellule"] = [cells.get(pk, "") for pk in sample.response_ids]
    data["poids"] = [weights.get(pk) for pk in sample.response_ids]
    if authorities:
        data["type"] = sample.columns["type"].tolist()
        data["taille"] = sample.columns["taille"].tolist()
    for name, q, wanted in columns:
        answered = table.present(q.code)
        if wanted is not None:
            values = table.chosen(q.code, (wanted,)).astype(np.float64)
        elif q.choice_list:
            values = np.full(sample.n, np.nan)
            codes = {c.value: j + 1 for j, c in enumerate(choices.get(q.choice_list, []))}
            codes.update(SPECIAL_CODES)
            for value, code in codes.items():
                values[table.chosen(q.code, (value,))] = code
        else:
            values = table.numbers(q.code)
        values[~answered] = np.nan
        data[name] = values
    _indicator_columns(edition, table, data, labels, value_labels)
    replicates = dict(edition.weights.values_list("response_id", "replicates"))
    if all(replicates.get(pk) for pk in sample.response_ids):
        matrix = np.vstack(
            [np.frombuffer(bytes(replicates[pk] or b""), dtype="<f8") for pk in sample.response_ids]
        )
        for r in range(matrix.shape[1]):
            data[f"rw_{r + 1}"] = matrix[:, r]
            labels[f"rw_{r + 1}"] = f"Poids répliqué n° {r + 1} (bootstrap recalé comme « poids »)"
    frame = pl.DataFrame(data, strict=False).fill_nan(None)
    frame = frame.with_columns([pl.col(c).cast(pl.Int64) for c in value_labels])
    return frame, labels, value_labels


def _indicator_columns(edition, table, data, labels, value_labels) -> None:
    """Each published indicator's 0/1 column (empty outside its base), so that the design
    file and the R script reproduce the estimates without re-coding the answers."""
    for indicator in queries.indicators_of(edition).indicators:
        if indicator.kind == "mean":
            continue
        for category, column in indicator.columns(table).items():
            name = f"ind_{indicator.code}" + (f"__{category}" if category else "")
            data[name] = column
            answer = f" — « {indicator.category_label(category)} »" if category else ""
            base = f" ({indicator.among_label})" if indicator.among_label else ""
            labels[name] = f"Indicateur : {indicator.title}{answer}{base} ; vide hors base"
            value_labels[name] = {0: "non", 1: "oui"}


_LAST_MICRODATA: dict[tuple, tuple] = {}
# The sample of the last weighting run in this process, reused by the microdata export.
_LAST_SAMPLE: dict[tuple, tuple[Sample, AnswerTable]] = {}


def remember_sample(edition: Edition, sample: Sample, table: AnswerTable) -> None:
    """Keep the sample just weighted (same answers as the stored weights) for the export."""
    _LAST_SAMPLE.clear()
    _LAST_SAMPLE[(edition.pk, edition.weighted_at)] = (sample, table)


def _microdata_once(edition: Edition) -> tuple:
    """The microdata of an edition's current weights, built once for the four formats."""
    key = (edition.pk, edition.published_version, edition.weighted_at)
    if key not in _LAST_MICRODATA:
        _LAST_MICRODATA.clear()
        _LAST_MICRODATA[key] = microdata(edition)
    return _LAST_MICRODATA[key]


def microdata_file(edition: Edition, fmt: str) -> bytes:
    frame, labels, value_labels = _microdata_once(edition)
    if fmt == "csv":
        return csvsafe.neutralize_frame(frame).write_csv().encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    import pyreadstat

    if fmt == "dta":  # Stata names: at most 32 characters, unique
        names: dict[str, str] = {}
        for column in frame.columns:
            short = column[:24]
            k = 1
            while short in names.values():
                k += 1
                short = f"{column[: 24 - len(str(k)) - 1]}_{k}"
            names[column] = short
        frame = frame.rename(names)
        labels = {names[k]: v for k, v in labels.items() if k in names}
        value_labels = {names[k]: v for k, v in value_labels.items() if k in names}
    pdf = frame
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"micro.{fmt}")
        writer = pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta
        kwargs: dict[str, Any] = {"column_labels": [_cut(labels.get(c, c)) for c in pdf.columns]}
        kwargs["variable_value_labels"] = {
            k: {code: _cut(text) for code, text in v.items()} for k, v in value_labels.items()
        }
        if fmt == "dta":
            kwargs["version"] = 15
        writer(pdf, path, **kwargs)
        with open(path, "rb") as handle:
            return handle.read()


def _cut(text: str, size: int = 80) -> str:
    """At most ``size`` UTF-8 bytes (Stata's limit for labels), cut on a character."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _domains(edition: Edition) -> list[str]:
    """The result domains that the microdata carry (the strata are merged into « cellule »)."""
    iset = queries.indicators_of(edition)
    frame = _microdata_once(edition)[0]
    return [d for d in iset.domains if d in frame.columns]


def _indicator_names(edition: Edition) -> list[str]:
    return [c for c in _microdata_once(edition)[0].columns if c.startswith("ind_")]


def design_file(edition: Edition) -> str:
    """The design of the microdata for ``observatoire stats estimate`` (R's svrepdesign
    arguments): final weights, the replicate weights, one estimate per indicator column."""
    scale = (edition.weighting_report.get("replicates") or {}).get("scale", 1 / (REPLICATES - 1))
    lines = [
        f"# {edition.title} : plan de sondage des microdonnées publiées.",
        "# observatoire stats estimate microdonnees.csv --design plan.yaml --out estimations.csv",
        "# Les estimations sont celles de resultats.csv ; les erreurs types viennent des poids",
        "# répliqués (bootstrap recalé), proches de celles publiées (linéarisation de Taylor).",
        "weights: poids",
        "repweights:",
        '  columns: "rw_*"',
        "  type: bootstrap",
        f"  scale: {scale!r}",
        "  rscales: 1",
        "  mse: false",
        "estimates:",
    ]
    by = json.dumps(_domains(edition))
    for name in _indicator_names(edition):
        lines.append(f"  - {{variable: {name}, kind: mean, na_rm: true, by: {by}}}")
    return "\n".join(lines) + "\n"


def r_script(edition: Edition) -> str:
    """An R script (survey's svrepdesign) that recomputes every indicator overall and by
    domain from microdonnees.csv alone, and writes estimations-r.csv beside it."""
    scale = (edition.weighting_report.get("replicates") or {}).get("scale", 1 / (REPLICATES - 1))
    domains = ", ".join(f'"{d}"' for d in _domains(edition))
    return f"""# {edition.title} : reproduire les estimations publiées à partir des microdonnées.
# Rscript reproduire.R [dossier des fichiers]      (R et survey : apt-get install r-cran-survey)
# Estimations : celles de resultats.csv. Erreurs types : poids répliqués (bootstrap recalé).
library(survey)
args <- commandArgs(trailingOnly = TRUE)
dossier <- if (length(args) > 0) args[1] else "."
d <- read.csv(file.path(dossier, "microdonnees.csv"), check.names = FALSE)
plan <- svrepdesign(data = d, weights = ~poids, repweights = "^rw_[0-9]+$",
                    type = "bootstrap", scale = {scale!r}, rscales = 1,
                    combined.weights = TRUE, mse = FALSE)
domaines <- c({domains})
lignes <- list()
for (v in grep("^ind_", names(d), value = TRUE)) {{
  f <- as.formula(paste0("~`", v, "`"))
  base <- plan[!is.na(d[[v]]), ]
  m <- svymean(f, base)
  lignes[[length(lignes) + 1]] <- data.frame(variable = v, domaine = "", niveau = "",
                                             estimation = coef(m)[[1]], erreur_type = SE(m)[[1]])
  for (dom in domaines) {{
    b <- svyby(f, as.formula(paste0("~", dom)), base, svymean)
    lignes[[length(lignes) + 1]] <- data.frame(variable = v, domaine = dom,
                                               niveau = as.character(b[[dom]]),
                                               estimation = unname(coef(b)),
                                               erreur_type = unname(SE(b)))
  }}
}}
write.csv(do.call(rbind, lignes), file.path(dossier, "estimations-r.csv"), row.names = FALSE)
"""


EXPORTS = {
    "resultats.csv": "text/csv; charset=utf-8",
    "resultats.parquet": "application/vnd.apache.parquet",
    "resultats.schema.json": "application/json",
    "datapackage.json": "application/json",
    "microdonnees.csv": "text/csv; charset=utf-8",
    "microdonnees.parquet": "application/vnd.apache.parquet",
    "microdonnees.sav": "application/x-spss-sav",
    "microdonnees.dta": "application/x-stata-dta",
    "plan.yaml": "application/yaml; charset=utf-8",
    "reproduire.R": "text/plain; charset=utf-8",
}


def export_file(edition: Edition, name: str) -> tuple[bytes | str, str]:
    """Content and content type of one open-data file (``KeyError`` if unknown)."""
    content_type = EXPORTS[name]
    if name == "resultats.csv":
        return results_csv(edition), content_type
    if name == "resultats.parquet":
        return results_parquet(edition), content_type
    if name == "resultats.schema.json":
        return dumps(table_schema()), content_type
    if name == "datapackage.json":
        return dumps(datapackage(edition)), content_type
    if name == "plan.yaml":
        return design_file(edition), content_type
    if name == "reproduire.R":
        return r_script(edition), content_type
    return microdata_file(edition, name.rsplit(".", 1)[1]), content_type
