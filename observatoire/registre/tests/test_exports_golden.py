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
from observatoire.registre.models import Entry
from observatoire.registre.queries import for_export

GOLDEN = Path(__file__).parent / "golden"
MOMENT = datetime.datetime(2025, 1, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def fixed_entries(authority_a):
    """Two published entries whose ids, product and dates do not depend on the test run."""
    product = VendorProductFactory(pk=9100, name="Produit fixe", documentation_url="https://x.fr")
    full = full_entry(
        authority_a, pk=9001, public_id=uuid.UUID(int=1), status="published", review_date=None
    )
    EntryFactory(
        authority=authority_a,
        pk=9002,
        public_id=uuid.UUID(int=2),
        name="Algorithme minimal",
        status="published",
    )
    Entry.objects.filter(pk=full.pk).update(vendor_product=product)
    Entry.objects.filter(pk__in=[9001, 9002]).update(published_at=MOMENT, updated_at=MOMENT)
    return list(for_export(Entry.objects.filter(pk__in=[9001, 9002]).order_by("pk")))


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_export_is_byte_for_byte_the_golden_file(fixed_entries, fmt):
    exporter = EXPORTERS[fmt]
    expected = (GOLDEN / f"entries.{fmt}.{exporter.extension}").read_bytes()
    assert exporter.write(fixed_entries).encode("utf-8") == expected
