"""Exports validated against the standards' own specification files, full and minimal entries."""

import csv
import io
import json

import jsonschema
import pytest
import yaml

from observatoire.registre.exports import (
    EXPORTERS,
    ExportError,
    annex_viii,
    atrs,
    crpa,
    eurocities,
    nl,
)
from observatoire.registre.exports.common import STANDARDS
from observatoire.registre.exports.open_data import entry_record
from observatoire.registre.factories import EntryFactory, full_entry


@pytest.fixture
def full(authority_a):
    return full_entry(authority_a)


@pytest.fixture
def minimal(authority_a):
    """Only the required fields, not even classified."""
    return EntryFactory(authority=authority_a)


@pytest.fixture(params=["full", "minimal"])
def entry(request):
    return request.getfixturevalue(request.param)


def test_nl_export_validates_against_the_dutch_configuration(entry):
    """The Dutch record passes the JSON Schema derived from nl-algoritmeregister-v1_0.json."""
    record = nl.to_nl(entry)
    jsonschema.validate(record, nl.nl_schema())
    config = json.loads((STANDARDS / "nl-algoritmeregister-v1_0.json").read_text())
    required = [k for k, v in config["properties"].items() if v.get("required") is True]
    assert all(record[k] for k in required)
    assert set(record) <= set(config["properties"])


def test_nl_schema_enforces_lengths_enums_and_required():
    """The derived schema is strict: a 101-character name, a foreign status or no name fail."""
    schema = nl.nl_schema()
    assert schema["properties"]["name"]["maxLength"] == 100
    base = {
        "name": "x",
        "description_short": "x",
        "organization": "x",
        "status": "In gebruik",
        "contact_email": "a@b.fr",
        "publication_category": "Overige algoritmes",
        "lang": "nld",
    }
    jsonschema.validate(base, schema)
    for bad in (
        {**base, "name": "x" * 101},
        {**base, "status": "en service"},
        {k: v for k, v in base.items() if k != "name"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_nl_full_entry_mapping(full):
    """Themes map to TOP themes, the high-risk level to the Dutch publication category."""
    record = nl.to_nl(full)
    assert record["category"] == ["Organisatie en bedrijfsvoering", "Sociale zekerheid"]
    assert record["publication_category"] == "Hoog-risico AI-systeem"
    assert record["status"] == "In ontwikkeling"
    assert record["begin_date"] == "2024-03"
    assert record["lawful_basis_grouping"][0]["link"].endswith("2024-12")


def test_eurocities_row_has_no_error_and_uses_enums(entry):
    """Every required attribute is filled and every enum value is one of the schema's."""
    row = eurocities.to_eurocities(entry)
    assert eurocities.eurocities_errors(row) == []
    schema = yaml.safe_load((STANDARDS / "eurocities-schema-v0_3_1.yaml").read_text())
    assert list(row) == [p["attribute"] for p in schema["properties"]]


def test_eurocities_csv_header_is_the_template(full, minimal):
    """The CSV is semicolon-separated with the template's header, one line per entry."""
    text = eurocities.to_eurocities_csv([full, minimal])
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    assert rows[0]["risk_category"] == "high risk"
    assert rows[1]["risk_category"] == "minimal risk"
    assert rows[0]["domain"] == "subsidies, benefits and allowances"


def test_eurocities_validator_reports_bad_values():
    """A wrong enum, a bad e-mail and a missing field are each reported by attribute."""
    errors = eurocities.eurocities_errors({"status": "running", "contact_email": "nope"})
    text = " ".join(errors)
    assert "status" in text and "contact_email" in text and "name : obligatoire" in text


def test_atrs_record_fills_every_required_field(entry):
    """Every TRUE field of the ATRS v3.0 template table is present with the right type."""
    record = atrs.to_atrs(entry)
    assert atrs.atrs_errors(record) == []
    assert len(atrs.atrs_fields()) > 60
    assert record["metadata"]["id"] == entry.pk


def test_atrs_validator_reports_missing_fields(full):
    """Removing a required field is caught with its reference number."""
    record = atrs.to_atrs(full)
    del record["tier_2"]["benefit"]
    record["tier_2"]["models"][0]["model_name"] = ""
    errors = " ".join(atrs.atrs_errors(record))
    assert "2.2.3 benefit" in errors and "2.4.2.1 model_name" in errors


def test_csv_and_json_open_data(entry):
    """CSV and JSON carry ids, URLs, the authority's SIREN and the open licence."""
    content = EXPORTERS["csv"].write([entry])
    row = next(csv.DictReader(io.StringIO(content)))
    assert EXPORTERS["csv"].media_type.startswith("text/csv")
    assert row["public_id"] == str(entry.public_id)
    assert row["authority_siren"] == "217804905"
    assert row["url"].endswith(f"/registre/fiche/{entry.pk}/")
    data = json.loads(EXPORTERS["json"].write([entry]))
    assert data["licence"].startswith("Licence Ouverte")
    assert data["entries"][0]["name"] == entry.name


def test_full_json_keeps_parts_and_reasoning(full):
    """The JSON record keeps datasets, models, third parties and the AI Act reasoning."""
    record = entry_record(full)
    assert len(record["datasets"]) == 2 and record["models"][0]["version"] == "1.2"
    assert record["third_parties"][0]["siren"] == "123456789"
    assert "annexe III, point 5, a" in " ".join(record["ai_act"]["reasoning"])
    assert record["footprint"]["assumptions"]


def test_annex_viii_c_for_high_risk(full):
    """The registration data names the deployer, the system, the FRIA and the DPIA summaries."""
    data = annex_viii.annex_viii_c(full)
    assert data["1_deployer"]["siren"] == "217804905"
    assert data["annex_iii_areas"] == [
        "annexe III, point 5, a (accès aux prestations et services publics essentiels)"
    ]
    assert all(data["4_fria_summary"].values())


def test_crpa_mention_and_explanation_are_filled_from_the_entry(full):
    """The L311-3-1 mention names the system and the contact; R311-3-1-2 has its four items."""
    mention = crpa.crpa_mention(full)
    assert "L311-3-1" in mention and full.contact_email in mention and full.name in mention
    items = crpa.crpa_explanation(full)
    assert [label[:2] for label, _v in items] == ["1°", "2°", "3°", "4°"]
    assert items[2][1] == "Revenus 60 %, composition du foyer 40 %."


def test_export_refuses_an_invalid_record(minimal):
    """A record that breaks the Dutch schema raises an error that names the field."""
    with pytest.raises(ExportError, match="name"):
        nl.validate_nl({**nl.to_nl(minimal), "name": "x" * 101})
