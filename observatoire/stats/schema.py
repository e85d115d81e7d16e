"""The design file's schema: which keys each section allows, and what each key holds.

The whole schema is the three tables below (:data:`DESIGN`, :data:`STEPS`,
:data:`ESTIMATE` with :data:`KIND_KEYS`): a new section, calibration step, estimate key or
estimate kind is one more entry.  A :class:`Key` pairs a *check* (a function ``value,
Place -> normalised value`` raising :class:`SchemaError`) with whether it is required.

:func:`validate` walks a parsed file and returns it normalised (``by`` always a list,
``ids: 1`` as no clusters, R's ``~col`` as ``col``); every unknown key is an error naming
it, where it is, the keys allowed there and the closest one.  Whether a column exists is
checked later, against the data.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from .ci import CI_METHODS, check_ci
from .design import LONELY_PSU_RULES
from .errors import StatsError
from .weighting import CalFun

#: Largest design file read (bytes): a design file is a few dozen lines.
MAX_BYTES = 1_000_000
#: The unquoted words YAML reads as true and as false.
YAML_BOOLEANS = {True: "Yes, On ou True", False: "No, Off ou False"}


class SchemaError(StatsError):
    """A value or a key that the schema refuses; ``line`` is its line in the file (or None)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class Located(dict[Any, Any]):
    """A YAML mapping that remembers the line of each of its keys (1-based)."""

    line: int | None = None
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int | None:
        """The line of ``key`` in the file (the mapping's own line if unknown)."""
        return getattr(self, "lines", {}).get(key, self.line)


@dataclass(frozen=True)
class Place:
    """What a value is and where, for messages: ``« tol » de l'étape 2 (calibrate)``."""

    name: str  # "" for the file itself
    line: int | None

    def error(self, message: str) -> SchemaError:
        """``« tol » de l'étape 2 (calibrate) : <message>.``"""
        return SchemaError(f"{self.name} : {message}." if self.name else f"{message}.", self.line)

    def key(self, mapping: Any, key: Any) -> Place:
        """The place of ``mapping[key]`` inside this one."""
        line = mapping.line_of(key) if isinstance(mapping, Located) else self.line
        return Place(f"« {key} »" + (f" de {self.name}" if self.name else ""), line)


Check = Callable[[Any, Place], Any]


@dataclass(frozen=True)
class Key:
    """One allowed key: how to check its value, and whether it must be present."""

    check: Check
    required: bool = False


# ---------------------------------------------------------------------------- checks
def _shown(value: Any, quoted_hint: bool = False) -> str:
    if isinstance(value, str) and quoted_hint:
        return f"« {value} », entre guillemets"
    return f"« {value} »"


def column(value: Any, place: Place) -> str:
    """A column name (R's formula style ``~col`` accepted; ``2024`` is the column "2024")."""
    name = str(value).strip().removeprefix("~").strip()
    if not isinstance(value, str | int) or isinstance(value, bool) or not name:
        raise place.error(f"doit nommer une colonne (reçu : {_shown(value)})")
    return name


def cluster_column(value: Any, place: Place) -> str | None:
    """``ids``: a column, or ``1``/``0`` (R's ``~1``) for an element sample (None)."""
    if str(value).strip().removeprefix("~").strip() in ("1", "0"):
        return None
    return column(value, place)


def per_stage(check: Check) -> Check:
    """A column, or a list of columns, one per sampling stage (``ids: [psu, ssu]``)."""

    def check_stages(value: Any, place: Place) -> Any:
        if not isinstance(value, list):
            return check(value, place)
        if not value:
            raise place.error("doit nommer une colonne, ou une liste de colonnes (une par degré)")
        names = [column(item, place) for item in value]
        return names[0] if len(names) == 1 else names

    return check_stages


def boolean(value: Any, place: Place) -> bool:
    """``true`` or ``false`` as YAML booleans (``"false"`` in quotes is a string: refused)."""
    if not isinstance(value, bool):
        raise place.error(
            f"doit valoir true ou false, sans guillemets (reçu : {_shown(value, True)})"
        )
    return value


