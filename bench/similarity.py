"""Precision at 5 of « cas similaires » on the judged set (not a test).

    .venv/bin/python bench/similarity.py [--database-url URL] [--verbose]

Builds the demo catalogue as bench/search_quality.py does, then, for each case of
observatoire/cas_usage/tests/data/similar-cases.yaml, takes the five first similar cases and
counts those judged truly similar (over five, or over the number judged when fewer). Prints
the mean for the current similarity and for the one it replaced (same domain, then same
technology: the baseline), so that changes can be compared.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUDGED = REPO / "observatoire" / "cas_usage" / "tests" / "data" / "similar-cases.yaml"


def baseline(case, limit: int = 5):
    """The similarity before: same domain (4), same technology (2), same tab (1), latest first."""
    from django.db.models import Count, Q

    from observatoire.cas_usage.models import UseCase

    candidates = (
        UseCase.objects.published()
        .exclude(pk=case.pk)
        .filter(Q(domain=case.domain) | Q(technology=case.technology))
        .annotate(
            score=Count("pk", filter=Q(domain=case.domain)) * 4
            + Count("pk", filter=Q(technology=case.technology)) * 2
            + Count("pk", filter=Q(scope=case.scope))
        )
        .order_by("-score", "-published_at", "-pk")
    )
    return list(candidates[:limit])


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from search_quality import arguments, judged_cases, start

    args = arguments(__doc__.splitlines()[0])
    start(args.database_url)
    import yaml
    from django.db import connection

    from observatoire.cas_usage import similarity
    from observatoire.cas_usage.models import UseCase

    judged = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["cases"]
    print(f"engine={connection.vendor} judged_cases={len(judged)}")
    for name, method in [("baseline", baseline), ("similarity", similarity.similar_cases)]:
        total = 0.0
        for entry in judged:
            case = UseCase.objects.get(external_id=entry["case"])
            found = [c.external_id for c in method(case, limit=5)]
            similar = judged_cases(entry["similar"])
            precision = sum(c in similar for c in found) / min(5, len(similar))
            total += precision
            if args.verbose:
                print(f"  {name} {entry['case']:28} p@5={precision:.2f} {found}")
        print(f"{name} precision@5={total / len(judged):.3f}")


if __name__ == "__main__":
    main()
