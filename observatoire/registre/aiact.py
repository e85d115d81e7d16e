"""Guided EU AI Act classification (Regulation (EU) 2024/1689), as a pure function.

`classify(answers)` turns yes/no answers into a level and the reasoning that led to it:
article 5 prohibited practices first, then the Annex III high-risk areas that concern local
authorities (with the article 6(3) derogation, which never applies to profiling), then the
article 50 transparency duties, otherwise minimal risk. Transparency duties are listed
even when a stricter level applies, since they add up. The questions are kept here so the
wizard, the stored answers and the tests share one list.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from observatoire.registre.choices import RiskLevel


@dataclass(frozen=True)
class Question:
    code: str
    step: str
    label: str | Promise
    help: str | Promise = ""


STEPS = {
    "scope": _("1. Est-ce un système d'IA ?"),
    "prohibited": _("2. Pratiques interdites (article 5)"),
    "high": _("3. Domaines à haut risque (annexe III)"),
    "transparency": _("4. Transparence (article 50)"),
}

QUESTIONS = [
    Question(
        "is_ai_system",
        "scope",
        _(
            "Le système déduit de ses données comment produire des prédictions, contenus, recommandations ou décisions (il n'applique pas seulement des règles écrites par des humains)"
        ),
        _("Article 3, point 1. Un barème de calcul codé à la main n'est pas un système d'IA."),
    ),
    Question(
        "social_scoring",
        "prohibited",
        _(
            "Il note des personnes d'après leur comportement social ou leur personnalité, avec un traitement défavorable sans rapport avec le contexte d'origine"
        ),
        _("Article 5, 1, c."),
    ),
    Question(
        "manipulation",
        "prohibited",
        _(
            "Il recourt à des techniques subliminales ou manipulatrices, ou exploite la vulnérabilité liée à l'âge, au handicap ou à la situation sociale"
        ),
        _("Article 5, 1, a et b."),
    ),
    Question(
        "crime_prediction_profiling",
        "prohibited",
        _(
            "Il évalue le risque qu'une personne commette une infraction uniquement à partir de son profilage ou de ses traits de personnalité"
        ),
        _("Article 5, 1, d."),
    ),
    Question(
        "face_scraping",
        "prohibited",
        _(
            "Il constitue une base de reconnaissance faciale par moissonnage non ciblé d'images (internet, vidéosurveillance)"
        ),
        _("Article 5, 1, e."),
    ),
    Question(
        "emotion_work_education",
        "prohibited",
        _(
            "Il infère les émotions d'agents sur leur lieu de travail ou d'élèves dans un établissement d'enseignement (hors raisons médicales ou de sécurité)"
        ),
        _("Article 5, 1, f."),
    ),
    Question(
        "biometric_sensitive_categorisation",
        "prohibited",
        _(
            "Il déduit de données biométriques l'origine, les opinions, la religion, l'orientation sexuelle ou l'appartenance syndicale"
        ),
        _("Article 5, 1, g."),
    ),
    Question(
        "realtime_biometric_identification",
        "prohibited",
        _(
            "Il identifie des personnes à distance et en temps réel par leurs données biométriques (visage, démarche) dans l'espace public, à des fins répressives"
        ),
        _("Article 5, 1, h : vidéosurveillance avec reconnaissance faciale."),
    ),
    Question(
        "biometric_exception_authorised",
        "prohibited",
        _(
            "Cet usage relève d'une exception de l'article 5, 1, h (recherche ciblée de victimes, menace terroriste imminente, suspect d'infraction grave), autorisée par une autorité judiciaire ou indépendante et prévue par la loi nationale"
        ),
        _("Article 5, 2 et 3."),
    ),
    Question(
        "remote_biometric_identification",
        "high",
        _(
            "Il identifie des personnes à distance par leurs données biométriques (a posteriori ou hors fins répressives)"
        ),
        _("Annexe III, point 1, a."),
    ),
    Question(
        "biometric_categorisation_or_emotion",
        "high",
        _(
            "Il catégorise des personnes ou reconnaît leurs émotions à partir de données biométriques"
        ),
        _("Annexe III, point 1, b et c."),
    ),
    Question(
        "critical_infrastructure",
        "high",
        _(
            "Il est un composant de sécurité de la gestion d'une infrastructure critique : eau, gaz, chauffage, électricité, trafic routier, infrastructure numérique"
        ),
        _(
            "Annexe III, point 2. Une aide à la priorisation des inspections n'est pas un composant de sécurité."
        ),
    ),
    Question(
        "education_access",
        "high",
        _(
            "Il décide de l'admission ou de l'affectation d'élèves, évalue leurs acquis ou surveille les examens"
        ),
        _("Annexe III, point 3."),
    ),
    Question(
        "employment",
        "high",
        _(
            "Il sert au recrutement, à la promotion, au licenciement, à l'attribution des tâches ou à l'évaluation des agents"
        ),
        _("Annexe III, point 4."),
    ),
    Question(
        "public_benefits",
        "high",
        _(
            "Il évalue l'éligibilité de personnes à des prestations ou services publics essentiels (aide sociale, logement, santé), ou les accorde, réduit, révoque ou récupère"
        ),
        _("Annexe III, point 5, a."),
    ),
    Question(
        "emergency_triage",
        "high",
        _("Il évalue ou classe les appels d'urgence, ou priorise l'envoi des secours"),
        _("Annexe III, point 5, d."),
    ),
    Question(
        "law_enforcement",
        "high",
        _(
            "Il est utilisé par la police municipale pour évaluer le risque qu'une personne soit victime ou auteur d'infraction, la fiabilité de preuves ou pour profiler des personnes"
        ),
        _("Annexe III, point 6."),
    ),
    Question(
        "elections",
        "high",
        _(
            "Il vise à influencer le résultat d'une élection ou d'un référendum ou le comportement de vote"
        ),
        _("Annexe III, point 8, b."),
    ),
    Question(
        "profiling",
        "high",
        _(
            "Il établit le profil de personnes physiques (évaluation automatisée d'aspects de leur vie)"
        ),
        _(
            "Article 6, 3, dernier alinéa : un système de l'annexe III qui profile des personnes est toujours à haut risque."
        ),
    ),
    Question(
        "narrow_procedural_task",
        "high",
        _(
            "Il n'accomplit qu'une tâche procédurale étroite, améliore le résultat d'une activité humaine déjà achevée, ou prépare une évaluation qu'un agent mène ensuite, sans influencer substantiellement la décision"
        ),
        _("Article 6, 3 : dérogation à documenter et à enregistrer (article 49, 2)."),
    ),
    Question(
        "interacts_with_people",
        "transparency",
        _("Il dialogue directement avec des personnes (agent conversationnel, assistant vocal)"),
        _("Article 50, 1."),
    ),
    Question(
        "generates_content",
        "transparency",
        _("Il génère ou modifie des textes, images, sons ou vidéos"),
        _("Article 50, 2 et 4."),
    ),
    Question(
        "publishes_generated_text",
        "transparency",
        _(
            "Des textes générés sont publiés pour informer le public sur des questions d'intérêt public sans relecture éditoriale humaine"
        ),
        _("Article 50, 4, second alinéa."),
    ),
    Question(
        "deepfake",
        "transparency",
        _(
            "Il produit des images, sons ou vidéos réalistes de personnes, lieux ou événements (hypertrucages)"
        ),
        _("Article 50, 4, premier alinéa."),
    ),
]

QUESTION_CODES = [q.code for q in QUESTIONS]

ANNEX_III = {
    "remote_biometric_identification": _(
        "annexe III, point 1, a (identification biométrique à distance)"
    ),
    "biometric_categorisation_or_emotion": _(
        "annexe III, point 1, b-c (catégorisation biométrique, reconnaissance des émotions)"
    ),
    "critical_infrastructure": _("annexe III, point 2 (infrastructures critiques)"),
    "education_access": _("annexe III, point 3 (éducation)"),
    "employment": _("annexe III, point 4 (emploi, gestion des agents)"),
    "public_benefits": _(
        "annexe III, point 5, a (accès aux prestations et services publics essentiels)"
    ),
    "emergency_triage": _("annexe III, point 5, d (appels d'urgence)"),
    "law_enforcement": _("annexe III, point 6 (répression)"),
    "elections": _("annexe III, point 8, b (processus démocratiques)"),
}

PROHIBITED = {
    "social_scoring": _("notation sociale (article 5, 1, c)"),
    "manipulation": _("manipulation ou exploitation de vulnérabilités (article 5, 1, a-b)"),
    "crime_prediction_profiling": _(
        "prédiction d'infraction par le seul profilage (article 5, 1, d)"
    ),
    "face_scraping": _("moissonnage non ciblé d'images faciales (article 5, 1, e)"),
    "emotion_work_education": _(
        "reconnaissance des émotions au travail ou à l'école (article 5, 1, f)"
    ),
    "biometric_sensitive_categorisation": _(
        "catégorisation biométrique sensible (article 5, 1, g)"
    ),
}

TRANSPARENCY = {
    "interacts_with_people": _(
        "informer les personnes qu'elles dialoguent avec une IA (article 50, 1)"
    ),
    "generates_content": _(
        "marquer les contenus générés comme artificiels, de façon lisible par machine (article 50, 2, obligation du fournisseur)"
    ),
    "publishes_generated_text": _(
        "indiquer que les textes publiés ont été générés par une IA (article 50, 4)"
    ),
    "deepfake": _(
        "déclarer que les images, sons ou vidéos ont été générés ou manipulés (article 50, 4)"
    ),
    "biometric_categorisation_or_emotion": _(
        "informer les personnes exposées à la reconnaissance des émotions ou à la catégorisation biométrique (article 50, 3)"
    ),
}

HIGH_RISK_DEPLOYER_DUTIES = [
    _(
        "enregistrer l'utilisation dans la base de données de l'UE avant la mise en service (article 49, 3 ; annexe VIII, section C)"
    ),
    _("réaliser une analyse d'impact sur les droits fondamentaux (article 27)"),
    _(
        "respecter les obligations du déployeur (article 26) : notice, contrôle humain, journaux, information des personnes"
    ),
]


@dataclass
class Classification:
    level: str
    reasoning: list[Any] = field(default_factory=list)
    obligations: list[Any] = field(default_factory=list)
    annex_iii: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "reasoning": [str(r) for r in self.reasoning],
            "obligations": [str(o) for o in self.obligations],
            "annex_iii": list(self.annex_iii),
        }


def clean_answers(answers: dict) -> dict[str, bool]:
    """Only known questions, as booleans; unknown keys are dropped."""
    return {code: bool(answers.get(code)) for code in QUESTION_CODES}


def classify(answers: dict) -> Classification:
    """Answers (question code → yes/no) → level, reasoning and duties."""
    a = clean_answers(answers)
    transparency = [str(TRANSPARENCY[c]) for c in TRANSPARENCY if a[c]]

    if not a["is_ai_system"]:
        return Classification(
            RiskLevel.NOT_AI,
            [
                _(
                    "Le système applique des règles définies par des humains : ce n'est pas un système d'IA au sens de l'article 3, 1 ; le règlement ne s'applique pas."
                ),
                _(
                    "Les obligations françaises (articles L311-3-1 et L312-1-3 du CRPA) et le RGPD restent applicables."
                ),
            ],
        )

    prohibited = [str(PROHIBITED[c]) for c in PROHIBITED if a[c]]
    if a["realtime_biometric_identification"] and not a["biometric_exception_authorised"]:
        prohibited.append(
            str(
                _(
                    "identification biométrique à distance en temps réel dans l'espace public à des fins répressives, hors exception autorisée (article 5, 1, h)"
                )
            )
        )
    reasons: list[Any] = []
    if prohibited:
        reasons = [_("Pratique interdite depuis le 2 février 2025 : ") + p for p in prohibited]
        reasons.append(
            _("Le système ne peut pas être mis en service ; s'il l'est, il doit être arrêté.")
        )
        return Classification(RiskLevel.PROHIBITED, reasons)

    areas = [code for code in ANNEX_III if a[code]]
    if a["realtime_biometric_identification"] and "remote_biometric_identification" not in areas:
        # Authorised exception of article 5(2): the system remains a high-risk one.
        areas.insert(0, "remote_biometric_identification")
    if areas:
        labels = [str(ANNEX_III[c]) for c in areas]
        if a["realtime_biometric_identification"]:
            reasons.append(
                _(
                    "L'identification biométrique en temps réel relève d'une exception autorisée de l'article 5, 2 : elle n'est pas interdite mais reste à haut risque."
                )
            )
        if a["narrow_procedural_task"] and not a["profiling"]:
            reasons.append(_("Domaine de l'annexe III : ") + ", ".join(labels) + ".")
            reasons.append(
                _(
                    "Dérogation de l'article 6, 3 : le système n'accomplit qu'une tâche préparatoire ou procédurale et ne profile pas de personnes ; il n'est pas à haut risque, mais cette évaluation doit être documentée et enregistrée (article 6, 4 et article 49, 2)."
                )
            )
        else:
            reasons.append(_("Système à haut risque : ") + ", ".join(labels) + ".")
            if a["profiling"]:
                reasons.append(
                    _(
                        "Il profile des personnes physiques : la dérogation de l'article 6, 3 est exclue."
                    )
                )
            obligations = [str(d) for d in HIGH_RISK_DEPLOYER_DUTIES] + transparency
            return Classification(RiskLevel.HIGH, reasons, obligations, areas)

    if transparency:
        reasons.append(_("Aucune pratique interdite ni domaine à haut risque applicable."))
        reasons.append(
            _("Obligations de transparence de l'article 50 : ") + "; ".join(transparency) + "."
        )
        return Classification(RiskLevel.TRANSPARENCY, reasons, transparency, areas)

    reasons.append(
        _(
            "Aucune pratique interdite, aucun domaine à haut risque applicable, aucune obligation de transparence : risque minimal."
        )
    )
    reasons.append(
        _(
            "Seule l'obligation générale de maîtrise de l'IA par les agents s'applique (article 4), ainsi que les codes de conduite volontaires (article 95)."
        )
    )
    return Classification(
        RiskLevel.MINIMAL,
        reasons,
        [str(_("former les agents qui utilisent le système (article 4)"))],
        areas,
    )


# Deployer obligations (article 26) as a checklist kept per entry.
DEPLOYER_CHECKLIST = [
    ("instructions", _("Utiliser le système conformément à la notice du fournisseur (art. 26, 1)")),
    (
        "oversight",
        _(
            "Confier le contrôle humain à des agents compétents, formés et disposant de l'autorité nécessaire (art. 26, 2)"
        ),
    ),
    (
        "input_data",
        _(
            "Veiller à la pertinence et à la représentativité des données d'entrée maîtrisées (art. 26, 4)"
        ),
    ),
    (
        "monitoring",
        _(
            "Surveiller le fonctionnement et signaler les risques et incidents graves au fournisseur et à l'autorité (art. 26, 5)"
        ),
    ),
    ("logs", _("Conserver les journaux générés au moins six mois (art. 26, 6)")),
    (
        "staff_information",
        _(
            "Informer les représentants du personnel et les agents concernés avant la mise en service sur le lieu de travail (art. 26, 7)"
        ),
    ),
    (
        "registration",
        _(
            "Vérifier l'enregistrement dans la base de données de l'UE et s'y enregistrer comme déployeur public (art. 26, 8 ; art. 49, 3)"
        ),
    ),
    ("dpia", _("Utiliser la notice pour réaliser l'analyse d'impact RGPD (art. 26, 9)")),
    (
        "affected_persons",
        _(
            "Informer les personnes qu'une décision les concernant est prise ou assistée par le système (art. 26, 11)"
        ),
    ),
    ("cooperation", _("Coopérer avec les autorités de surveillance (art. 26, 12)")),
]

# Fundamental-rights impact assessment (article 27(1), a to f).
FRIA_SECTIONS = [
    (
        "process",
        _(
            "Processus dans lequel le système est utilisé, conformément à sa destination (art. 27, 1, a)"
        ),
    ),
    ("period_frequency", _("Période et fréquence d'utilisation (art. 27, 1, b)")),
    (
        "affected_groups",
        _("Catégories de personnes et groupes susceptibles d'être concernés (art. 27, 1, c)"),
    ),
    ("risks", _("Risques spécifiques de préjudice pour ces personnes et groupes (art. 27, 1, d)")),
    ("oversight", _("Mesures de contrôle humain, selon la notice (art. 27, 1, e)")),
    (
        "mitigation",
        _(
            "Mesures en cas de matérialisation des risques : gouvernance interne, réclamations (art. 27, 1, f)"
        ),
    ),
]
