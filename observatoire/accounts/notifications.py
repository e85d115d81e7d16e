"""E-mails telling people what waits for them, each kind switchable off on the account page.

Services call one function per event, after their write; a user who switched a kind off,
has no address or is inactive gets nothing. One message per recipient, so that nobody
sees the others' addresses.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext

from observatoire.accounts.choices import NotificationKind, Role
from observatoire.accounts.models import NotificationOptOut, User

# Who each kind can concern: a reader is shown none of them.
KINDS_FOR: dict[str, list[NotificationKind]] = {
    Role.REFERENT: [
        NotificationKind.ENTRY_SUBMITTED,
        NotificationKind.ENTRY_DECIDED,
        NotificationKind.CASE_MODERATED,
        NotificationKind.CAMPAIGN_REMINDER,
        NotificationKind.REVIEW_DUE,
    ],
    Role.ANALYST: [NotificationKind.ENTRY_DECIDED, NotificationKind.CASE_PROPOSED],
}


def kinds_for(user) -> list[NotificationKind]:
    return KINDS_FOR.get("analyst" if user.is_analyst else user.role, [])


def switched_off(user) -> set[str]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))


def opted_out_emails(kind: NotificationKind, emails: Iterable[str]) -> set[str]:
    """Among these addresses, those of users who switched this kind off."""
    return set(
        NotificationOptOut.objects.filter(kind=kind, user__email__in=list(emails)).values_list(
            "user__email", flat=True
        )
    )


def _send(
    kind: NotificationKind, users: Iterable, subject: str, body: str, also: Iterable[str] = ()
) -> int:
    """Send to each user that wants this kind, once (a user listed twice gets one mail);
    `also` are addresses without an account (a service's contact), skipped when they are
    the address of a user who switched this kind off."""
    ids = {user.pk for user in users if user is not None}
    recipients = set(
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(email="")
        .exclude(notification_opt_outs__kind=kind)
        .values_list("email", flat=True)
    )
    extra = {address for address in also if address}
    recipients |= extra - opted_out_emails(kind, extra)
    footer = gettext(
        "\n\n—\nVous recevez ce message de l'Observatoire. Pour ne plus le recevoir : %(url)s"
    ) % {"url": settings.SITE_URL + "/comptes/compte/#notifications"}
    messages = [(subject, body + footer, None, [email]) for email in sorted(recipients)]
    send_mass_mail(messages)
    return len(messages)


def _link(obj) -> str:
    return settings.SITE_URL + obj.get_absolute_url()


def entry_submitted(entry, *, by) -> int:
    """To the authority's other référents: one of them must review the entry."""
    others = User.objects.filter(authority=entry.authority, role=Role.REFERENT).exclude(pk=by.pk)
    subject = gettext("[Observatoire] Fiche à relire : « %(name)s »") % {"name": entry.name}
    body = gettext(
        "%(who)s a soumis la fiche « %(name)s » du registre de %(authority)s à relecture. "
        "Un autre référent de la collectivité ou un analyste la publie ou la renvoie en "
        "brouillon :\n%(url)s"
    ) % {
        "who": by.get_full_name() or by.email,
        "name": entry.name,
        "authority": entry.authority.name,
        "url": _link(entry),
    }
    return _send(NotificationKind.ENTRY_SUBMITTED, others, subject, body)


def entry_decided(entry, submitted_by, *, published: bool, by, reason: str = "") -> int:
    """To whoever submitted the entry (unless it decided itself): published or sent back."""
    if submitted_by is None or submitted_by.pk == by.pk:
        return 0
    if published:
        subject = gettext("[Observatoire] Fiche publiée : « %(name)s »") % {"name": entry.name}
        body = gettext("La fiche « %(name)s » est publiée dans le registre :\n%(url)s")
    else:
        subject = gettext("[Observatoire] Fiche renvoyée en brouillon : « %(name)s »") % {
            "name": entry.name
        }
        body = gettext("La fiche « %(name)s » est renvoyée en brouillon.\n%(reason)s\n%(url)s")
    body = body % {"name": entry.name, "url": _link(entry), "reason": reason}
    return _send(NotificationKind.ENTRY_DECIDED, [submitted_by], subject, body)


def case_proposed(case) -> int:
    """To the analysts: a case waits for moderation."""
    analysts = User.objects.filter(role=Role.ANALYST)
    subject = gettext("[Observatoire] Cas d'usage à modérer : %(title)s") % {"title": case.title}
    return _send(NotificationKind.CASE_PROPOSED, analysts, subject, _link(case))


def case_moderated(case, author, outcome: str) -> int:
    """To the case's (or the edit's) author: the analyst's decision and its reason."""
    subject = gettext("Votre cas d'usage « %(title)s » : %(status)s") % {
        "title": case.title,
        "status": outcome,
    }
    body = f"{case.moderation_note}\n\n{_link(case)}".strip()
    return _send(NotificationKind.CASE_MODERATED, [author] if author else [], subject, body)


def review_due(entry) -> int:
    """To the authority's référents and the entry's contact: its review date has passed."""
    referents = User.objects.filter(authority=entry.authority, role=Role.REFERENT)
    subject = gettext("[Observatoire] Réexamen de la fiche « %(name)s »") % {"name": entry.name}
    body = gettext(
        "La date de réexamen de la fiche « %(name)s » du registre des algorithmes de "
        "%(authority)s est passée (%(date)s).\nVérifiez qu'elle est à jour : %(url)s"
    ) % {
        "name": entry.name,
        "authority": entry.authority.name,
        "date": f"{entry.review_date:%d/%m/%Y}",
        "url": _link(entry),
    }
    return _send(NotificationKind.REVIEW_DUE, referents, subject, body, also=[entry.contact_email])
