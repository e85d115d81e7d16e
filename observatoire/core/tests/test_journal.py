"""The journal: filters by who, what object and when; values by their labels, not codes.
The register's public history shows labels too."""

import datetime

import pytest
from django.utils import timezone

from observatoire.core.audit import acting_as
from observatoire.core.models import AuditEvent, JobStatus
from observatoire.registre import services as register
from observatoire.registre.choices import LifeCycle
from observatoire.registre.factories import EntryFactory

pytestmark = pytest.mark.django_db
CLASSIFIED = {"ai_act_level": "minimal", "ai_act_answers": {"is_ai_system": True}}


def test_journal_shows_labels_not_codes(users, authority_a, client_for):
    """An entry moved from experiment to production reads « expérimentation → en
    production » with the field's French name; the raw codes are not shown."""
    with acting_as(users["referent_a"]):
        entry = EntryFactory(authority=authority_a, lifecycle=LifeCycle.EXPERIMENT)
        entry.lifecycle = LifeCycle.PRODUCTION
        entry.save()
    page = client_for("analyst").get("/journal/", {"model": "registre.entry"}).content.decode()
    before, after = LifeCycle.EXPERIMENT.label, LifeCycle.PRODUCTION.label
    assert f"<strong>étape</strong> : {before} → {after}" in page
    assert "experiment → production" not in page


def test_journal_shows_no_value_as_empty_not_none(users, client_for):
    """A created object's choice field that had no value before reads « ∅ → en file
    d'attente », never Python's « None »."""
    AuditEvent.objects.create(
        action=AuditEvent.Action.CREATE,
        model="barometre.reportjob",
        object_id="1",
        object_repr="Rapport",
        changes={"status": [None, JobStatus.PENDING.value], "version": [None, 1]},
    )
    page = client_for("analyst").get("/journal/").content.decode()
    assert "None" not in page
    assert " : ∅ → en file d&#x27;attente" in page or " : ∅ → en file d'attente" in page


def test_journal_filters_by_who_what_and_when(users, authority_a, client_for):
    """Each filter narrows the list: the actor's address, the kind of object, the dates."""
    with acting_as(users["referent_a"]):
        EntryFactory(authority=authority_a, name="Par la référente")
    with acting_as(users["colleague_a"]):
        EntryFactory(authority=authority_a, name="Par le collègue")
    old = AuditEvent.objects.get(object_repr="Par le collègue")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=30))
    client = client_for("analyst")

    def shown(**params) -> set[str]:
        page = client.get("/journal/", {"model": "registre.entry", **params}).content.decode()
        return {name for name in ("Par la référente", "Par le collègue") if name in page}

    assert shown() == {"Par la référente", "Par le collègue"}
    assert shown(actor=users["referent_a"].email.upper()) == {"Par la référente"}
    assert shown(actor="personne@example.org") == set()
    today = timezone.localdate()
    assert shown(since=today.isoformat()) == {"Par la référente"}
    assert shown(until=(today - datetime.timedelta(days=1)).isoformat()) == {"Par le collègue"}
    assert shown(model="territoires.authority") == set()


def test_public_history_shows_labels_not_codes(users, authority_a, client_for):
    """Version 2 of an entry that went into production: the public history reads the
    labels of its stage, not « experiment »."""
    entry = EntryFactory(authority=authority_a, lifecycle=LifeCycle.EXPERIMENT, **CLASSIFIED)
    register.submit_entry(entry, by=users["referent_a"])
    register.approve_entry(entry, by=users["colleague_a"])
    revision = register.start_revision(entry, by=users["referent_a"])
    revision.lifecycle = LifeCycle.PRODUCTION
    revision.save()
    register.submit_entry(revision, by=users["referent_a"])
    register.approve_entry(revision, by=users["colleague_a"])
    page = client_for("anonymous").get(f"/registre/fiche/{entry.pk}/historique/").content.decode()
    assert f"<del>{LifeCycle.EXPERIMENT.label}</del>" in page
    assert f"<ins>{LifeCycle.PRODUCTION.label}</ins>" in page


# Field names that are also the French word for the field.
SAME_IN_FRENCH = {
    "action", "architecture", "attribution", "code", "description", "maximum", "message",
    "minimum", "performance", "population", "questionnaire", "scores", "section", "service",
    "source", "type", "version",
}  # fmt: skip


def test_every_field_has_a_french_name():
    """The journal, the forms and the API docs name a field by its verbose name: none is
    left as Django derives it from the English field name (« started by »)."""
    from django.apps import apps

    english = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("observatoire.")
        for field in model._meta.concrete_fields
        if not field.auto_created
        and str(field.verbose_name) == field.name.replace("_", " ")
        and field.name not in SAME_IN_FRENCH
    ]
    assert english == []
