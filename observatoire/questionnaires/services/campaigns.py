"""The analyst's campaign: the sample, invitations, reminders and response rates."""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from observatoire.accounts import notifications
from observatoire.accounts.choices import NotificationKind, Role
from observatoire.accounts.models import User
from observatoire.accounts.services import invite_referent
from observatoire.core.audit import acting_as, record_event
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.models import Questionnaire, Response, SampleMember
from observatoire.questionnaires.services.importers import ImportRejected, decode
from observatoire.territoires.choices import Stratum
from observatoire.territoires.models import Authority


@transaction.atomic
def add_strata_to_sample(questionnaire: Questionnaire, strata: list[str], *, by: Any) -> int:
    """Add every active authority of the strata to the sample; returns how many were new."""
    ids = Authority.objects.filter(stratum__in=strata, is_active=True).values_list("pk", flat=True)
    return _add(questionnaire, dict.fromkeys(ids, ""), by, f"strates {', '.join(strata)}")


@transaction.atomic
def add_sirens_to_sample(questionnaire: Questionnaire, data: bytes, *, by: Any) -> int:
    """Add the authorities of a CSV list of SIREN codes (with an optional `email` column
    for authorities that have no référent yet); unknown codes reject the whole file."""
    text = decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))
    except csv.Error as error:  # a field over csv's limit, a broken quote
        raise ImportRejected([f"CSV illisible : {error}."]) from error
    if not rows:
        raise ImportRejected(["Le fichier est vide."])
    header = [h.strip().lower() for h in rows[0]]
    column = header.index("siren") if "siren" in header else 0
    email_column = next((header.index(h) for h in ("email", "courriel") if h in header), None)
    start = 1 if header and not header[column].isdigit() else 0
    sirens: dict[str, tuple[int, str]] = {}
    errors = []
    for number, row in enumerate(rows[start:], start=start + 1):
        siren = row[column].strip().replace(" ", "") if len(row) > column else ""
        email = (
            row[email_column].strip()
            if email_column is not None and len(row) > email_column
            else ""
        )
        if not siren:
            continue
        if not (siren.isdigit() and len(siren) == 9):
            errors.append(f"Ligne {number}, colonne « siren » : « {siren} » n'est pas un SIREN.")
        elif email and ("@" not in email or " " in email):
            errors.append(f"Ligne {number}, colonne « email » : « {email} » n'est pas une adresse.")
        else:
            sirens[siren] = (number, email)
    found = dict(Authority.objects.filter(siren__in=sirens).values_list("siren", "pk"))
    errors += [
        f"Ligne {line}, colonne « siren » : aucune collectivité n'a le SIREN {siren}."
        for siren, (line, _) in sirens.items()
        if siren not in found
    ]
    if errors:
        raise ImportRejected(errors)
    members = {found[siren]: email for siren, (_, email) in sirens.items()}
    return _add(questionnaire, members, by, "liste de SIREN")


def _add(questionnaire, members: dict[int, str], by, origin: str) -> int:
    existing = set(questionnaire.sample.values_list("authority_id", flat=True))
    new = [
        SampleMember(questionnaire=questionnaire, authority_id=pk, email=email)
        for pk, email in members.items()
        if pk not in existing
    ]
    SampleMember.objects.bulk_create(new, batch_size=1000)
    with acting_as(by):
        record_event(
            "questionnaires.questionnaire",
            str(questionnaire.pk),
            f"Échantillon : {len(new)} collectivités ajoutées ({origin}).",
        )
    return len(new)


def _referent_emails(authority_ids) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    referents = User.objects.filter(
        role=Role.REFERENT, authority_id__in=authority_ids, is_active=True
    )
    for authority_id, email in referents.values_list("authority_id", "email"):
        emails.setdefault(authority_id, []).append(email)
    return emails


def _message(questionnaire: Questionnaire, authority, reminder: bool) -> tuple[str, str]:
    link = settings.SITE_URL + reverse("questionnaires:index")
    subject = ("Relance : " if reminder else "") + f"{questionnaire.title} — {authority.name}"
    body = (
        "Bonjour,\n\n"
        + (
            "Sauf erreur, la réponse de votre collectivité ne nous est pas encore parvenue.\n"
            if reminder
            else ""
        )
        + f"L'observatoire invite {authority.name} à répondre au questionnaire "
        f"« {questionnaire.title} » (environ 20 minutes). Vos réponses sont enregistrées au "
        f"fil de la saisie ; vous pouvez reprendre à tout moment :\n{link}\n\nMerci !\n"
    )
    return subject, body


