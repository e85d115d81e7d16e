"""The use-case catalogue: what authorities did with data and AI, with results and resources."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from observatoire.cas_usage.choices import (
    Actor,
    Domain,
    LinkKind,
    MatchKind,
    Origin,
    ResourceType,
    Review,
    Role,
    Scope,
    Stage,
    Status,
    Technology,
)
from observatoire.core import formats
from observatoire.core.models import BaseModel
from observatoire.territoires.choices import Stratum

FRANCE = "France"


def scope_of(country: str, actor: str = Actor.AUTHORITY) -> str:
    """The catalogue's tab of a case: French local authorities, French national bodies and
    other organisations, or elsewhere in Europe."""
    if country != FRANCE:
        return Scope.EUROPE
    return Scope.FRANCE if actor == Actor.AUTHORITY else Scope.NATIONAL


class UseCaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def awaiting_moderation(self):
        """Proposals, and published cases whose edit waits for an analyst."""
        return self.filter(
            models.Q(status=Status.PROPOSED) | models.Q(pending_edit__has_key="fields")
        )


class UseCase(BaseModel):
    """One use case: what was done, by whom, how far it went and what it changed."""

    title = models.CharField(_("titre"), max_length=300)
    summary = models.TextField(_("résumé"), help_text=_("Deux ou trois phrases."))
    description = models.TextField(_("description"), blank=True)
    domain = models.CharField(_("domaine"), max_length=30, choices=Domain.choices)
    technology = models.CharField(_("technologie"), max_length=30, choices=Technology.choices)
    stage = models.CharField(_("stade"), max_length=20, choices=Stage.choices)
    stage_reason = models.TextField(
        _("précisions sur le stade"),
        blank=True,
        help_text=_("Pour un projet abandonné : pourquoi."),
    )
    start_year = models.PositiveSmallIntegerField(_("année de début"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("année de fin"), null=True, blank=True)
    cost = models.TextField(_("coût"), blank=True)
    funding = models.TextField(_("financement"), blank=True)
    supplier = models.CharField(_("prestataire"), max_length=300, blank=True)
    lessons = models.TextField(_("enseignements et conditions de réplication"), blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse du contact"), blank=True)
    country = models.CharField(_("pays"), max_length=60, default=FRANCE)
    scope = models.CharField(_("périmètre"), max_length=10, choices=Scope.choices, editable=False)
    actor = models.CharField(
        _("porté par"), max_length=12, choices=Actor.choices, default=Actor.AUTHORITY
    )
    language = models.CharField(
        _("langue des textes"),
        max_length=5,
        default="fr",
        help_text=_("Code de langue (fr, en) : les textes en anglais sont signalés comme tels."),
    )
    organisation = models.CharField(_("organisation responsable"), max_length=300, blank=True)
    organisation_category = models.CharField(
        _("catégorie d'organisation"), max_length=100, blank=True
    )
    organisation_match = models.ForeignKey(
        "OrganisationMatch",
        verbose_name=_("correspondance de l'organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    cofog = models.CharField(_("fonction des administrations (COFOG)"), max_length=100, blank=True)
    impacts = models.JSONField(_("effets attendus ou constatés"), default=list, blank=True)
    origin = models.CharField(
        _("origine"), max_length=20, choices=Origin.choices, default=Origin.OBSERVATOIRE
    )
    external_id = models.CharField(_("identifiant externe"), max_length=40, blank=True)
    external_url = models.URLField(_("fiche d'origine"), max_length=500, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    content_hash = models.CharField(
        verbose_name=_("empreinte du contenu"), max_length=64, blank=True, editable=False
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    moderation_note = models.TextField(_("message de modération"), blank=True)
    # A référent's edit of a published case, kept aside until an analyst accepts it (the
    # public keeps reading the published text): {"fields", "results", "links",
    # "register_entries", "by"}; null when no edit waits. Nullable so that SQLite adds the
    # column in place: rebuilding the table would drop the search triggers (core.search).
    pending_edit = models.JSONField(
        _("modification en attente de modération"), null=True, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True, db_index=True)
    register_entries = models.ManyToManyField(
        "registre.Entry",
        verbose_name=_("entrées du registre des systèmes d'IA"),
        blank=True,
        related_name="use_cases",
        help_text=_("Les systèmes de votre registre que ce cas d'usage met en œuvre."),
    )

    objects = UseCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("cas d'usage")
        verbose_name_plural = _("cas d'usage")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "external_id"],
                condition=~models.Q(external_id=""),
                name="use_case_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["status", "scope"]),
            models.Index(fields=["status", "domain"]),
            # Covers the facet counts: grouping the matches never reads the long texts.
            models.Index(
                fields=["status", "scope", "domain", "technology", "stage", "country"],
                include=["id"],
                name="use_case_facets_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.scope = scope_of(self.country, self.actor)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cas_usage:detail", args=[self.pk])

    @property
    def foreign_language(self) -> str:
        """The texts' language code when it is not French (for lang="…"), else ""."""
        return "" if self.language == "fr" else self.language

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def lead_authority(self):
        lead = next((p for p in self.participants.all() if p.role == Role.LEAD), None)
        return lead.authority if lead else None