def number(
    low: float = float("-inf"), high: float = float("inf"), *, integer: bool = False
) -> Check:
    """A number in ``[low, high]`` (an integer if asked)."""

    def check(value: Any, place: Place) -> float | int:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and (not math.isfinite(value) or (integer and not float(value).is_integer())):
            ok = False
        if not ok or not low <= value <= high:
            what = "un entier" if integer else "un nombre"
            bounds = ""
            if low > float("-inf") and high < float("inf"):
                bounds = f" entre {low:g} et {high:g}"
            elif low > float("-inf"):
                bounds = f" supérieur ou égal à {low:g}"
            raise place.error(f"doit être {what}{bounds} (reçu : {_shown(value, True)})")
        return int(value) if integer else float(value)

    return check


def one_of(choices: Collection[str]) -> Check:
    """One of a set of words (read at check time: a table's keys can be given)."""

    def check(value: Any, place: Place) -> str:
        allowed = list(choices)
        if value not in allowed:
            raise place.error(
                f"vaut {_shown(value)} ; valeurs permises : {', '.join(allowed)}"
                + _did_you_mean(value, allowed)
            )
        return str(value)

    return check


def bounds(value: Any, place: Place) -> tuple[float, float]:
    """``[low, high]`` with ``low <= 1 <= high`` (bounds on ``g = w / d``, as R's)."""
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not value[0] <= 1 <= value[1]
    ):
        raise place.error(
            f"doit être une paire [borne basse, borne haute] encadrant 1 (reçu : {value!r})"
        )
    return float(value[0]), float(value[1])


def levels(value: Any, place: Place) -> dict[Any, float]:
    """Population count per category: ``{E: 4421, 1: 755}`` (keys matched by value later)."""
    if not isinstance(value, dict) or not value:
        raise place.error("doit donner l'effectif de chaque modalité ({modalité: effectif})")
    count = number(0)
    for key, total in value.items():
        at = place.key(value, key)
        if isinstance(key, bool):
            raise Place(place.name, at.line).error(
                f"une modalité est lue par YAML comme le booléen {str(key).lower()} "
                f"({YAML_BOOLEANS[key]} sans guillemets) ; mettez-la entre guillemets, "
                'par exemple "Yes"'
            )
        if key is None:
            raise Place(place.name, at.line).error("une modalité est vide")
        count(total, at)
    return dict(value)


def mapping_of(check: Check, what: str) -> Check:
    """A mapping ``column -> value`` (margins, totals), each value checked."""

    def validate_mapping(value: Any, place: Place) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise place.error(f"doit associer à chaque colonne {what}")
        out = {}
        for name, item in value.items():
            at = place.key(value, name)
            out[column(name, at)] = check(item, at)
        return out

    return validate_mapping


def domains(value: Any, place: Place) -> list[str | list[str]]:
    """``by``: a column, or a list of columns and of lists of columns (crossed)."""
    entries = value if isinstance(value, list) else [value]
    out: list[str | list[str]] = []
    for entry in entries:
        if isinstance(entry, list):
            if not entry:
                raise place.error("contient une liste vide")
            out.append([column(c, place) for c in entry])
        else:
            out.append(column(entry, place))
    return out


def steps(value: Any, place: Place) -> list[tuple[str, dict[str, Any]]]:
    """``calibration``: a list of one-key mappings ``{step: {parameters}}``, in order."""
    if not isinstance(value, list):
        raise place.error("doit être une liste d'étapes (postStratify, rake, calibrate)")
    out = []
    for i, step in enumerate(value, start=1):
        line = step.line if isinstance(step, Located) else place.line
        if not isinstance(step, dict) or len(step) != 1:
            raise SchemaError(
                f"l'étape de calage n° {i} doit être une seule clé parmi : {', '.join(STEPS)}.",
                line,
            )
        ((kind, args),) = step.items()
        if kind not in STEPS:
            raise SchemaError(
                f"étape de calage n° {i} inconnue « {kind} » ; étapes permises : "
                f"{', '.join(STEPS)}{_did_you_mean(kind, list(STEPS))}.",
                line,
            )
        out.append((str(kind), section(args, STEPS[kind], Place(f"l'étape {i} ({kind})", line))))
    return out


