"""Every create, update and delete of a domain object is in the audit log, with its actor."""

import pytest

from observatoire.core.audit import acting_as
from observatoire.core.models import AuditEvent
from observatoire.territoires.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_logged_with_actor_and_values(users):
    analyst = users["analyst"]
    with acting_as(analyst):
        authority = AuthorityFactory(code="99001", name="Syndicat A", population=10)
        authority.name = "Syndicat B"
        authority.save()
        pk = authority.pk
        authority.delete()
    events = list(AuditEvent.objects.filter(model="territoires.authority", object_id=str(pk)))
    actions = [e.action for e in reversed(events)]
    assert actions == ["create", "update", "delete"]
    assert all(e.actor == analyst for e in events)
    update = events[1]
    assert update.changes == {
        "name": ["Syndicat A", "Syndicat B"],
        "name_search": ["syndicat a", "syndicat b"],
    }


def test_saving_some_fields_validates_them_and_logs_their_change(db):
    """save(update_fields=…) checks the fields it writes (not the others) and is logged."""
    from django.core.exceptions import ValidationError

    authority = AuthorityFactory(code="99003", name="Syndicat A")
    authority.kind = "pas-un-type"
    with pytest.raises(ValidationError):
        authority.save(update_fields=["kind"])
    authority.refresh_from_db()
    authority.name = "Syndicat C"
    authority.save(update_fields=["name", "updated_at"])
    update = AuditEvent.objects.filter(model="territoires.authority", action="update").first()
    assert update.changes["name"] == ["Syndicat A", "Syndicat C"]


def test_saving_without_change_logs_nothing(db):
    authority = AuthorityFactory(code="99002")
    before = AuditEvent.objects.count()
    authority.save()
    assert AuditEvent.objects.count() == before


def test_audit_log_page_is_for_analysts_only(client_for):
    assert client_for("analyst").get("/journal/").status_code == 200
    for persona in ["reader", "referent_a"]:
        assert client_for(persona).get("/journal/").status_code == 403
    anonymous = client_for("anonymous").get("/journal/")
    assert anonymous.status_code == 302 and "/comptes/connexion/" in anonymous["Location"]