@dataclass
class Mailing:
    sent: int
    without_contact: int
    opted_out: int = 0

    def summary(self, reminder: bool) -> str:
        """What was sent and, when some were not, why (« 570 sans adresse de contact »)."""
        if reminder:
            parts = [ngettext("%(n)s relance envoyée", "%(n)s relances envoyées", self.sent)]
        else:
            parts = [ngettext("%(n)s invitation envoyée", "%(n)s invitations envoyées", self.sent)]
        if self.without_contact:
            parts.append(gettext("%(without)s sans adresse de contact"))
        if self.opted_out:
            parts.append(
                ngettext(
                    "%(off)s dont les référents ont désactivé les relances",
                    "%(off)s dont les référents ont désactivé les relances",
                    self.opted_out,
                )
            )
        if not (self.sent or self.without_contact or self.opted_out):
            return gettext("Aucune collectivité n'attend d'envoi : rien n'a été envoyé.")
        values = {"n": self.sent, "without": self.without_contact, "off": self.opted_out}
        return " ; ".join(parts) % values + "."


@transaction.atomic
def send_invitations(questionnaire: Questionnaire, *, by: Any) -> Mailing:
    """E-mail the référents of sample members not yet invited (or invite the contact)."""
    members = list(questionnaire.sample.select_related("authority").filter(invited_at__isnull=True))
    emails = _referent_emails([m.authority_id for m in members])
    messages, invited, without = [], [], 0
    for member in members:
        recipients = emails.get(member.authority_id, [])
        if recipients:
            subject, body = _message(questionnaire, member.authority, reminder=False)
            messages.append((subject, body, None, recipients))
        elif member.email:
            invite_referent(member.email, member.authority, by)
        else:
            without += 1
            continue
        invited.append(member.pk)
    send_mass_mail(messages)
    with acting_as(by):
        SampleMember.objects.filter(pk__in=invited).update(invited_at=timezone.now())
        record_event(
            "questionnaires.questionnaire",
            str(questionnaire.pk),
            f"Invitations envoyées : {len(invited)} ; sans contact : {without}.",
        )
    return Mailing(len(invited), without)


@transaction.atomic
def send_reminders(questionnaire: Questionnaire, *, by: Any) -> Mailing:
    """Remind the invited members whose response is not submitted yet."""
    answered = Response.objects.filter(
        questionnaire=questionnaire, status=ResponseStatus.SUBMITTED
    ).values("authority_id")
    members = list(
        questionnaire.sample.select_related("authority")
        .filter(invited_at__isnull=False)
        .exclude(authority_id__in=answered)
    )
    emails = _referent_emails([m.authority_id for m in members])
    off = notifications.opted_out_emails(
        NotificationKind.CAMPAIGN_REMINDER, [e for found in emails.values() for e in found]
    )
    messages, reminded, opted_out = [], [], 0
    for member in members:
        referents = emails.get(member.authority_id, [])
        recipients = [e for e in referents if e not in off] if referents else [member.email]
        if recipients and all(recipients):
            subject, body = _message(questionnaire, member.authority, reminder=True)
            messages.append((subject, body, None, recipients))
            reminded.append(member)
        opted_out += bool(referents and not recipients)
    send_mass_mail(messages)
    now = timezone.now()
    for member in reminded:
        member.reminded_at, member.reminders = now, member.reminders + 1
    SampleMember.objects.bulk_update(reminded, ["reminded_at", "reminders"])
    with acting_as(by):
        record_event(
            "questionnaires.questionnaire",
            str(questionnaire.pk),
            f"Relances envoyées : {len(reminded)}.",
        )
    return Mailing(len(reminded), len(members) - len(reminded) - opted_out, opted_out)


@dataclass
class StratumRate:
    stratum: str
    label: str
    sample: int
    invited: int
    drafts: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.sample if self.sample else 0.0


def response_rates(questionnaire: Questionnaire) -> list[StratumRate]:
    """Per stratum: sample size, invited, drafts and submitted responses of the sample."""
    responses = Response.objects.filter(questionnaire=questionnaire, authority__isnull=False)
    submitted = responses.filter(status=ResponseStatus.SUBMITTED).values("authority_id")
    drafts = responses.filter(status=ResponseStatus.DRAFT).values("authority_id")
    rows = (
        questionnaire.sample.values("authority__stratum")
        .annotate(
            sample=Count("pk"),
            invited=Count("pk", filter=Q(invited_at__isnull=False)),
            submitted=Count("pk", filter=Q(authority_id__in=submitted)),
            drafts=Count("pk", filter=Q(authority_id__in=drafts)),
        )
        .order_by("authority__stratum")
    )
    labels = dict(Stratum.choices)
    order = list(labels)
    rates = [
        StratumRate(
            row["authority__stratum"],
            str(labels.get(row["authority__stratum"], row["authority__stratum"])),
            row["sample"],
            row["invited"],
            row["drafts"],
            row["submitted"],
        )
        for row in rows
    ]
    return sorted(rates, key=lambda r: order.index(r.stratum) if r.stratum in order else 99)
