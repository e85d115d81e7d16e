"""The shared base model and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Timestamps, validation on every save, and an entry in the audit log for each change."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Validate what is written: every field, or those of `update_fields` only (a
        frequent small write, such as one answer saved, checks no foreign key again)."""
        written = kwargs.get("update_fields")
        if written is None:
            self.full_clean()
        else:
            names = {self._meta.get_field(name).name for name in written}
            self.full_clean(
                exclude=[f.name for f in self._meta.concrete_fields if f.name not in names]
            )
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("création")
        UPDATE = "update", _("modification")
        DELETE = "delete", _("suppression")
        EVENT = "event", _("action")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("type d'objet"), max_length=100, db_index=True)
    object_id = models.CharField(_("identifiant"), max_length=64, db_index=True)
    object_repr = models.CharField(_("objet"), max_length=255)
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("en file d'attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminé")
    FAILED = "failed", _("échec")


class Job(BaseModel):
    """Work done by the task queue's worker (core.jobs), followed by its page through this row.

    The worker beats `heartbeat_at` while it runs the job; a job whose beat stopped for
    longer than JOB_TIMEOUT_SECONDS lost its worker and is marked failed (core.jobs.recover).
    """

    status = models.CharField(
        _("statut"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    error = models.TextField(_("erreur"), blank=True)
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)


class WorkerHeartbeat(models.Model):
    """The last sign of life of each worker process (`observatoire worker`), for /sante/."""

    worker_id = models.CharField(_("processus"), max_length=64, unique=True)
    host = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("numéro de processus"))
    seen_at = models.DateTimeField(_("dernier signe de vie"))

    class Meta:
        verbose_name = _("processus de traitement")
        verbose_name_plural = _("processus de traitement")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