def estimates(value: Any, place: Place) -> list[dict[str, Any]]:
    """``estimates``: a non-empty list of estimate requests."""
    if not isinstance(value, list) or not value:
        raise SchemaError("« estimates » doit être une liste non vide.", place.line)
    out = []
    for i, req in enumerate(value, start=1):
        at = Place(f"l'estimation n° {i}", req.line if isinstance(req, Located) else place.line)
        kind = req.get("kind", "mean") if isinstance(req, dict) else "mean"
        allowed = {**ESTIMATE, **KIND_KEYS.get(kind, {})} if isinstance(kind, str) else ESTIMATE
        checked = section(req, allowed, at)
        checked.setdefault("kind", "mean")
        if "ci" in checked and checked["kind"] == "quantile":
            raise at.key(req, "ci").error(
                "l'intervalle d'un quantile se choisit par « interval_type » (mean : Woodruff ; "
                "quantile : quantiles des répliques), pas par « ci »"
            )
        if "ci" in checked:
            try:
                check_ci(checked["kind"], checked["ci"])
            except StatsError as exc:
                raise at.key(req, "ci").error(str(exc).rstrip(".")) from None
        out.append(checked)
    return out


def probabilities(value: Any, place: Place) -> list[float]:
    """``probs`` of a quantile: a probability or a list of them (0.5: the median)."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise place.error("doit donner au moins une probabilité (0.5 pour la médiane)")
    return [number(0, 1)(item, place) for item in items]


def formula(value: Any, place: Place) -> str:
    """A model's ``y ~ x1 + factor(x2)`` (parsed here, so that its errors have a line)."""
    from .models import Formula

    if not isinstance(value, str):
        raise place.error(f"doit être une formule « y ~ x1 + x2 » (reçu : {_shown(value)})")
    try:
        Formula.parse(value)
    except StatsError as exc:
        raise place.error(str(exc).rstrip(".")) from None
    return value


def terms(value: Any, place: Place) -> list[str]:
    """The terms of a model tested together (``regTermTest``): a column or a list."""
    return [column(item, place) for item in (value if isinstance(value, list) else [value])]


def list_of(keys: Mapping[str, Key], what: str) -> Check:
    """A non-empty list of mappings, each checked against ``keys`` (``le tableau n° 2``)."""

    def check(value: Any, place: Place) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise place.error("doit être une liste non vide")
        return [
            section(
                item,
                keys,
                Place(f"{what} n° {i}", item.line if isinstance(item, Located) else place.line),
            )
            for i, item in enumerate(value, start=1)
        ]

    return check


def section(value: Any, keys: Mapping[str, Key], place: Place) -> dict[str, Any]:
    """Check a mapping against its table of keys; returns the normalised values."""
    if not isinstance(value, dict):
        raise place.error(f"doit être un dictionnaire de clés ({', '.join(sorted(keys))})")
    out = Located()  # keeps the lines, for the errors found against the data
    out.line = value.line if isinstance(value, Located) else place.line
    out.lines = dict(getattr(value, "lines", {}))
    for key, item in value.items():
        at = place.key(value, key)
        if key not in keys:
            raise SchemaError(
                f"clé inconnue « {key} »{' dans ' + place.name if place.name else ''} ; "
                f"clés permises : {', '.join(sorted(keys))}{_did_you_mean(key, list(keys))}.",
                at.line,
            )
        out[key] = keys[key].check(item, at)
    for key, spec in keys.items():
        if spec.required and key not in value:
            raise place.error(f"la clé « {key} » est obligatoire")
    return out


