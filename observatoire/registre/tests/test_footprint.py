"""The environmental footprint estimator: formula, defaults and shown assumptions."""

import pytest

from observatoire.registre.footprint import CARBON_INTENSITY, ENERGY_PER_REQUEST_WH, PUE, estimate


def test_formula_with_french_electricity_by_default():
    """kWh = requests × Wh per request × PUE / 1000; kg = kWh × g/kWh / 1000 (France by default)."""
    result = estimate("large_llm", "hyperscaler", 1_000_000)
    kwh = 1_000_000 * ENERGY_PER_REQUEST_WH["large_llm"][0] * PUE["hyperscaler"][0] / 1000
    assert result.kwh == pytest.approx(kwh)
    assert result.kwh == pytest.approx(345.0)
    assert result.kg_co2e == pytest.approx(kwh * CARBON_INTENSITY["FR"][0] / 1000)


def test_country_and_override_change_emissions_not_energy():
    """Hosting in Germany emits more for the same energy; a typed intensity wins over the country."""
    fr, de = estimate("small_llm", "saas", 10_000), estimate("small_llm", "saas", 10_000, "DE")
    assert fr.kwh == de.kwh
    assert de.kg_co2e > 6 * fr.kg_co2e
    custom = estimate("small_llm", "saas", 10_000, "DE", intensity=10)
    assert custom.kg_co2e == pytest.approx(custom.kwh * 10 / 1000)


def test_unknown_country_falls_back_to_the_eu_average():
    """A country without a value uses the EU average, and says so."""
    result = estimate("rules", "on_premise", 1000, "ZZ")
    assert "moyenne européenne" in result.assumptions[3][2]


def test_assumptions_are_shown_with_sources():
    """Every assumption has a value and a source; the scope says what is not counted."""
    result = estimate("small_dl", "french_cloud", 5_000_000)
    assert len(result.assumptions) == 5
    assert all(value and source for _label, value, source in result.assumptions)
    assert "Luccioni" in result.assumptions[1][2]
    assert "entraînement" in result.assumptions[4][2]
    assert result.assumptions[0][1] == "5\u202f000\u202f000"


def test_bigger_models_cost_more():
    """Energy grows with the model size class, for the same use."""
    sizes = ["rules", "classic_ml", "small_dl", "small_llm", "large_llm"]
    energies = [estimate(s, "saas", 1000).kwh for s in sizes]
    assert energies == sorted(energies)
