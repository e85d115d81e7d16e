"""Open data anyone can reuse and reproduce: the microdata described field by field (question
text, value labels), the published estimates recomputed from the downloaded files alone
(Python engine, R's svrepdesign, the stats command) and the data package validated over
HTTP with frictionless, as a data.gouv.fr user would."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from observatoire import stats
from observatoire.barometre.models import Edition
from observatoire.stats.variance import ReplicateWeights

CODE = "barometre-2024"
FILES = ["microdonnees.csv", "resultats.csv", "plan.yaml", "reproduire.R", "datapackage.json"]


@pytest.fixture(scope="module")
def exported(demo_module, django_db_blocker, tmp_path_factory) -> Path:
    """The open-data files of the 2024 demo edition, downloaded as a visitor would."""
    from django.test import Client

    folder = tmp_path_factory.mktemp("donnees")
    with django_db_blocker.unblock():
        client = Client()
        for name in FILES:
            response = client.get(f"/barometre/{CODE}/donnees/{name}")
            assert response.status_code == 200, name
            (folder / name).write_bytes(response.content)
    return folder


def published_rows(folder: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """Rows of resultats.csv by (microdata column, domain, level)."""
    out = {}
    with (folder / "resultats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            column = f"ind_{row['indicateur']}" + (
                f"__{row['modalite']}" if row["modalite"] else ""
            )
            out[(column, row["domaine"], row["niveau"])] = row
    return out


def replicate_results(folder: Path) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Every indicator column of the microdata, overall and by domain, with the replicate
    weights and the design file only (R's svymean(na.rm=TRUE) on svrepdesign)."""
    plan = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    data = pl.read_csv(folder / "microdonnees.csv", infer_schema_length=None)
    prefix = plan["repweights"]["columns"].rstrip("*")
    weights = data[plan["weights"]].to_numpy()
    replicates = data.select([c for c in data.columns if c.startswith(prefix)]).to_numpy()
    by = plan["estimates"][0]["by"]
    out = {}
    for request in plan["estimates"]:
        values = data[request["variable"]].to_numpy().astype(float)
        keep = ~np.isnan(values)
        rep = ReplicateWeights(
            replicates[keep] / weights[keep, None],
            float(plan["repweights"]["scale"]),
            np.full(replicates.shape[1], float(plan["repweights"]["rscales"])),
            "bootstrap",
        )
        est = stats.replicate_estimate(
            stats.Design(weights[keep]),
            {request["variable"]: values[keep]},
            by={d: data[d].to_numpy()[keep].astype(str) for d in by},
            weights=rep,
            recalibrate=False,
        )
        for i in range(len(est)):
            key = (request["variable"], est.domain[i], est.domain_level[i])
            out[key] = (float(est.estimate[i]), float(est.se[i]))
    return out


def test_microdata_fields_say_their_question_and_value_labels(exported):
    """Each microdata field has its question's text; coded answers carry their labels as
    Table Schema categories (1 is « Bonne »), like the .sav and .dta files; the replicate
    weights and the indicator columns are described."""
    package = yaml.safe_load((exported / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert resources["resultats"]["path"] == "resultats.csv"
    fields = {f["name"]: f for f in resources["microdonnees"]["schema"]["fields"]}
    culture = fields["culture_donnee"]
    assert culture["description"].startswith("Comment jugez-vous la culture de la donnée")
    assert {"value": 1, "label": "Bonne"} in culture["categories"]
    assert {"value": 98, "label": "Ne sait pas"} in culture["categories"]
    assert culture["constraints"]["enum"][:2] == [1, 2]
    assert fields["rw_200"]["type"] == "number" and "rw_201" not in fields
    assert "Poids répliqué n° 200" in fields["rw_200"]["description"]
    assert fields["ind_culture_bonne_correcte"]["description"].startswith(
        "Indicateur : Culture de la donnée « bonne » ou « correcte »"
    )
    header = (exported / "microdonnees.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(fields)


def test_published_estimates_come_back_from_the_exported_files_alone(exported, db):
    """With microdonnees.csv and plan.yaml only, every published estimate whose domain is
    in the file comes back exactly (to the CSV's 4 decimals), the key figures among them,
    and the replicate standard errors sit where the method page says."""
    published = published_rows(exported)
    reproduced = replicate_results(exported)
    compared = 0
    ratios = []
    for key, (estimate, se) in reproduced.items():
        row = published.get(key)
        if row is None or row["diffusion"] == "non_diffuse":
            continue
        assert abs(estimate - float(row["estimation"])) < 5.1e-5, key
        if not key[1] and float(row["erreur_type"]) > 0:
            ratios.append(se / float(row["erreur_type"]))
        compared += 1
    assert compared > 200
    # The key figures of the note, e.g. 53 % for authorities of 3,500 inhabitants and more.
    assert round(100 * reproduced[("ind_culture_bonne_correcte", "taille", "plus_3500")][0]) == 53
    assert round(100 * reproduced[("ind_projet_donnee_2ans", "", "")][0]) == 65
    report = Edition.objects.get(code=CODE).weighting_report["replicates"]
    # Unrounded published SEs in the report; the CSV's are rounded to 4 decimals.
    assert abs(float(np.median(ratios)) - report["ratio_median"]) < 0.02
    assert report["ratio_p10"] > 0.4 and report["ratio_p90"] < 1.6


@pytest.mark.skipif(
    shutil.which("Rscript") is None, reason="R absent (apt-get install r-cran-survey)"
)
def test_the_r_script_reproduces_the_estimates_with_svrepdesign(exported):
    """reproduire.R (R's survey, svrepdesign) gives the published estimates and the same
    replicate standard errors as the Python engine on the same files."""
    done = subprocess.run(
        ["Rscript", str(exported / "reproduire.R"), str(exported)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    python = replicate_results(exported)
    published = published_rows(exported)
    checked = 0
    with (exported / "estimations-r.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["variable"], row["domaine"], row["niveau"])
            estimate, se = python[key]
            assert abs(float(row["estimation"]) - estimate) < 1e-10, key
            assert abs(float(row["erreur_type"]) - se) < 1e-10, key
            if key in published and published[key]["estimation"]:
                assert abs(estimate - float(published[key]["estimation"])) < 5.1e-5
                checked += 1
    assert checked > 200


def test_the_stats_command_reproduces_the_estimates_from_the_design_file(exported):
    """observatoire stats estimate microdonnees.csv --design plan.yaml gives the same
    estimates and replicate standard errors."""
    out = exported / "estimations-cli.csv"
    done = subprocess.run(
        [sys.executable, "-m", "observatoire.stats.cli", "estimate", str(exported / "microdonnees.csv"),
         "--design", str(exported / "plan.yaml"), "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    python = replicate_results(exported)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        estimate, se = python[(row["variable"], row["domain"], row["domain_level"])]
        assert abs(float(row["estimate"]) - estimate) < 1e-10
        assert abs(float(row["se"]) - se) < 1e-10
    assert len(rows) > 300


def test_the_data_package_validates_over_http(exported, live_server):
    """frictionless reads datapackage.json from the site's URL, finds both files beside it
    and validates them against their schemas (last: the live server empties the database)."""
    from frictionless import Package

    package = Package(f"{live_server.url}/barometre/{CODE}/donnees/datapackage.json")
    assert [r.name for r in package.resources] == ["resultats", "microdonnees"]
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.tasks[1].stats["rows"] == 289
