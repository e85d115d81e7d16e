"""Exports of register entries, one module per standard behind one registry.

`EXPORTERS` maps each format code to its `Exporter` (French label, media type, file
extension, per-entry record, validated file); the management command, the pages and the
API all read it. Open data (CSV, JSON) is in `open_data`, the Dutch Algoritmeregister v1.0
in `nl`, Eurocities v0.3.1 in `eurocities`, UK ATRS v3.0 in `atrs`; the AI Act Annex VIII
section C and the French CRPA texts, served entry by entry, in `annex_viii` and `crpa`.
"""

from observatoire.registre.exports.atrs import ATRS
from observatoire.registre.exports.common import Exporter, ExportError
from observatoire.registre.exports.eurocities import EUROCITIES
from observatoire.registre.exports.nl import NL
from observatoire.registre.exports.open_data import CSV, JSON

__all__ = ["EXPORTERS", "ExportError", "Exporter"]

EXPORTERS: dict[str, Exporter] = {e.code: e for e in (CSV, JSON, NL, EUROCITIES, ATRS)}
