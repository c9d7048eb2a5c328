"""Demo FAQ: about sixty questions and answers for the demo services (invented, in plain
French, some in English too), several overdue for review, and searches that found nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Entry, SearchMiss
from .search import review_months

# service key ("site/service", "" for the whole prefecture) -> [(question, answer, tags, en)]
# where en is None or (question, answer) in English.
FAQ = {
    "": [
        (
            "Quels sont les horaires d'ouverture de la préfecture ?",
            "L'accueil est ouvert du lundi au vendredi, de 8 h 30 à 12 h et de 13 h 30 à "
            "16 h. Certains bureaux ne reçoivent que sur rendez-vous : vérifiez avant de venir.",
            "horaires, ouverture, accueil",
            (
                "What are the prefecture's opening hours?",
                "Reception is open Monday to Friday, 8.30 am to 12 noon and 1.30 pm to 4 pm. "
                "Some offices only see people by appointment: check before you come.",
            ),
        ),
        (
            "Comment venir à la préfecture ?",
            "Bus lignes 2 et 5, arrêt « Préfecture ». Un parking public payant se trouve à "
            "200 mètres, place du Marché. Deux places pour personnes handicapées sont devant "
            "l'entrée.",
            "accès, transport, parking",
            None,
        ),
        (
            "Puis-je venir sans rendez-vous ?",
            "Pour l'orientation et les renseignements, oui. Pour les titres de séjour et les "
            "naturalisations, il faut un rendez-vous pris en ligne.",
            "rendez-vous, guichet",
            None,
        ),
        (
            "Comment signaler un problème ou faire une réclamation ?",
            "Écrivez-nous avec le formulaire « Nous écrire » en choisissant « Réclamation ». "
            "Vous recevez un accusé de réception avec la date de réponse au plus tard.",
            "réclamation, plainte, contact",
            None,
        ),
    ],
    "lysville/accueil": [
        (
            "Où faire une photocopie de mes documents ?",
            "La préfecture ne fait pas de photocopies. Une borne est disponible à la "
            "médiathèque, à 5 minutes à pied.",
            "photocopie, documents",
            None,
        ),
        (
            "Je ne sais pas quel service peut m'aider : que faire ?",
            "Présentez-vous à l'accueil général, au rez-de-chaussée : un agent vous oriente.",
            "orientation, renseignement",
            None,
        ),
        (
            "La préfecture est-elle accessible en fauteuil roulant ?",
            "Oui : entrée de plain-pied côté rue Haute, ascenseur vers tous les étages, "
            "boucle magnétique à l'accueil.",
            "accessibilité, handicap, fauteuil",
            (
                "Is the prefecture wheelchair accessible?",
                "Yes: step-free entrance on rue Haute, lift to every floor, hearing loop at "
                "reception.",
            ),
        ),
        (
            "Puis-je venir accompagné ?",
            "Oui, une personne peut vous accompagner, par exemple pour traduire.",
            "accompagnant, interprète",
            None,
        ),
        (
            "Y a-t-il une salle d'attente ?",
            "Oui, au rez-de-chaussée, avec des chaises, de l'eau et des toilettes.",
            "attente, toilettes",
            None,
        ),
        (
            "Comment récupérer un objet perdu dans la préfecture ?",
            "Demandez à l'accueil général : les objets trouvés y sont gardés un mois.",
            "objet perdu",
            None,
        ),
    ],
    "lysville/sejour": [
        (
            "Comment renouveler mon titre de séjour ?",
            "Faites la demande en ligne sur le site de l'ANEF, entre quatre et deux mois avant "
            "la fin de votre titre. Vous recevez une attestation de dépôt.",
            "renouvellement, ANEF, étrangers",
            (
                "How do I renew my residence permit?",
                "Apply online on the ANEF website, between four and two months before your "
                "permit ends. You receive a filing certificate.",
            ),
        ),
        (
            "Mon titre de séjour expire bientôt et je n'ai pas de réponse : que faire ?",
            "Gardez l'attestation de prolongation d'instruction reçue sur votre compte ANEF : "
            "elle prolonge vos droits. Vous n'avez pas besoin de venir.",
            "attestation, prolongation, récépissé",
            (
                "My residence permit expires soon and I have no answer: what should I do?",
                "Keep the extension certificate from your ANEF account: it extends your "
                "rights. You do not need to come.",
            ),
        ),
        (
            "Comment retirer mon titre de séjour ?",
            "Quand il est prêt, vous recevez un SMS. Prenez rendez-vous en ligne pour le "
            "retirer, avec votre ancien titre et le timbre fiscal.",
            "retrait, remise, SMS",
            (
                "How do I collect my residence permit?",
                "When it is ready you receive a text message. Book an appointment online to "
                "collect it, with your old permit and the tax stamp.",
            ),
        ),
        (
            "Où acheter le timbre fiscal ?",
            "Sur le site timbres.impots.gouv.fr ou dans un bureau de tabac agréé.",
            "timbre fiscal, paiement",
            (
                "Where can I buy the tax stamp?",
                "On timbres.impots.gouv.fr or in an approved tobacconist's.",
            ),
        ),
        (
            "J'ai perdu mon titre de séjour : que faire ?",
            "Déclarez la perte ou le vol, puis demandez un duplicata en ligne sur l'ANEF.",
            "perte, vol, duplicata",
            None,
        ),
        (
            "Mon adresse a changé : dois-je le signaler ?",
            "Oui, dans les trois mois, depuis votre compte ANEF (rubrique « Changement "
            "d'adresse »).",
            "adresse, déménagement",
            None,
        ),
        (
            "Puis-je voyager pendant l'instruction de ma demande ?",
            "Avec une attestation de prolongation, vous pouvez revenir en France. Avec une "
            "simple attestation de dépôt, vous ne pouvez pas toujours revenir.",
            "voyage, sortie du territoire",
            None,
        ),
        (
            "Quel est le délai de traitement d'une demande de titre de séjour ?",
            "En moyenne trois mois pour un renouvellement complet. Votre compte ANEF indique "
            "où en est votre demande.",
            "délai, suivi",
            None,
        ),
    ],
    "lysville/naturalisations": [
        (
            "Quels documents pour une demande de naturalisation ?",
            "La liste dépend de votre situation. Elle s'affiche quand vous faites la demande "
            "en ligne ; préparez les justificatifs en PDF.",
            "naturalisation, pièces, dossier",
            (
                "Which documents do I need to apply for naturalisation?",
                "The list depends on your situation. It appears when you apply online; have "
                "your documents ready as PDF files.",
            ),
        ),
        (
            "Quel niveau de français faut-il pour être naturalisé ?",
            "Le niveau B1 à l'oral et à l'écrit, prouvé par un diplôme ou un test reconnu.",
            "langue, diplôme, test",
            None,
        ),
        (
            "Comment se passe l'entretien d'assimilation ?",
            "Un agent vous reçoit environ 30 minutes. Il vous pose des questions sur votre "
            "parcours, l'histoire et les valeurs de la République.",
            "entretien, convocation",
            (
                "What happens at the assimilation interview?",
                "An officer sees you for about 30 minutes and asks about your life, French "
                "history and the values of the Republic.",
            ),
        ),
        (
            "Combien de temps dure une demande de naturalisation ?",
            "Comptez entre 12 et 18 mois entre le dépôt complet et la décision.",
            "délai",
            None,
        ),
        (
            "Puis-je déplacer ma convocation à l'entretien ?",
            "Oui, une fois, en répondant au courriel de convocation au moins 8 jours avant.",
            "convocation, report",
            None,
        ),
        (
            "Où en est ma demande de naturalisation ?",
            "Connectez-vous à votre espace en ligne : chaque étape y est indiquée.",
            "suivi, avancement",
            None,
        ),
    ],
    "lysville/cert": [
        (
            "Comment obtenir une carte grise pour une voiture d'occasion ?",
            "La demande de certificat d'immatriculation se fait uniquement en ligne, sur le "
            "site de l'ANTS. Le vendeur vous remet le certificat de cession.",
            "carte grise, immatriculation, véhicule",
            (
                "How do I register a second-hand car?",
                "The registration certificate is only requested online, on the ANTS website. "
                "The seller gives you the transfer certificate.",
            ),
        ),
        (
            "Comment échanger un permis de conduire étranger ?",
            "Demandez l'échange en ligne dans l'année qui suit votre installation en France.",
            "permis, échange, étranger",
            (
                "How do I exchange a foreign driving licence?",
                "Apply online within a year of settling in France.",
            ),
        ),
        (
            "J'ai perdu mon permis de conduire : que faire ?",
            "Faites une déclaration de perte et une demande de duplicata en ligne, en même "
            "temps, sur le site de l'ANTS.",
            "permis, perte, duplicata",
            None,
        ),
        (
            "Le CERT reçoit-il le public ?",
            "Non : le CERT instruit les demandes faites en ligne. Pour une aide, un point "
            "numérique est ouvert à l'accueil.",
            "CERT, guichet",
            None,
        ),
        (
            "Combien coûte une carte grise ?",
            "Le prix dépend de la région et de la puissance du véhicule. Le site de l'ANTS "
            "le calcule avant le paiement.",
            "tarif, taxe, carte grise",
            None,
        ),
        (
            "Ma demande de permis est bloquée : qui contacter ?",
            "Écrivez-nous avec le formulaire « Nous écrire », en indiquant le numéro de votre "
            "demande ANTS.",
            "blocage, suivi, ANTS",
            None,
        ),
        (
            "Comment changer l'adresse sur ma carte grise ?",
            "En ligne sur l'ANTS, dans le mois qui suit votre déménagement. C'est gratuit.",
            "adresse, carte grise",
            None,
        ),
    ],
    "sainte-aure/accueil": [
        (
            "Quels sont les horaires de la sous-préfecture de Sainte-Aure ?",
            "Du lundi au vendredi de 8 h 30 à 12 h ; l'après-midi sur rendez-vous seulement.",
            "horaires, sous-préfecture",
            None,
        ),
        (
            "Puis-je faire ma demande de carte d'identité à la sous-préfecture ?",
            "Non, les cartes d'identité et passeports se demandent en mairie, sur rendez-vous.",
            "carte d'identité, passeport, mairie",
            None,
        ),
        (
            "Où déclarer une association ?",
            "En ligne, sur le compte association. Le greffe des associations de Sainte-Aure "
            "répond aux questions par courriel.",
            "association, greffe",
            None,
        ),
        (
            "Où stationner près de la sous-préfecture ?",
            "Le parking de la gare est gratuit et à 300 mètres.",
            "parking",
            None,
        ),
    ],
    "sainte-aure/sejour": [
        (
            "Puis-je retirer mon titre de séjour à Sainte-Aure ?",
            "Oui, si vous habitez l'arrondissement : choisissez Sainte-Aure quand vous prenez "
            "rendez-vous pour le retrait.",
            "retrait, arrondissement",
            (
                "Can I collect my residence permit in Sainte-Aure?",
                "Yes, if you live in the district: choose Sainte-Aure when you book the "
                "collection appointment.",
            ),
        ),
        (
            "Que faut-il apporter pour retirer mon titre ?",
            "Votre ancien titre ou récépissé, le timbre fiscal et le SMS de mise à disposition.",
            "retrait, documents",
            None,
        ),
        (
            "Mon enfant mineur doit-il venir au retrait ?",
            "Non, sauf s'il a plus de 13 ans et que ses empreintes doivent être prises.",
            "enfant, mineur",
            None,
        ),
        (
            "Quelqu'un peut-il retirer mon titre à ma place ?",
            "Non, le titre se remet en main propre, car vous signez le registre.",
            "procuration, retrait",
            None,
        ),
    ],
    "bellerive/accueil": [
        (
            "Quels services trouve-t-on à la sous-préfecture de Bellerive ?",
            "Accueil et orientation, associations, élections et manifestations locales.",
            "services, sous-préfecture",
            None,
        ),
        (
            "Comment déclarer une manifestation sur la voie publique ?",
            "Envoyez la déclaration signée au moins trois jours francs avant, par courrier "
            "ou par courriel.",
            "manifestation, déclaration",
            None,
        ),
        (
            "Comment organiser une brocante ?",
            "Déclarez-la en mairie ; la sous-préfecture n'intervient que pour les grands "
            "événements.",
            "brocante, vide-grenier",
            None,
        ),
        (
            "La sous-préfecture est-elle fermée pendant les travaux ?",
            "Elle reste ouverte ; l'entrée se fait par la cour arrière pendant les travaux.",
            "travaux, fermeture",
            None,
        ),
    ],
    "pan-lysville/accompagnement": [
        (
            "Qu'est-ce que le point d'accueil numérique ?",
            "Un médiateur vous aide à faire vos démarches en ligne : carte grise, permis, "
            "titre de séjour. Apportez vos identifiants et vos documents.",
            "numérique, aide, médiateur",
            (
                "What is the digital help desk?",
                "A mediator helps you with your online procedures: vehicle registration, "
                "licence, residence permit. Bring your log-ins and documents.",
            ),
        ),
        (
            "Faut-il un rendez-vous au point d'accueil numérique ?",
            "Non, venez aux heures d'ouverture, du lundi au jeudi de 9 h à 12 h.",
            "rendez-vous, horaires",
            None,
        ),
        (
            "Je n'ai pas d'adresse électronique : comment faire ?",
            "Le médiateur vous aide à en créer une ; c'est gratuit et nécessaire pour les "
            "démarches.",
            "courriel, adresse électronique",
            None,
        ),
        (
            "Puis-je scanner mes documents sur place ?",
            "Oui, un scanner est à votre disposition.",
            "scanner, documents",
            None,
        ),
    ],
}

OTHER_PREFECTURE = [
    (
        "Quels sont les horaires de la préfecture de la Sarre-Orientale ?",
        "Du lundi au vendredi, de 8 h 30 à 16 h 30, sans interruption.",
        "horaires",
    ),
    (
        "Comment prendre rendez-vous ?",
        "Par téléphone au 03 20 00 00 00, du lundi au vendredi le matin.",
        "rendez-vous",
    ),
    (
        "Le Vendredi saint est-il férié ici ?",
        "Oui, comme le 26 décembre : la préfecture est fermée ces jours-là.",
        "jours fériés, fermeture",
    ),
]

MISSES = [
    ("sejour", "carte de resident 10 ans", 14),
    ("sejour", "regroupement familial", 9),
    ("sejour", "titre de sejour etudiant", 6),
    ("cert", "plaque d immatriculation provisoire", 4),
    ("naturalisations", "ceremonie de naturalisation date", 7),
    ("", "objets trouves telephone", 3),
    ("", "permis de chasse", 5),
    ("accueil", "wifi gratuit", 2),
]


# Two answers written in Ukrainian and Arabic too (the others show in French, marked).
TRANSLATIONS = {
    "Quels sont les horaires d'ouverture de la préfecture ?": {
        "uk": {
            "question": "Які години роботи префектури?",
            "answer": "Приймальня працює з понеділка по п'ятницю, з 8:30 до 12:00 і з 13:30 "
            "до 16:00. Деякі відділи приймають лише за записом: перевірте перед візитом.",
        },
        "ar": {
            "question": "ما هي مواعيد عمل المحافظة؟",
            "answer": "الاستقبال مفتوح من الاثنين إلى الجمعة، من 8:30 إلى 12:00 ومن 13:30 إلى "
            "16:00. بعض المكاتب لا تستقبل إلا بموعد: تحقق قبل مجيئك.",
        },
    },
}


def seed(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    months = review_months()
    prefecture = ctx.prefecture
    reviewers = [u for u in ctx.users.values() if u.roles.filter(prefecture=prefecture).exists()]
    count = 0
    for key, items in FAQ.items():
        service = ctx.services[key] if key else None
        for question, answer, tags, english in items:
            count += 1
            # One answer in six was last read more than FAQ_REVIEW_MONTHS ago.
            if count % 6 == 0:
                age = rng.randint(months * 31 + 5, months * 31 + 120)
            else:
                age = rng.randint(3, months * 28)
            reviewed_on = today - timedelta(days=age)
            reviewer = rng.choice(reviewers) if reviewers else None
            common = {
                "prefecture": prefecture,
                "site": service.site if service else None,
                "service": service,
                "reviewed_on": reviewed_on,
                "reviewed_by": reviewer,
                "helpful_yes": rng.randint(0, 40),
                "helpful_no": rng.randint(0, 8),
            }
            Entry.objects.create(
                question=question,
                answer=answer,
                tags=tags,
                translations=TRANSLATIONS.get(question, {}),
                **common,
            )
            if english:
                Entry.objects.create(
                    question=english[0], answer=english[1], tags="", language="en", **common
                )
    other = ctx.services.get("sarrebourg-fictif/accueil")
    for question, answer, tags in OTHER_PREFECTURE:
        Entry.objects.create(
            prefecture=ctx.other_prefecture,
            site=other.site if other else None,
            service=other,
            question=question,
            answer=answer,
            tags=tags,
            reviewed_on=today - timedelta(days=rng.randint(3, 90)),
        )
    now = timezone.now()
    for service_slug, query, hits in MISSES:
        service = ctx.services.get(f"lysville/{service_slug}") if service_slug else None
        miss = SearchMiss.objects.create(
            prefecture=prefecture,
            service=service,
            site=service.site if service else None,
            query=query,
            count=hits,
        )
        SearchMiss.objects.filter(pk=miss.pk).update(
            last_at=now - timedelta(hours=rng.randint(1, 24 * 20))
        )
