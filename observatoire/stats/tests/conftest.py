"""Shared fixtures: the `api` data sets and R's reference values (see results/make_reference.R)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from observatoire.stats import Design

RESULTS = Path(__file__).parent / "results"
NUMERIC = {"dnum", "snum", "api00", "api99", "enroll", "meals", "pw", "fpc"}


def load_api(name: str) -> dict[str, NDArray[np.generic]]:
    """Read one of the committed `api` data sets into a dict of NumPy columns."""
    with (RESULTS / f"{name}.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, NDArray[np.generic]] = {}
    for key in rows[0]:
        values = [r[key] for r in rows]
        out[key] = np.array([float(v) for v in values]) if key in NUMERIC else np.array(values)
    return out


def load_reference() -> dict[str, float]:
    """R's reference values, ``key -> value``."""
    with (RESULTS / "reference.csv").open(newline="") as fh:
        return {r["key"]: float(r["value"]) for r in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def ref() -> dict[str, float]:
    return load_reference()


@pytest.fixture(scope="session")
def apistrat() -> dict[str, NDArray[np.generic]]:
    return load_api("apistrat")


@pytest.fixture(scope="session")
def apiclus1() -> dict[str, NDArray[np.generic]]:
    return load_api("apiclus1")


@pytest.fixture(scope="session")
def dstrat(apistrat: dict[str, NDArray[np.generic]]) -> Design:
    return Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])


@pytest.fixture(scope="session")
def dclus1(apiclus1: dict[str, NDArray[np.generic]]) -> Design:
    return Design(apiclus1["pw"], ids=apiclus1["dnum"], fpc=apiclus1["fpc"])
