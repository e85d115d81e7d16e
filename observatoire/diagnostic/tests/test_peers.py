"""The authority against its stratum in the latest published edition: in words, with the
margin, and the nearest published level (size band, then the whole) when the stratum's
figure is suppressed, saying which."""

import pytest

from observatoire.barometre.choices import Flag
from observatoire.barometre.factories import EditionFactory
from observatoire.barometre.models import Result
from observatoire.diagnostic import peers, scoring, services
from observatoire.diagnostic.choices import RulesKind
from observatoire.diagnostic.factories import SMALL_COMMUNE
from observatoire.diagnostic.models import PeerScore
from observatoire.territoires.factories import AuthorityFactory

GRID = scoring.parse_grid(scoring.shipped_text(RulesKind.GRID))


@pytest.fixture
def edition(db):
    return EditionFactory(published_version=1, year=2024)


def _result(edition, domain, level, estimate, margin, flag=Flag.OK, indicator="gouv_regles"):
    return Result.objects.create(
        edition=edition, version=1, indicator=indicator, category="fait", domain=domain,
        level=level, estimate=estimate, se=margin / 1.96, ci_low=estimate - margin,
        ci_high=estimate + margin, n=40, population=1000, flag=flag,
    )  # fmt: skip


def _sentences(authority, answers, edition):
    return {c.title: c for c in peers.key_indicators(GRID, answers, authority, edition)}


def test_own_stratum_in_words(edition):
    """« Votre collectivité fait partie des 31 % (± 9 points) de communes de 3 500 à
    10 000 habitants qui ont défini des règles de gouvernance des données. »"""
    _result(edition, "strate", "commune_3500_10000", 0.31, 0.09)
    authority = AuthorityFactory(population=5_000)
    rules = "Règles de gouvernance des données définies"
    item = _sentences(authority, {"gouv_regles": "oui"}, edition)[rules]
    assert item.sentence == (
        "Votre collectivité fait partie des 31\u00a0% (± 9\u00a0points) de communes de 3 500 à "
        "10 000 habitants qui ont défini des règles de gouvernance des données."
    )
    assert item.peer.fallback == ""
    item = _sentences(authority, {"gouv_regles": "prevu"}, edition)[rules]
    assert item.sentence.startswith("Votre collectivité ne fait pas partie des 31\u00a0%")


def test_suppressed_stratum_falls_back_to_size_band_then_whole(edition):
    """The stratum's figure is suppressed: the size band is used, and said; both
    suppressed: the whole."""
    _result(edition, "strate", "commune_3500_10000", 0.2, 0.3, Flag.SUPPRESS)
    band = _result(edition, "taille", "plus_3500", 0.24, 0.05, Flag.CAUTION)
    _result(edition, "", "", 0.38, 0.04)
    authority = AuthorityFactory(population=5_000)
    title = "Règles de gouvernance des données définies"
    item = _sentences(authority, {"gouv_regles": "non"}, edition)[title]
    assert item.sentence == (
        "Votre collectivité ne fait pas partie des 24\u00a0% (± 5\u00a0points) de collectivités "
        "de 3 500 habitants et plus qui ont défini des règles de gouvernance des données "
        "(chiffre à interpréter avec prudence)."
    )
    assert item.peer.fallback == (
        "Le chiffre des communes de 3 500 à 10 000 habitants n'est pas diffusé (effectif trop "
        "faible) : comparaison avec les collectivités de 3 500 habitants et plus."
    )
    band.flag = Flag.SUPPRESS
    band.save()
    item = _sentences(authority, {}, edition)[title]
    assert item.peer.domain == "" and item.peer.fallback.endswith(
        "comparaison avec les collectivités."
    )
    assert item.sentence == (
        "38\u00a0% (± 4\u00a0points) de collectivités ont défini des règles de gouvernance des "
        "données ; votre réponse ne permet pas de vous situer."
    )


def test_small_commune_goes_from_stratum_to_whole(edition):
    """Under 3,500 inhabitants the size band is the stratum itself: the whole comes next."""
    _result(edition, "strate", "commune_lt_3500", 0.2, 0.3, Flag.SUPPRESS)
    _result(edition, "taille", "moins_3500", 0.2, 0.3, Flag.SUPPRESS)
    _result(edition, "", "", 0.38, 0.04)
    item = _sentences(AuthorityFactory(population=800), {"gouv_regles": "oui"}, edition)
    peer = item["Règles de gouvernance des données définies"].peer
    assert (peer.domain, peer.fallback) == ("", "Le chiffre des communes de moins de 3 500 habitants n'est pas diffusé (effectif trop faible) : comparaison avec les collectivités.")  # fmt: skip


def test_axis_scores_against_peers(edition, questionnaire):
    """Each axis score beside the peers' weighted mean, from the nearest published level."""
    grid_version = services.current_rules(RulesKind.GRID)
    for axis, level, value, flag in [("gouvernance", "commune_lt_3500", 30.0, Flag.OK),
                                     ("ia", "commune_lt_3500", 5.0, Flag.SUPPRESS)]:  # fmt: skip
        PeerScore.objects.create(edition=edition, version=1, grid=grid_version, axis=axis,
                                 domain="strate", level=level, estimate=value, ci_low=value - 6,
                                 ci_high=value + 6, n=50, flag=flag)  # fmt: skip
    PeerScore.objects.create(edition=edition, version=1, grid=grid_version, axis="ia", domain="",
                             level="", estimate=21.0, ci_low=18.0, ci_high=24.0, n=289, flag=Flag.OK)  # fmt: skip
    scores = scoring.score(GRID, SMALL_COMMUNE)
    rows = {c.code: c for c in peers.compare_axes(scores, grid_version, AuthorityFactory(population=800), edition)}  # fmt: skip
    assert (rows["gouvernance"].mine, rows["gouvernance"].peer.estimate, rows["gouvernance"].peer.fallback) == (24, 30.0, "")  # fmt: skip
    assert (rows["ia"].mine, rows["ia"].peer.estimate, rows["ia"].peer.group) == (
        0,
        21.0,
        "collectivités",
    )
    assert rows["culture"].peer is None
