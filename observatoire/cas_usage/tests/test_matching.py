"""Who did it: PSTW organisations matched to the universe of authorities (COG 2026), national
bodies told apart, uncertain matches reviewed by an analyst, decisions kept across imports."""

import csv

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from observatoire.accounts.models import AnonymousVisitor
from observatoire.cas_usage import matching, pstw, services
from observatoire.cas_usage.choices import Actor, MatchKind, Review, Scope
from observatoire.cas_usage.models import OrganisationMatch, UseCase
from observatoire.conftest import PERSONAS
from observatoire.territoires.choices import Stratum


@pytest.mark.parametrize(
    ("name", "category", "nuts", "kind", "code", "sure"),
    [
        ("City of Paris", "Local Government", "FR10", MatchKind.COMMUNE, "75056", True),
        ("City of Saint-Étienne", "Local Government", "FRK2", MatchKind.COMMUNE, "42218", True),
        (" Noisy-le-Grand  Municipality", "Local Government", "FR10", MatchKind.COMMUNE, "93051", True),
        ("Lille European Metropole", "Regional Government", "FRE1", MatchKind.EPCI, "200093201", True),
        ("Nantes Métropole & Ville", "Local Government", "FRG0", MatchKind.EPCI, "244400404", True),
        ("Bordeaux metropole", "Local Government", "FRI1", MatchKind.EPCI, "243300316", True),
        ("Greater Paris", "Local Government", "FR10", MatchKind.EPCI, "200054781", True),
        ("Île-de-France Regional Council", "Regional Government", "FR", MatchKind.REGION, "11", True),
        ("Île-de-France Regional Counci", "Regional Government", "FR", MatchKind.REGION, "11", True),
        ("Nice and Marseille", "Local Government", "FR", MatchKind.COMMUNE, "06088", False),
    ],
)  # fmt: skip
def test_authorities_are_recognised(universe, name, category, nuts, kind, code, sure):
    """Communes, EPCI and régions named in English or French are found in the COG; a name
    that names two authorities is proposed for review, not taken as sure."""
    proposal = matching.propose(name, category, nuts)
    assert (proposal.kind, proposal.authority.code, proposal.sure) == (kind, code, sure)


@pytest.mark.parametrize(
    ("name", "category", "kind", "sure"),
    [
        ("National Old Age Insurance Fund (Cnav)", "Central-Government", MatchKind.NATIONAL, True),
        ("Ministry of the Interior", "Central-Government", MatchKind.NATIONAL, True),
        ("SNCF", "Central-Government", MatchKind.NATIONAL, True),
        ("Prefecture de l'Ile de France", "Regional Government", MatchKind.NATIONAL, False),
        ("Bordeaux University Hospital Center", "Local Government", MatchKind.NATIONAL, False),
        ("Marseille Fos port authority", "Local Government", MatchKind.NATIONAL, False),
        ("University of Lille", "Academic-Research", MatchKind.OTHER, True),
        ("Saint Denis Innovation Lab", "Local Government", MatchKind.UNMATCHED, False),
    ],
)
def test_national_bodies_and_others_are_not_authorities(universe, name, category, kind, sure):
    """Ministries, national funds, hospitals, the State's services are national actors (sure
    when PSTW files them under central government); research and firms are other bodies; an
    unknown local name is left unmatched for review."""
    proposal = matching.propose(name, category, "FR")
    assert (proposal.kind, proposal.authority, proposal.sure) == (kind, None, sure)


HEADER = [
    *pstw.REQUIRED,
    "Responsible organisation",
    "Responsible organisation category",
    "NUTS 2021",
]
ROWS = [
    ["PSTW-1", "Lighting", "Public lighting sensors.", "France", "Pilot", "City of Paris", "Local Government", "FR10"],
    ["PSTW-2", "Smart bins", "Waste bins sensors.", "France", "Pilot", "Lille European Metropole", "Regional Government", "FRE1"],
    ["PSTW-3", "Aria", "A chatbot for retired people.", "France", "Implemented", "National Old Age Insurance Fund (Cnav)", "Central-Government", "FR"],
    ["PSTW-4", "Face recognition", "At schools.", "France", "Not in use", "Nice and Marseille", "Local Government", "FR"],
    ["PSTW-5", "Robot", "A robot.", "France", "Pilot", "Saint Denis Innovation Lab", "Local Government", "FR10"],
    ["PSTW-6", "Traffic", "Traffic lights.", "Belgium", "Pilot", "City of Ghent", "Local Government", "BE2"],
]  # fmt: skip


