"""Secondary suppression: no suppressed cell of a table with margins can be derived."""

from __future__ import annotations

import numpy as np

from observatoire.stats.tables import derivable, protect


def test_a_lone_suppressed_cell_is_derivable_and_protection_hides_a_rectangle() -> None:
    """One small cell alone in its row is its margin minus the others; protection adds the
    cheapest cells that close a rectangle, and then none can be derived."""
    primary = np.zeros((4, 4), dtype=bool)
    primary[0, 0] = True
    assert derivable(primary)[0, 0]
    n = np.arange(16).reshape(4, 4) + 20
    final = protect(primary, n)
    assert final.sum() == 4 and final[:2, :2].all()
    assert not derivable(final).any()


def test_suppressed_margin_hides_its_line() -> None:
    """A margin too small to publish hides its row (its shares could not be read)."""
    primary = np.zeros((4, 3), dtype=bool)
    primary[1, 2] = True
    final = protect(primary, np.full((4, 3), 50))
    assert final[1].all() and not derivable(final).any()


def test_random_tables_are_protected() -> None:
    """On 300 random patterns, every suppressed cell stays underivable and nothing that was
    suppressed is shown again (the whole, in the corner, is always published)."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        rows, cols = rng.integers(2, 7, 2)
        primary = rng.random((rows + 1, cols + 1)) < 0.15
        primary[-1, -1] = False
        final = protect(primary, rng.integers(0, 100, (rows + 1, cols + 1)))
        assert not derivable(final).any()
        assert (final >= primary).all() and not final[-1, -1]