class Participant(BaseModel):
    """An authority involved in a case; external organisations are kept by name only."""

    use_case = models.ForeignKey(
        UseCase,
        verbose_name=_("cas d'usage"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="use_cases",
    )
    name = models.CharField(_("nom"), max_length=300)
    stratum = models.CharField(_("strate"), max_length=24, choices=Stratum.choices, blank=True)
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices, default=Role.LEAD)

    class Meta:
        verbose_name = _("collectivité impliquée")
        verbose_name_plural = _("collectivités impliquées")
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.authority is not None:
            self.name = self.name or str(self.authority)
            self.stratum = self.authority.stratum
        super().save(*args, **kwargs)


class Result(BaseModel):
    """A measured result: a figure before and after, with its unit and its source."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("cas d'usage"), on_delete=models.CASCADE, related_name="results"
    )
    indicator = models.CharField(_("indicateur"), max_length=200)
    before = models.DecimalField(_("avant"), max_digits=14, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("après"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    note = models.CharField(_("précision"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("résultat mesuré")
        verbose_name_plural = _("résultats mesurés")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.indicator

    def _with_unit(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        return (
            f"{formats.number(value)}\u00a0{self.unit}".strip()
            if self.unit
            else formats.number(value)
        )

    @property
    def before_text(self) -> str:
        return self._with_unit(self.before)

    @property
    def after_text(self) -> str:
        return self._with_unit(self.after)


class Link(BaseModel):
    """A source, a reusable resource or a register entry, by URL."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("cas d'usage"), on_delete=models.CASCADE, related_name="links"
    )
    kind = models.CharField(_("nature"), max_length=12, choices=LinkKind.choices)
    title = models.CharField(_("titre"), max_length=300)
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    resource_type = models.CharField(
        _("type de ressource"), max_length=20, choices=ResourceType.choices, blank=True
    )

    class Meta:
        verbose_name = _("lien")
        verbose_name_plural = _("liens")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.title


class Adoption(BaseModel):
    """ "We do this too": an authority says it runs a similar project."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("cas d'usage"), on_delete=models.CASCADE, related_name="adoptions"
    )
    authority = models.ForeignKey(
        "territoires.Authority", verbose_name=_("collectivité"), on_delete=models.CASCADE
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déclaré par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("« nous le faisons aussi »")
        verbose_name_plural = _("« nous le faisons aussi »")
        constraints = [
            models.UniqueConstraint(fields=["use_case", "authority"], name="adoption_once")
        ]

    def __str__(self) -> str:
        return f"{self.authority} — {self.use_case}"


class ThesaurusEntry(BaseModel):
    """A group of equivalent terms of the field, French then English: a query for one finds
    the cases that use another (see core.search.french). Shipped in data/thesaurus.yaml; a group
    an analyst edited (`edited_by`) is no longer rewritten by that file."""

    key = models.SlugField(_("clé"), max_length=100, unique=True)
    theme = models.CharField(_("thème"), max_length=30, choices=Domain.choices, blank=True)
    french = models.TextField(
        _("termes français"), help_text=_("Un terme par ligne ; le premier nomme le groupe.")
    )
    english = models.TextField(
        _("équivalents anglais"),
        blank=True,
        help_text=_("Un terme par ligne : ils font trouver les cas européens, en anglais."),
    )
    is_active = models.BooleanField(_("en usage"), default=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entrée du thésaurus")
        verbose_name_plural = _("thésaurus")
        ordering = ["theme", "key"]

    def __str__(self) -> str:
        return self.french.splitlines()[0] if self.french else self.key

    def terms(self) -> list[str]:
        """Every term of the group, French first."""
        lines = f"{self.french}\n{self.english}".splitlines()
        return [t.strip() for t in lines if t.strip()]


class OrganisationMatch(BaseModel):
    """A PSTW organisation, as the matcher read it and as an analyst decided: the authority it
    is (then its cases are that authority's), or a national body, or another organisation.
    Kept by its name across re-imports; a decided match is never proposed again."""

    key = models.CharField(_("clé"), max_length=300, unique=True)
    name = models.CharField(_("organisation"), max_length=300)
    category = models.CharField(_("catégorie PSTW"), max_length=100, blank=True)
    nuts = models.CharField(_("code NUTS"), max_length=10, blank=True)
    kind = models.CharField(_("nature"), max_length=12, choices=MatchKind.choices)
    authority = models.ForeignKey(
        "territoires.Authority",
        verbose_name=_("collectivité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("motif de la proposition"), max_length=300, blank=True)
    review = models.CharField(_("vérification"), max_length=12, choices=Review.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("correspondance d'organisation")
        verbose_name_plural = _("correspondances d'organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_decided(self) -> bool:
        return self.review in (Review.ACCEPTED, Review.CHANGED, Review.REJECTED)

    @property
    def actor(self) -> str:
        """Who carries this organisation's cases, as the catalogue shows it."""
        if self.authority_id and self.review in (Review.SURE, Review.ACCEPTED, Review.CHANGED):
            return Actor.AUTHORITY
        if self.kind == MatchKind.NATIONAL and self.review != Review.REJECTED:
            return Actor.NATIONAL
        return Actor.OTHER