def write(tmp_path, rows=ROWS):
    path = tmp_path / "pstw.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def case(external_id: str) -> UseCase:
    return UseCase.objects.prefetch_related("participants").get(external_id=external_id)


def test_import_gives_each_french_case_its_actor(universe, tmp_path):
    """A sure match makes the case its authority's (lead participant with its stratum, tab of
    French authorities); a national body's case is among the national actors; uncertain and
    unknown organisations wait for review outside the authorities' tab; foreign cases stay
    European."""
    summary = services.import_pstw(write(tmp_path))
    paris, lille, cnav, nice, lab, ghent = (case(f"PSTW-{n}") for n in range(1, 7))
    assert [(p.authority.code, p.stratum) for p in paris.participants.all()] == [
        ("75056", Stratum.COMMUNE_GT_100000)
    ]
    assert (paris.scope, paris.actor) == (Scope.FRANCE, Actor.AUTHORITY)
    assert [p.stratum for p in lille.participants.all()] == [Stratum.METROPOLE]
    assert (cnav.scope, cnav.actor, list(cnav.participants.all())) == (
        Scope.NATIONAL,
        Actor.NATIONAL,
        [],
    )
    assert (nice.scope, lab.scope, ghent.scope) == (Scope.NATIONAL, Scope.NATIONAL, Scope.EUROPE)
    assert [m.name for m in services.review_list()] == [
        "Nice and Marseille",
        "Saint Denis Innovation Lab",
    ]
    assert "2 correspondances à vérifier" in str(summary)


def test_analyst_decisions_survive_reimport(universe, tmp_path, users):
    """Accepting, correcting and rejecting are kept when the catalogue is imported again,
    and each applies at once to the organisation's cases."""
    services.import_pstw(write(tmp_path))
    nice = OrganisationMatch.objects.get(name="Nice and Marseille")
    lab = OrganisationMatch.objects.get(name="Saint Denis Innovation Lab")
    paris = OrganisationMatch.objects.get(name="City of Paris")
    services.decide_match(nice, "accept", by=users["analyst"])
    services.decide_match(lab, "change", code="93066", by=users["analyst"])
    services.decide_match(paris, "reject", by=users["analyst"])
    assert case("PSTW-4").scope == Scope.FRANCE
    assert [p.authority.name for p in case("PSTW-5").participants.all()] == ["Saint-Denis"]
    assert (case("PSTW-1").scope, list(case("PSTW-1").participants.all())) == (Scope.NATIONAL, [])

    rows = [[*row[:2], row[2] + " Updated.", *row[3:]] for row in ROWS]
    services.import_pstw(write(tmp_path, rows))
    assert OrganisationMatch.objects.get(pk=nice.pk).review == Review.ACCEPTED
    assert case("PSTW-4").scope == Scope.FRANCE
    assert [p.authority.code for p in case("PSTW-5").participants.all()] == ["93066"]
    assert case("PSTW-1").scope == Scope.NATIONAL
    assert list(services.review_list()) == []


@pytest.mark.parametrize("persona", ["anonymous", "reader", "referent_a"])
def test_only_analysts_decide(universe, tmp_path, users, persona):
    """Matches are an analyst's call: anyone else is refused and nothing changes."""
    services.import_pstw(write(tmp_path))
    match = OrganisationMatch.objects.get(name="Nice and Marseille")
    user = users[persona] or AnonymousVisitor()
    with pytest.raises(PermissionDenied):
        services.decide_match(match, "accept", by=user)
    assert OrganisationMatch.objects.get(pk=match.pk).review == Review.PENDING


def test_correction_needs_a_known_code(universe, tmp_path, users):
    """Correcting with a code that names no authority is refused with a French message."""
    services.import_pstw(write(tmp_path))
    match = OrganisationMatch.objects.get(name="Saint Denis Innovation Lab")
    with pytest.raises(ValidationError, match="Aucune collectivité"):
        services.decide_match(match, "change", code="99999", by=users["analyst"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_page_access(client_for, universe, tmp_path, persona):
    """The review list and its decisions are for analysts; others change nothing."""
    services.import_pstw(write(tmp_path))
    match = OrganisationMatch.objects.get(name="Nice and Marseille")
    client = client_for(persona)
    page = client.get(reverse("cas_usage:matches"))
    client.post(reverse("cas_usage:decide_match", args=[match.pk]), {"decision": "accept"})
    review = OrganisationMatch.objects.get(pk=match.pk).review
    if persona == "analyst":
        assert page.status_code == 200 and "Nice and Marseille" in page.content.decode()
        assert review == Review.ACCEPTED
    else:
        assert page.status_code in (302, 403) and review == Review.PENDING
