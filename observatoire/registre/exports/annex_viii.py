"""AI Act Annex VIII, section C: the registration data of a high-risk system that a public
authority deploys (article 49(3)); one entry at a time, from its page."""

from observatoire.registre import aiact
from observatoire.registre.exports.common import MISSING


def annex_viii_c(entry) -> dict:
    vendor = entry.vendor_product
    return {
        "1_deployer": {
            "name": entry.authority.name,
            "siren": entry.authority.siren,
            "address": "",
            "contact_email": entry.contact_email,
        },
        "2_submitted_by": entry.owner_role or MISSING,
        "3_eu_database_url_of_provider_registration": vendor.documentation_url if vendor else "",
        "3_system": {
            "name": entry.name,
            "provider": ", ".join(t.name for t in entry.third_parties.all())
            or (vendor.vendor_name if vendor else MISSING),
        },
        "4_fria_summary": {
            str(label): entry.fria.get(code, "") for code, label in aiact.FRIA_SECTIONS
        },
        "5_dpia_summary": f"{entry.get_dpia_status_display()} {entry.dpia_url}".strip(),
        "annex_iii_areas": [
            str(aiact.ANNEX_III[c]) for c in aiact.classify(entry.ai_act_answers).annex_iii
        ],
    }
