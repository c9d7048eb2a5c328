"""Demo data of the label cycle (deterministic, no random draw): labels with a renewal, one
expiring and one without its renewal audit; services' scopes with a fraud referent; the
year's trainings and plan; this year's SP+ diagnostic per criterion at two sites."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .labels import add_label
from .service_scopes import add_plan_item, set_service_scope
from .trainings import add_training

CRITERIA = {
    "SP+1": ["Accueil courtois", "Droit à l'erreur expliqué", "Charte affichée"],
    "SP+2": ["Horaires publiés", "Heures d'affluence publiées", "Rendez-vous par téléphone"],
    "SP+3": ["Boucle magnétique", "Aide au numérique", "Interprétariat"],
    "SP+4": ["Accusé de réception sous 7 jours", "Délai annoncé", "État du dossier donné"],
    "SP+5": ["Courriers relus", "Pages relues"],
    "SP+6": ["Résultats affichés", "Résultats en ligne"],
    "SP+7": ["Enquête annuelle", "Comité des usagers", "Page « nous l'avons fait »"],
    "SP+8": ["Agents formés", "Partage des bonnes pratiques"],
}
# Results cycle through this list: about two thirds met (deterministic).
RESULTS = ["oui", "oui", "partiel", "oui", "non", "oui", "sans_objet", "partiel", "oui"]


def seed_label_cycle(ctx) -> None:
    prefecture, today = ctx.prefecture, ctx.today
    sites = ctx.sites
    year = today.year
    # Labels: Lysville renewed (Qual-e-pref then SP+), Sainte-Aure expiring in ~4 months,
    # Bellerive valid but its renewal audit not planned.
    add_label(
        prefecture,
        site=sites["lysville"],
        module=1,
        label="qualepref",
        obtained_on=date(year - 4, 3, 1),
        valid_until=date(year - 1, 2, 28),
        audit_body="AFNOR Certification",
        last_audit_on=date(year - 4, 2, 10),
    )
    add_label(
        prefecture,
        site=sites["lysville"],
        module=1,
        label="sp_plus",
        obtained_on=date(year - 1, 2, 20),
        valid_until=date(year + 2, 2, 19),
        audit_body="AFNOR Certification",
        last_audit_on=date(year - 1, 2, 5),
        next_audit_on=date(year + 1, 2, 5),
    )
    add_label(
        prefecture,
        site=sites["lysville"],
        module=3,
        label="qualepref",
        obtained_on=date(year - 2, 6, 1),
        valid_until=date(year + 1, 5, 31),
        audit_body="Bureau Veritas",
        next_audit_on=date(year + 1, 4, 15),
    )
    add_label(
        prefecture,
        site=sites["sainte-aure"],
        module=1,
        label="qualepref",
        obtained_on=today - timedelta(days=3 * 365 - 120),
        valid_until=today + timedelta(days=120),
        audit_body="AFNOR Certification",
        next_audit_on=today + timedelta(days=60),
    )
    add_label(
        prefecture,
        site=sites["bellerive"],
        module=1,
        label="qualipref2",
        obtained_on=date(year - 1, 9, 1),
        valid_until=date(year + 2, 8, 31),
        audit_body="Bureau Veritas",
    )
    # Scope per service: reception and foreigners in module 1, the titles centre in module 2.
    services = ctx.services
    lead = ctx.users.get("qualite")
    for key in ("lysville/accueil", "lysville/sejour", "sainte-aure/accueil"):
        set_service_scope(prefecture, services[key], [1])
    set_service_scope(prefecture, services["lysville/cert"], [2], fraud_referent=lead)
    # Trainings of the year and the plan.
    sessions = [
        ("lysville/accueil", 1, "accueil", "Accueillir avec courtoisie", "3.5", 8),
        ("lysville/accueil", 2, "handicap", "Accueillir une personne sourde", "2", 6),
        ("lysville/cert", 1, "fraude", "Détecter la fraude documentaire", "7", 5),
        ("sainte-aure/accueil", 3, "numerique", "Aider aux démarches en ligne", "3", 4),
        ("lysville/sejour", 2, "langues", "Anglais d'accueil", "1.5", 10),
    ]
    for key, month, topic, title, hours, participants in sessions:
        on = min(date(year, month, 15), today)
        add_training(
            prefecture,
            service=services[key],
            date=on,
            topic=topic,
            title=title,
            hours=Decimal(hours),
            participants=participants,
            trainer="Centre de formation de la préfecture",
        )
    for key, topic in [
        ("lysville/accueil", "accueil"),
        ("lysville/cert", "fraude"),
        ("sainte-aure/sejour", "accueil"),
        ("bellerive/accueil", "handicap"),
    ]:
        add_plan_item(prefecture, year=year, service=services[key], topic=topic)
    # This year's SP+ diagnostic per criterion at two sites.
    from .diagnostic import import_assessment_results

    lines = ["site,commitment,criterion,result"]
    for offset, slug in enumerate(["lysville", "sainte-aure"]):
        n = offset
        for ref, criteria in CRITERIA.items():
            for criterion in criteria:
                lines.append(f"{slug},{ref},{criterion},{RESULTS[n % len(RESULTS)]}")
                n += 1
    import_assessment_results(prefecture, "services-publics-plus", year, "\n".join(lines))
