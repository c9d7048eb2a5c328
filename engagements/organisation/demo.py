"""Demo organisation: a fictional prefecture shaped like a real one, and invented people.

`seed(ctx)` is called first by `seed_demo`; later apps' `demo.seed(ctx)` read what it puts
in the context (prefecture, sites, services, users).
"""

from __future__ import annotations

from datetime import date, time

from django.contrib.auth import get_user_model

from .enums import HoursChannel, RoleKind, SiteKind
from .models import Closure, OpeningHours, Prefecture, Role, Service, Site

DEMO_PASSWORD = "demo-engagements"

# (username, first name, last name, role, title, scope)
DEMO_USERS = [
    ("admin", "Aline", "Voisenet", RoleKind.NATIONAL_ADMIN, "Administratrice nationale", None),
    (
        "qualite",
        "Bastien",
        "Lefranc",
        RoleKind.QUALITY_LEAD,
        "Chef de la mission performance et qualité",
        "prefecture",
    ),
    (
        "chef-site",
        "Clémence",
        "Aubertin",
        RoleKind.SITE_MANAGER,
        "Secrétaire générale de la sous-préfecture de Sainte-Aure",
        "sites:sainte-aure",
    ),
    (
        "agent",
        "Driss",
        "Montreuil",
        RoleKind.AGENT,
        "Agent du bureau du séjour des étrangers",
        "services:lysville/sejour",
    ),
    (
        "clu",
        "Eugénie",
        "Palmarola",
        RoleKind.COMMITTEE_MEMBER,
        "Représentante de l'UDAF",
        "prefecture",
    ),
    ("auditeur", "Firmin", "Castagné", RoleKind.AUDITOR, "Auditeur interne", "prefecture"),
    (
        "agent-est",
        "Gaëlle",
        "Sorbier",
        RoleKind.AGENT,
        "Agente d'accueil",
        "services:sarrebourg-fictif/accueil",
    ),
]

WEEKDAY_HOURS = (time(8, 45), time(12, 0), time(13, 30), time(16, 0))
PHONE_HOURS = (time(9, 0), time(12, 0), time(14, 0), time(16, 30))


def _hours(site: Site, channel: str, days=range(5), times=WEEKDAY_HOURS) -> None:
    for weekday in days:
        opens, closes, reopens, closes_again = times
        OpeningHours.objects.create(
            site=site,
            channel=channel,
            weekday=weekday,
            opens_at=opens,
            closes_at=closes,
            reopens_at=reopens,
            closes_again_at=closes_again,
        )


