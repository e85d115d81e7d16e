"""French law (CRPA): the mention each individual decision carries and the explanation a
person may ask for, filled from the entry."""

from observatoire.registre.exports.common import or_missing


def crpa_mention(entry) -> str:
    """The explicit mention article L311-3-1 requires on each individual decision."""
    return (
        f"Cette décision a été prise sur le fondement d'un traitement algorithmique "
        f"(« {entry.name} », {entry.authority.name}). Conformément à l'article L311-3-1 du code "
        f"des relations entre le public et l'administration, vous pouvez demander la "
        f"communication des règles qui définissent ce traitement et des principales "
        f"caractéristiques de sa mise en œuvre en écrivant à {entry.contact_email}."
    )


def crpa_explanation(entry) -> list[tuple[str, str]]:
    """The four items article R311-3-1-2 entitles a person to, filled from the entry."""
    datasets = "; ".join(
        f"{d.name} ({d.source})" if d.source else d.name for d in entry.datasets.all()
    )
    return [
        (
            "1° Le degré et le mode de contribution du traitement algorithmique à la prise de décision",
            or_missing(
                entry.crpa_contribution
                or f"{entry.get_automation_display()}. {entry.decision_integration}".strip()
            ),
        ),
        ("2° Les données traitées et leurs sources", or_missing(entry.crpa_data or datasets)),
        (
            "3° Les paramètres de traitement et, le cas échéant, leur pondération, appliqués à la situation de l'intéressé",
            or_missing(entry.crpa_parameters),
        ),
        ("4° Les opérations effectuées par le traitement", or_missing(entry.crpa_operations)),
    ]
