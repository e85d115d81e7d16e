"""Every export format, byte for byte, of two fixed entries (full and minimal): a change of
the files the command, the pages and the API serve shows here, not only in the validators.

The golden files were written by the exports before they were split into one module per
standard; a deliberate change of a format rewrites its file in the same commit.
"""

import datetime
import uuid
from pathlib import Path

import pytest

from observatoire.registre.exports import EXPORTERS
from observatoire.registre.factories import EntryFactory, VendorProductFactory, full_entry

GOLDEN = Path(__file__).parent / "golden"
MOMENT = datetime.datetime(2025, 1, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def fixed_entries(authority_a):
    """Two published entries whose ids, product and dates do not depend on the test run.

    Not read back from the database: PostgreSQL's jsonb would reorder the keys of the AI Act
    answers, which the exports copy in the order the entry holds them.
    """
    product = VendorProductFactory(pk=9100, name="Produit fixe", documentation_url="https://x.fr")
    full = full_entry(
        authority_a, pk=9001, public_id=uuid.UUID(int=1), status="published", review_date=None
    )
    minimal = EntryFactory(
        authority=authority_a,
        pk=9002,
        public_id=uuid.UUID(int=2),
        name="Algorithme minimal",
        status="published",
    )
    full.vendor_product = product
    for entry in (full, minimal):
        entry.published_at = entry.updated_at = MOMENT
    return [full, minimal]


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_export_is_byte_for_byte_the_golden_file(fixed_entries, fmt):
    exporter = EXPORTERS[fmt]
    expected = (GOLDEN / f"entries.{fmt}.{exporter.extension}").read_bytes()
    assert exporter.write(fixed_entries).encode("utf-8") == expected