def _did_you_mean(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


# ---------------------------------------------------------------------------- tables
#: ``tables:`` (cross-tabulations with their Rao–Scott tests, sections.py).
TABLE: dict[str, Key] = {
    "rows": Key(column, required=True),
    "columns": Key(column, required=True),
    "layer": Key(column),
    "level": Key(number(0, 1)),
}

#: ``models:`` (R's svyglm and regTermTest, sections.py).
MODEL: dict[str, Key] = {
    "formula": Key(formula, required=True),
    "family": Key(one_of(("gaussian", "quasibinomial"))),
    "test": Key(terms),
    "level": Key(number(0, 1)),
}


def column_pattern(value: Any, place: Place) -> str | list[str]:
    """Replicate weight columns: a pattern (``rw_*``, ``?`` and ``[…]`` as in file names)
    or a non-empty list of columns."""
    if isinstance(value, list):
        if not value:
            raise place.error("doit nommer au moins une colonne")
        return [column(item, place) for item in value]
    if not isinstance(value, str) or not value.strip():
        raise place.error(
            f'doit être un motif de noms de colonnes (par exemple "rw_*") ou une liste de '
            f"colonnes (reçu : {_shown(value)})"
        )
    return value.strip()


def scales(value: Any, place: Place) -> float | list[float]:
    """``rscales``: one number for every replicate, or one per replicate (all ``>= 0``)."""
    if isinstance(value, list):
        if not value:
            raise place.error("doit donner un nombre, ou un nombre par réplique")
        return [float(number(0)(item, place)) for item in value]
    return float(number(0)(value, place))


def below_one(value: Any, place: Place) -> float:
    """Fay's ``rho``: a number in ``[0, 1)``."""
    rho = number(0, 1)(value, place)
    if rho >= 1:
        raise place.error(f"doit être compris entre 0 et 1, 1 exclu (reçu : {_shown(value)})")
    return float(rho)


#: ``repweights:`` (R's ``svrepdesign``): replicate weight columns given with the data.
REPWEIGHTS: dict[str, Key] = {
    "columns": Key(column_pattern, required=True),
    "type": Key(one_of(("BRR", "Fay", "JK1", "JKn", "bootstrap")), required=True),
    "scale": Key(number(0)),
    "rscales": Key(scales),
    "rho": Key(below_one),
    "mse": Key(boolean),
    "combined_weights": Key(boolean),
}

#: ``replicates:`` (R's ``as.svrepdesign``): replicate weights built from the design.
REPLICATES: dict[str, Key] = {
    "type": Key(one_of(("JK1", "JKn", "bootstrap", "BRR", "Fay")), required=True),
    "replicates": Key(number(2, 100_000, integer=True)),
    "rho": Key(below_one),
    "seed": Key(number(0, 2**63 - 1, integer=True)),
    "mse": Key(boolean),
}


def repweights(value: Any, place: Place) -> dict[str, Any]:
    """``repweights`` checked, with R's rules between its keys (Fay needs ``rho``, …)."""
    checked = section(value, REPWEIGHTS, place)
    kind = checked["type"]
    if kind == "Fay" and "rho" not in checked:
        raise place.error("le type Fay demande « rho » (par exemple rho: 0.5)")
    if kind != "Fay" and "rho" in checked:
        raise place.key(value, "rho").error(f"ne s'applique qu'au type Fay (type : {kind})")
    if kind in ("BRR", "Fay") and "scale" in checked:
        raise place.key(value, "scale").error(
            f"est fixé par le type {kind} (1 / R, ou 1 / (R (1 - rho)²) pour Fay) : retirez-le"
        )
    if kind == "JKn" and "rscales" not in checked and checked.get("combined_weights", True):
        raise place.error("le type JKn demande « rscales » ((n_h - 1) / n_h par réplique)")
    return checked


def replicates(value: Any, place: Place) -> dict[str, Any]:
    """``replicates`` checked: ``replicates`` and ``seed`` are for the bootstrap only,
    ``rho`` for Fay (and required there)."""
    checked = section(value, REPLICATES, place)
    kind = checked["type"]
    if kind == "Fay" and not checked.get("rho"):
        raise place.error(
            "le type Fay demande « rho » entre 0 et 1, 0 exclu (par exemple rho: 0.5)"
        )
    if kind != "Fay" and "rho" in checked:
        raise place.key(value, "rho").error(f"ne s'applique qu'au type Fay (type : {kind})")
    if checked["type"] != "bootstrap":
        for key in ("replicates", "seed"):
            if key in checked:
                raise place.key(value, key).error(
                    "ne s'applique qu'au bootstrap ("
                    + (
                        f"le jackknife {kind} a une réplique par unité primaire"
                        if kind.startswith("JK")
                        else f"les répliques {kind} viennent d'une matrice de Hadamard"
                    )
                    + ")"
                )
    return checked


#: Top-level keys (R's ``svydesign`` names).
DESIGN: dict[str, Key] = {
    "ids": Key(per_stage(cluster_column)),
    "strata": Key(per_stage(column)),
    "weights": Key(column),
    "probs": Key(column),
    "fpc": Key(per_stage(column)),
    "repweights": Key(repweights),
    "replicates": Key(replicates),
    "lonely_psu": Key(one_of(LONELY_PSU_RULES)),
    "calibration": Key(steps),
    "estimates": Key(estimates),
    "tables": Key(list_of(TABLE, "le tableau")),
    "models": Key(list_of(MODEL, "le modèle")),
}

#: Calibration steps and their parameters (R's ``postStratify``, ``rake``, ``calibrate``).
STEPS: dict[str, dict[str, Key]] = {
    "postStratify": {
        "variable": Key(column, required=True),
        "population": Key(levels, required=True),
    },
    "rake": {
        "margins": Key(mapping_of(levels, "ses effectifs par modalité"), required=True),
        "tol": Key(number(0)),
        "max_iter": Key(number(1, integer=True)),
    },
    "calibrate": {
        "calfun": Key(one_of(get_args(CalFun))),
        "population": Key(number(0)),
        "margins": Key(mapping_of(levels, "ses effectifs par modalité")),
        "totals": Key(mapping_of(number(), "son total")),
        "bounds": Key(bounds),
        "tol": Key(number(0)),
        "max_iter": Key(number(1, integer=True)),
    },
}

#: Estimate kinds, each with the keys it adds to :data:`ESTIMATE`.
KIND_KEYS: dict[str, dict[str, Key]] = {
    "mean": {},
    "total": {},
    "proportion": {},
    # R's svyquantile (sections.py); interval_type: R's interval.type, "quantile" with
    # replicate weights only
    "quantile": {"probs": Key(probabilities), "interval_type": Key(one_of(("mean", "quantile")))},
}

#: Keys of every estimate request.
ESTIMATE: dict[str, Key] = {
    "variable": Key(column, required=True),
    "kind": Key(one_of(KIND_KEYS)),
    "by": Key(domains),
    "ci": Key(one_of(CI_METHODS)),
    "na_rm": Key(boolean),
    "level": Key(number(0, 1)),
    "overall": Key(boolean),
}


def validate(spec: Any) -> dict[str, Any]:
    """The design file checked against :data:`DESIGN` and normalised (``SchemaError``)."""
    if not isinstance(spec, dict):
        raise SchemaError("le fichier doit décrire un dictionnaire de clés.")
    checked = section(spec, DESIGN, Place("", None))
    if "repweights" in checked and "replicates" in checked:
        raise SchemaError(
            "« repweights » (poids répliqués fournis) et « replicates » (poids répliqués "
            "construits) s'excluent : gardez-en un.",
            spec.line_of("replicates") if isinstance(spec, Located) else None,
        )
    if not checked.get("estimates"):
        raise SchemaError("« estimates » doit être une liste non vide.")
    return checked
