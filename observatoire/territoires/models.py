"""The universe of authorities: communes, EPCI, départements, régions and other public bodies."""

import unicodedata

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from observatoire.core.models import BaseModel
from observatoire.territoires.choices import EpciType, Kind, Stratum
from observatoire.territoires.strata import stratum_of


def normalize(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: the form searches compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for sep in "-'’":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())


class AuthorityQuerySet(models.QuerySet):
    def search(self, query: str):
        """Authorities whose name (ignoring accents and case) or code matches, best first."""
        text = normalize(query)
        if not text:
            return self.none()
        by_code = Q(code__startswith=query.strip()) | Q(siren=query.strip())
        by_name = Q(name_search__contains=text)
        return (
            self.filter(by_code | by_name)
            .annotate(
                rank=Case(
                    When(Q(code=query.strip()) | Q(siren=query.strip()), then=Value(0)),
                    When(name_search=text, then=Value(1)),
                    When(name_search__startswith=text, then=Value(2)),
                    default=Value(3),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-population", "name")
        )


class Authority(BaseModel):
    """A local authority or public body; identified by its kind and official code."""

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    code = models.CharField(
        _("code"),
        max_length=12,
        help_text=_("Code INSEE (commune, département, région) ou SIREN (EPCI, autres)."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    name = models.CharField(_("nom"), max_length=200)
    name_search = models.CharField(
        verbose_name=_("nom normalisé (recherche)"), max_length=200, editable=False, db_index=True
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    epci_type = models.CharField(
        _("nature de l'EPCI"), max_length=5, choices=EpciType.choices, blank=True
    )
    departement = models.CharField(_("département"), max_length=3, blank=True)
    region = models.CharField(_("région"), max_length=3, blank=True)
    epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI de rattachement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    stratum = models.CharField(_("strate"), max_length=24, choices=Stratum.choices, editable=False)
    vintage = models.PositiveSmallIntegerField(_("millésime"))
    is_active = models.BooleanField(
        _("en vigueur"), default=True, help_text=_("Faux si absente du dernier millésime.")
    )

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="authority_code")]
        indexes = [models.Index(fields=["stratum", "region"])]

    def __str__(self) -> str:
        if self.kind == Kind.COMMUNE and self.departement:
            return f"{self.name} ({self.departement})"
        return self.name

    def save(self, *args, **kwargs):
        self.name_search = normalize(self.name)
        self.stratum = stratum_of(self.kind, self.population, self.epci_type)
        super().save(*args, **kwargs)


class UniverseCount(models.Model):
    """How many authorities a vintage has per stratum and région: the weighting margins."""

    vintage = models.PositiveSmallIntegerField(_("millésime"))
    stratum = models.CharField(_("strate"), max_length=24, choices=Stratum.choices)
    region = models.CharField(_("région"), max_length=3, blank=True)
    count = models.PositiveIntegerField(_("nombre"))
    population = models.PositiveBigIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("effectif de l'univers")
        verbose_name_plural = _("effectifs de l'univers")
        constraints = [
            models.UniqueConstraint(fields=["vintage", "stratum", "region"], name="universe_cell")
        ]

    def __str__(self) -> str:
        return f"{self.vintage} {self.stratum} {self.region}: {self.count}"
