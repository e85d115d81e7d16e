"""Audit log: every create, update and delete of a BaseModel is recorded with its actor.

The actor is whoever is "acting" in the current context: the request's user (set by
AuditActorMiddleware) or the user a service or command names with `acting_as(user)`.
A contextvar keeps this correct across threads and async tasks.
"""

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _actor.set(user if getattr(user, "is_authenticated", False) else None)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    return _actor.get()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Concrete field values, as JSON-ready data (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"created_at", "updated_at", "password"}:
            continue
        data[field.name] = _plain(getattr(instance, field.attname))
    return data


def record(action: str, instance: models.Model, changes: dict | None = None, message: str = ""):
    return _create(
        action, instance._meta.label_lower, str(instance.pk), str(instance), changes, message
    )


def _create(action, model, object_id, object_repr, changes, message):
    from observatoire.core.models import AuditEvent

    return AuditEvent.objects.create(
        actor=current_actor(),
        action=action,
        model=model,
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=changes or {},
        message=message,
    )


def _is_audited(sender: type) -> bool:
    from observatoire.core.models import BaseModel

    return issubclass(sender, BaseModel) and getattr(sender, "audited", True)


def read_before(instance: models.Model) -> None:
    """The instance was just read under a row lock: its next save's "before" is this
    state, so the audit need not read the row again (the lock holder's time is shortest)."""
    instance._audit_read = snapshot(instance)  # type: ignore[attr-defined]


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance._state.adding:
        return
    read = instance.__dict__.pop("_audit_read", None)  # once: a later save reads again
    if read is not None:
        instance._audit_before = read
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = snapshot(instance)
    if created:
        record("create", instance, {key: [None, value] for key, value in after.items()})
        return
    before = getattr(instance, "_audit_before", None) or {}
    diff = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if diff:
        record("update", instance, diff)


def _after_delete(sender, instance, **kwargs):
    if _is_audited(sender):
        record("delete", instance, {k: [v, None] for k, v in snapshot(instance).items()})


def connect_signals() -> None:
    pre_save.connect(_before_save, dispatch_uid="audit_pre_save")
    post_save.connect(_after_save, dispatch_uid="audit_post_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_post_delete")


def record_event(model: str, object_id: str, message: str, changes: dict | None = None):
    """Log an action that is not a single object's save (an import, a publication…)."""
    return _create("event", model, object_id, message, changes, message)
