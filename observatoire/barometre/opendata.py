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

from observatoire.barometre import results as res
from observatoire.barometre.choices import Flag
from observatoire.barometre.indicators import AnswerTable, Indicator
from observatoire.barometre.models import Edition
from observatoire.barometre.weighting import Sample, load_sample
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
    iset = res.indicators_of(edition, version)
    titles = {i.code: i for i in iset.indicators}
    rows = []
    for r in res.published(edition, version).order_by("indicator", "domain", "level", "category"):
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
    """Data Package descriptor (data.gouv.fr, frictionless) for the results files."""
    return {
        "name": edition.code,
        "title": edition.title,
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}],
        "resources": [
            {
                "name": "resultats",
                "path": f"{edition.code}-resultats.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": table_schema(),
            }
        ],
    }


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
                labels[name] = f"{q.label[:60]} : {c.label}"[:120]
                value_labels[name] = {0: "non", 1: "oui"}
        else:
            columns.append((q.code, q, None))
            labels[q.code] = q.label[:120]
            if q.choice_list:
                value_labels[q.code] = {
                    i + 1: c.label for i, c in enumerate(choices.get(q.choice_list, []))
                }
                value_labels[q.code].update({98: "Ne sait pas", 99: "Refus"})
    sample, table = _LAST_SAMPLE.get((edition.pk, edition.weighted_at), (None, None))
    if sample is None or table is None:
        sample = load_sample(edition)
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
    frame = pl.DataFrame(data, strict=False).fill_nan(None)
    frame = frame.with_columns([pl.col(c).cast(pl.Int64) for c in value_labels])
    return frame, labels, value_labels


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


EXPORTS = {
    "resultats.csv": "text/csv; charset=utf-8",
    "resultats.parquet": "application/vnd.apache.parquet",
    "resultats.schema.json": "application/json",
    "datapackage.json": "application/json",
    "microdonnees.csv": "text/csv; charset=utf-8",
    "microdonnees.parquet": "application/vnd.apache.parquet",
    "microdonnees.sav": "application/x-spss-sav",
    "microdonnees.dta": "application/x-stata-dta",
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
    return microdata_file(edition, name.rsplit(".", 1)[1]), content_type
