"""The command starts fast (issue 16, item 12): modules are imported when a run needs them.

Times are measured by hand (``python -X importtime``, see docs/stats.md); these tests check
what is imported, which is what the time depends on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import observatoire.stats

EXAMPLES = Path(__file__).parent.parent / "examples"


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_help_loads_neither_numpy_nor_scipy() -> None:
    """`observatoire stats estimate --help` imports the argument parser only."""
    loaded = modules_after(
        "from observatoire.cli import main\n"
        "try:\n    main(['stats', 'estimate', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert "observatoire.stats.cli" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"numpy", "scipy", "polars", "yaml"}}


def test_a_run_never_loads_scipy_stats() -> None:
    """The example (clusters, post-stratification, beta intervals) needs no scipy.stats,
    and a mean with a Wald interval on weights alone needs no SciPy at all."""
    example = modules_after(
        "import io, contextlib\nfrom observatoire.stats.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['estimate', {str(EXAMPLES / 'apiclus1.csv')!r}, '--design', "
        f"{str(EXAMPLES / 'apiclus1.yaml')!r}]) == 0"
    )
    assert "scipy.special" in example
    assert "scipy.stats" not in example
    plain = modules_after(
        "import numpy as np\nfrom observatoire.stats import Design, estimate\n"
        "estimate(Design(np.array([1.0, 2.0, 3.0])), {'y': np.array([2.0, 3.0, 5.0])})"
    )
    assert not {m for m in plain if m.startswith("scipy")}


def test_every_public_name_resolves() -> None:
    """The package's lazy names are exactly __all__, and each one imports."""
    homes = observatoire.stats._HOMES
    assert set(homes) == set(observatoire.stats.__all__)
    for name in homes:
        assert getattr(observatoire.stats, name).__name__ == name
