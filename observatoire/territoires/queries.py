"""Reads of the universe: counts per stratum and kind, the vintages loaded."""

from django.db.models import Count, Sum

from observatoire.territoires.models import Authority, UniverseCount


def stratum_counts(vintage: int) -> dict[str, int]:
    """Number of authorities per stratum in a loaded vintage."""
    rows = (
        UniverseCount.objects.filter(vintage=vintage)
        .values("stratum")
        .annotate(n=Sum("count"))
        .order_by("stratum")
    )
    return {row["stratum"]: row["n"] for row in rows}


def loaded_vintages() -> list[int]:
    return list(
        UniverseCount.objects.values_list("vintage", flat=True).distinct().order_by("vintage")
    )


def kind_counts() -> dict[str, int]:
    rows = Authority.objects.filter(is_active=True).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}