def seed(ctx) -> None:
    demo = Prefecture.objects.create(
        slug="demo",
        name="Préfecture des Hauts-de-Lys",
        department_code="96",
        department_name="Hauts-de-Lys",
        holiday_subdivision="metropole",
        street="1 place de la République",
        postal_code="96000",
        city="Lysville",
        phone="01 96 00 00 00",
        email="contact@hauts-de-lys.demo.test",
        website="https://www.hauts-de-lys.demo.test",
    )
    lysville = Site.objects.create(
        prefecture=demo,
        slug="lysville",
        name="Préfecture — Lysville",
        kind=SiteKind.PREFECTURE,
        street="1 place de la République",
        postal_code="96000",
        city="Lysville",
        phone="01 96 00 00 00",
        access_info="Tramway T1, arrêt Préfecture. Parking public rue des Halles.",
        accessibility_info="Entrée de plain-pied côté rue des Halles ; boucle magnétique au "
        "guichet 1 ; fauteuil roulant disponible à l'accueil.",
        labelled_modules=[1, 3],
        position=1,
    )
    sainte_aure = Site.objects.create(
        prefecture=demo,
        slug="sainte-aure",
        name="Sous-préfecture de Sainte-Aure",
        kind=SiteKind.SUB_PREFECTURE,
        street="12 rue du Marché",
        postal_code="96200",
        city="Sainte-Aure",
        phone="01 96 20 00 00",
        access_info="Gare de Sainte-Aure à 400 m.",
        accessibility_info="Accès par rampe, place de stationnement réservée devant l'entrée.",
        labelled_modules=[1, 3],
        position=2,
    )
    bellerive = Site.objects.create(
        prefecture=demo,
        slug="bellerive",
        name="Sous-préfecture de Bellerive",
        kind=SiteKind.SUB_PREFECTURE,
        street="3 quai des Tanneurs",
        postal_code="96300",
        city="Bellerive",
        phone="01 96 30 00 00",
        accessibility_info="Ascenseur ; accueil au rez-de-chaussée.",
        labelled_modules=[1, 2],
        position=3,
    )
    pan = Site.objects.create(
        prefecture=demo,
        slug="pan-lysville",
        name="Point d'accueil numérique — Lysville",
        kind=SiteKind.DIGITAL_POINT,
        street="1 place de la République (hall B)",
        postal_code="96000",
        city="Lysville",
        accessibility_info="Postes à hauteur adaptée, grands écrans.",
        labelled_modules=[1],
        position=4,
    )
    for site in (lysville, sainte_aure, bellerive):
        _hours(site, HoursChannel.RECEPTION)
        _hours(site, HoursChannel.TELEPHONE, times=PHONE_HOURS)
    _hours(pan, HoursChannel.RECEPTION, days=range(4), times=(time(9, 0), time(12, 0), None, None))

    services = {}

    def add(site, slug, name, description, email="", article=""):
        services[f"{site.slug}/{slug}"] = Service.objects.create(
            site=site,
            slug=slug,
            name=name,
            name_with_article=article,
            description=description,
            email=email,
        )

    add(
        lysville,
        "accueil",
        "Accueil général",
        "Orientation et renseignements.",
        "accueil@hauts-de-lys.demo.test",
    )
    add(
        lysville,
        "sejour",
        "Bureau du séjour des étrangers",
        "Titres de séjour, renouvellements, documents de circulation.",
        "sejour@hauts-de-lys.demo.test",
    )
    add(
        lysville,
        "naturalisations",
        "Bureau des naturalisations",
        "Demandes de naturalisation et entretiens d'assimilation.",
        "naturalisations@hauts-de-lys.demo.test",
    )
    add(
        lysville,
        "cert",
        "CERT titres",
        "Centre d'expertise et de ressources titres (permis, cartes grises).",
        "cert@hauts-de-lys.demo.test",
        article="le centre d'expertise et de ressources titres (CERT)",
    )
    add(
        sainte_aure,
        "accueil",
        "Accueil général",
        "Orientation et renseignements.",
        "accueil.sainte-aure@hauts-de-lys.demo.test",
    )
    add(
        sainte_aure,
        "sejour",
        "Séjour des étrangers",
        "Remise des titres de séjour.",
        "sejour.sainte-aure@hauts-de-lys.demo.test",
        article="le service du séjour des étrangers",
    )
    add(
        bellerive,
        "accueil",
        "Accueil général",
        "Orientation et renseignements.",
        "accueil.bellerive@hauts-de-lys.demo.test",
    )
    add(
        pan,
        "accompagnement",
        "Accompagnement aux démarches en ligne",
        "Aide aux démarches sur internet avec un médiateur numérique.",
        article="le point d'accueil numérique",
    )

    year = ctx.today.year
    Closure.objects.create(prefecture=demo, date=date(year, 12, 24), label="Pont de Noël")
    Closure.objects.create(
        prefecture=demo, site=bellerive, date=date(year + 1, 1, 9), label="Travaux"
    )

    # A second, smaller prefecture (Moselle-like holidays) shows the multi-tenancy.
    est = Prefecture.objects.create(
        slug="sarre-orientale",
        name="Préfecture de la Sarre-Orientale",
        department_code="20",
        department_name="Sarre-Orientale",
        holiday_subdivision="57",
        street="5 rue de la Garde",
        postal_code="20000",
        city="Sarrebourg-Fictif",
        phone="03 20 00 00 00",
        website="https://www.sarre-orientale.demo.test",
    )
    est_site = Site.objects.create(
        prefecture=est,
        slug="sarrebourg-fictif",
        name="Préfecture — Sarrebourg-Fictif",
        kind=SiteKind.PREFECTURE,
        street="5 rue de la Garde",
        postal_code="20000",
        city="Sarrebourg-Fictif",
        labelled_modules=[1],
    )
    _hours(est_site, HoursChannel.RECEPTION)
    services["sarrebourg-fictif/accueil"] = Service.objects.create(
        site=est_site, slug="accueil", name="Accueil général"
    )

    sites = {s.slug: s for s in (lysville, sainte_aure, bellerive, pan, est_site)}
    users = {}
    User = get_user_model()
    for username, first, last, kind, title, scope in DEMO_USERS:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@agents.demo.test",
            is_staff=kind == RoleKind.NATIONAL_ADMIN,
            is_superuser=kind == RoleKind.NATIONAL_ADMIN,
        )
        prefecture = None
        if scope is not None:
            prefecture = est if (scope.startswith("services:sarrebourg")) else demo
        role = Role.objects.create(user=user, kind=kind, prefecture=prefecture, title=title)
        if scope and scope.startswith("sites:"):
            role.sites.set([sites[scope.removeprefix("sites:")]])
        if scope and scope.startswith("services:"):
            role.services.set([services[scope.removeprefix("services:")]])
        users[username] = user

    ctx.prefecture = demo
    ctx.other_prefecture = est
    ctx.sites = sites
    ctx.services = services
    ctx.users = users
