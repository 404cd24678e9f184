"""Demonstration content: illustrative phase-2 actions, their budget and follow-up, demo COPIL
meetings, the validated annual plans and the demo accounts, for trying the portal locally.

Everything here is fictitious and flagged as such: each action has `is_demo=True` and a summary
that starts with "Action de démonstration", each demo COPIL has "(démonstration)" in its title.

The history is replayed so that the validated plans tell a coherent story: at each COPIL date the
actions are put in the state their progress updates give at that date, the plan of the year is
validated, and only then are the later changes applied. Runs again without creating or changing
anything (see `programme.reference.sync`). The caller owns the transaction.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from partners.models import Membership, Organisation, User
from programme.models import AgendaItem, CopilMeeting, Decision, Intercommunality, Phase
from programme.reference import FIRST_COPIL_DATE, TERRITORY_SLUG, sync, sync_m2m

from .models import (
    Action,
    AnnualPlan,
    Funding,
    Indicator,
    Measurement,
    Priority,
    ProgressUpdate,
    Status,
)
from .services import validate_annual_plan

DEMO_PASSWORD = "demo-Touraine-2024"
DEMO_SUMMARY_PREFIX = "Action de démonstration : "
DEMO_NOTICE = (
    "> Fiche fictive, créée pour la démonstration du portail : ni ses montants ni ses "
    "résultats ne sont réels."
)

d = datetime.date

# Organisation slugs (see programme.reference).
TI = "territoire-d-industrie-grand-est-touraine"
TEV = "cc-touraine-est-vallees"
ACB = "cc-autour-de-chenonceaux-blere-val-de-cher"
CAS = "cc-du-castelrenaudais"
AMB = "cc-du-val-d-amboise"
ALL_CC = [TEV, ACB, CAS, AMB]
ERET, AICR, GEIDA = "eret", "aicr", "geida"
PREFECTURE, DREETS, REGION = (
    "prefecture-d-indre-et-loire",
    "dreets-centre-val-de-loire",
    "region-centre-val-de-loire",
)
FRANCE_TRAVAIL, UIMM, OPCO, MISSION_LOCALE = "france-travail", "uimm", "opco-2i", "mission-locale"
ADEME, BDT, BPI, BUSINESS_FRANCE = "ademe", "banque-des-territoires", "bpifrance", "business-france"

OP, INV = Funding.Kind.OPERATING, Funding.Kind.INVESTMENT
PLANNED, IN_PROGRESS, DONE = Status.PLANNED, Status.IN_PROGRESS, Status.DONE
PAUSED, BLOCKED, ABANDONED = Status.PAUSED, Status.BLOCKED, Status.ABANDONED
HIGH, MEDIUM, LOW = Priority.HIGH, Priority.MEDIUM, Priority.LOW

# Accounts: (key, e-mail, first name, last name, staff, organisation slug, role).
ACCOUNTS = [
    ("chef", "chef.projet@demo.grand-est-touraine.fr", "Camille", "Durand", True, None, None),
    (
        "amb",
        "partenaire.ccvalamboise@demo.grand-est-touraine.fr",
        "Dominique",
        "Leroy",
        False,
        AMB,
        Membership.Role.EDITOR,
    ),
    (
        "aicr",
        "partenaire.aicr@demo.grand-est-touraine.fr",
        "Alex",
        "Moreau",
        False,
        AICR,
        Membership.Role.EDITOR,
    ),
    (
        "region",
        "lecteur.region@demo.grand-est-touraine.fr",
        "Sacha",
        "Bernard",
        False,
        REGION,
        Membership.Role.READER,
    ),
]


def _indicator(name, unit, target, target_date, measurements, baseline=0):
    return {
        "name": name,
        "unit": unit,
        "baseline": Decimal(baseline),
        "target": Decimal(target),
        "target_date": target_date,
        "measurements": measurements,
    }


# The actions. `updates` are (date, author key, text, status after or None, progress after or
# None): the status and progress of an action at any date follow from them, and so does its
# current state. `added_on`: created after the first validated plan. `budget_changes`: planned
# amounts of a line before a date, {(year, funder, kind): (changed on, former amount)}.
ACTIONS = [
    # Axis 1 — Compétences
    {
        "code": "1.1",
        "axis": "competences",
        "slug": "gpec-territoriale",
        "title": "GPEC territoriale : anticiper les besoins en compétences des industriels",
        "summary": "une gestion prévisionnelle des emplois et des compétences à l'échelle du "
        "territoire, pour anticiper les recrutements et les formations des entreprises "
        "industrielles.",
        "description": "Recenser auprès des entreprises industrielles leurs métiers en tension et "
        "leurs besoins de recrutement à trois ans, puis bâtir avec les acteurs de l'emploi et de "
        "la formation une réponse commune : formations, parcours de reconversion, actions "
        "d'attractivité.",
        "objectives": "- Interroger 60 entreprises industrielles\n"
        "- Publier une cartographie des métiers en tension\n"
        "- Ouvrir deux formations répondant aux besoins identifiés",
        "priority": HIGH,
        "pilot": TI,
        "partners": [DREETS, OPCO, UIMM, FRANCE_TRAVAIL, ERET, AICR, GEIDA],
        "intercommunalities": ALL_CC,
        "start": d(2024, 2, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, DREETS, OP, 20000, 18500),
            (2024, REGION, OP, 15000, 15000),
            (2025, DREETS, OP, 20000, 19200),
            (2025, REGION, OP, 15000, 14000),
            (2026, DREETS, OP, 15000, None),
        ],
        "indicators": [
            _indicator(
                "Entreprises industrielles interrogées",
                "entreprises",
                60,
                d(2026, 12, 31),
                [
                    (d(2024, 6, 30), 12, ""),
                    (d(2024, 12, 31), 27, ""),
                    (d(2025, 6, 30), 38, ""),
                    (d(2025, 12, 31), 46, ""),
                    (d(2026, 6, 30), 51, ""),
                ],
            ),
        ],
        "updates": [
            (
                d(2024, 3, 15),
                "chef",
                "Lancement de la démarche : premier comité technique avec la DREETS, l'OPCO 2i, "
                "l'UIMM et les trois associations d'entreprises.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2025, 1, 20),
                "chef",
                "Premier état des besoins en compétences : soudure, maintenance industrielle et "
                "conduite de ligne arrivent en tête.",
                None,
                30,
            ),
            (
                d(2026, 10, 6),
                "chef",
                "Cartographie des métiers en tension mise à jour : 51 entreprises interrogées.",
                None,
                45,
            ),
        ],
    },
    {
        "code": "1.2",
        "axis": "competences",
        "slug": "job-dating-industrie",
        "title": "Job dating de l'industrie",
        "summary": "des rencontres express entre entreprises industrielles et candidats, "
        "organisées avec France Travail et la Mission Locale.",
        "description": "Trois éditions d'un job dating consacré aux métiers de l'industrie : les "
        "entreprises présentent leurs postes, les candidats sont reçus en entretiens courts, "
        "sans CV obligatoire.",
        "objectives": "- Recevoir 150 candidats en entretien\n- Aboutir à 40 recrutements",
        "priority": MEDIUM,
        "pilot": AMB,
        "partners": [FRANCE_TRAVAIL, MISSION_LOCALE, ERET, AICR],
        "intercommunalities": [AMB, TEV],
        "start": d(2024, 3, 1),
        "end": d(2025, 6, 30),
        "fundings": [
            (2024, AMB, OP, 6000, 5400),
            (2024, FRANCE_TRAVAIL, OP, 3000, 3000),
            (2025, AMB, OP, 6000, 6150),
        ],
        "indicators": [
            _indicator(
                "Candidats reçus en entretien",
                "personnes",
                150,
                d(2025, 6, 30),
                [
                    (d(2024, 4, 30), 64, "Première édition"),
                    (d(2024, 11, 30), 105, "Deuxième édition"),
                    (d(2025, 6, 30), 158, "Troisième édition"),
                ],
            ),
            _indicator(
                "Recrutements à l'issue des job datings",
                "recrutements",
                40,
                d(2025, 6, 30),
                [(d(2024, 6, 30), 11, ""), (d(2024, 12, 31), 19, ""), (d(2025, 6, 30), 34, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 4, 22),
                "amb",
                "Première édition à Amboise : 20 entreprises et 64 candidats reçus.",
                IN_PROGRESS,
                40,
            ),
            (
                d(2024, 11, 5),
                "amb",
                "Deuxième édition consacrée aux métiers de la maintenance.",
                None,
                70,
            ),
            (
                d(2025, 6, 30),
                "amb",
                "Troisième et dernière édition. Bilan : 158 candidats reçus, 34 recrutements. "
                "Action terminée.",
                DONE,
                100,
            ),
        ],
    },
    {
        "code": "1.3",
        "axis": "competences",
        "slug": "apprentissage-pme-industrielles",
        "title": "Développer l'apprentissage dans les PME industrielles",
        "summary": "aider les PME industrielles à accueillir des apprentis : information, "
        "recherche de candidats, formation des maîtres d'apprentissage.",
        "description": "Beaucoup de petites entreprises industrielles n'ont jamais accueilli "
        "d'apprenti. L'action les accompagne de la décision au contrat, avec l'OPCO 2i et "
        "l'UIMM, et fait connaître les offres aux jeunes avec la Mission Locale.",
        "objectives": "- Passer de 18 à 45 contrats d'apprentissage dans les entreprises "
        "accompagnées\n- Former 20 maîtres d'apprentissage",
        "priority": HIGH,
        "pilot": AICR,
        "partners": [OPCO, UIMM, MISSION_LOCALE, CAS],
        "intercommunalities": [CAS, ACB],
        "start": d(2024, 1, 15),
        "end": d(2027, 6, 30),
        "fundings": [
            (2024, OPCO, OP, 12000, 11000),
            (2024, CAS, OP, 4000, 4000),
            (2025, OPCO, OP, 12000, 12600),
            (2025, REGION, OP, 8000, None),
            (2026, OPCO, OP, 12000, None),
        ],
        "indicators": [
            _indicator(
                "Contrats d'apprentissage dans les entreprises accompagnées",
                "contrats",
                45,
                d(2027, 6, 30),
                [(d(2024, 9, 30), 24, "Rentrée 2024"), (d(2025, 9, 30), 31, "Rentrée 2025")],
                baseline=18,
            ),
        ],
        "updates": [
            (
                d(2024, 2, 12),
                "aicr",
                "Réunion de lancement avec l'OPCO 2i et l'UIMM ; 25 entreprises inscrites.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2024, 10, 3),
                "aicr",
                "24 contrats signés à la rentrée 2024 dans les entreprises accompagnées.",
                None,
                25,
            ),
            (
                d(2026, 5, 12),
                "aicr",
                "Forum de l'apprentissage au printemps ; relance des entreprises sans alternant.",
                None,
                35,
            ),
        ],
    },
    {
        "code": "1.4",
        "axis": "competences",
        "slug": "visites-entreprises-metiers-industrie",
        "title": "Visites d'entreprises et découverte des métiers de l'industrie",
        "summary": "faire découvrir les usines et leurs métiers aux collégiens, aux lycéens et "
        "aux demandeurs d'emploi.",
        "description": "Un programme annuel de visites d'entreprises industrielles, proposé aux "
        "établissements scolaires et aux demandeurs d'emploi, avec des temps forts pendant la "
        "Semaine de l'industrie.",
        "objectives": "- Faire visiter une entreprise à 600 personnes d'ici fin 2027",
        "priority": MEDIUM,
        "pilot": GEIDA,
        "partners": [FRANCE_TRAVAIL, MISSION_LOCALE, UIMM, TEV],
        "intercommunalities": [TEV, AMB],
        "start": d(2024, 3, 1),
        "end": d(2027, 12, 31),
        "fundings": [
            (2024, REGION, OP, 5000, 4200),
            (2025, REGION, OP, 5000, 4800),
            (2026, REGION, OP, 5000, None),
        ],
        "indicators": [
            _indicator(
                "Visiteurs accueillis en entreprise",
                "personnes",
                600,
                d(2027, 12, 31),
                [(d(2024, 12, 31), 140, ""), (d(2025, 12, 31), 310, ""), (d(2026, 6, 30), 365, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 3, 28),
                "chef",
                "Premières visites pendant la Semaine de l'industrie : quatre entreprises "
                "ouvrent leurs portes.",
                IN_PROGRESS,
                15,
            ),
            (
                d(2025, 12, 15),
                "chef",
                "310 visiteurs accueillis depuis le lancement.",
                None,
                30,
            ),
            (
                d(2026, 9, 24),
                "chef",
                "Nouveau programme de visites pour l'année scolaire 2026-2027.",
                None,
                40,
            ),
        ],
    },
    {
        "code": "1.5",
        "axis": "competences",
        "slug": "logement-apprentis-nouveaux-salaries",
        "title": "Logement des apprentis et des nouveaux salariés",
        "summary": "trouver des solutions de logement temporaire pour les apprentis et les "
        "salariés qui arrivent sur le territoire.",
        "description": "Le manque de logements de courte durée freine certains recrutements. "
        "L'action étudie les besoins et les solutions possibles : chambres chez l'habitant, "
        "résidence partagée, bail mobilité.",
        "objectives": "- Identifier 30 places de logement temporaire",
        "priority": LOW,
        "pilot": TEV,
        "partners": [ACB, MISSION_LOCALE, BDT],
        "intercommunalities": [TEV, ACB],
        "start": d(2024, 6, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, TEV, OP, 8000, 8000),
            (2025, TEV, OP, 5000, 2500),
            (2025, BDT, OP, 10000, None),
        ],
        "indicators": [
            _indicator(
                "Places de logement temporaire identifiées",
                "places",
                30,
                d(2026, 12, 31),
                [(d(2025, 3, 31), 6, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 9, 10),
                "chef",
                "Étude des besoins de logement confiée à un bureau d'études.",
                IN_PROGRESS,
                10,
            ),
            (d(2025, 4, 7), "chef", "Étude rendue : 6 places déjà identifiées.", None, 20),
            (
                d(2025, 7, 1),
                "chef",
                "Action mise en pause dans l'attente des résultats d'un appel à projets sur le "
                "logement des jeunes actifs.",
                PAUSED,
                None,
            ),
        ],
    },
    # Axis 2 — Innovation
    {
        "code": "2.1",
        "axis": "innovation",
        "slug": "diagnostics-industrie-du-futur",
        "title": "Diagnostics « industrie du futur » dans les PME",
        "summary": "un diagnostic de modernisation (numérique, automatisation, organisation) "
        "offert aux PME industrielles, suivi d'un plan d'action.",
        "description": "Un consultant passe deux jours dans l'entreprise, identifie les "
        "investissements de modernisation les plus utiles et l'oriente vers les financements "
        "existants.",
        "objectives": "- Réaliser 40 diagnostics\n- Suivre les investissements engagés",
        "priority": HIGH,
        "pilot": REGION,
        "partners": [BPI, UIMM, AICR, ERET, GEIDA],
        "intercommunalities": ALL_CC,
        "start": d(2024, 2, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, REGION, OP, 30000, 28000),
            (2024, BPI, OP, 10000, 10000),
            (2025, REGION, OP, 30000, 31500),
            (2025, BPI, OP, 10000, 8000),
            (2026, REGION, OP, 25000, None),
        ],
        "indicators": [
            _indicator(
                "PME diagnostiquées",
                "entreprises",
                40,
                d(2026, 12, 31),
                [(d(2024, 12, 31), 9, ""), (d(2025, 12, 31), 21, ""), (d(2026, 9, 30), 26, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 2, 20),
                "chef",
                "Cahier des charges validé ; consultants retenus.",
                IN_PROGRESS,
                10,
            ),
            (d(2025, 12, 18), "chef", "21 diagnostics réalisés depuis 2024.", None, 45),
            (
                d(2026, 10, 15),
                "chef",
                "26 diagnostics ; la Région prolonge l'action jusqu'à fin 2026.",
                None,
                55,
            ),
        ],
    },
    {
        "code": "2.2",
        "axis": "innovation",
        "slug": "club-innovation-inter-entreprises",
        "title": "Club innovation inter-entreprises",
        "summary": "des rencontres régulières entre dirigeants industriels pour partager leurs "
        "projets d'innovation et monter des projets communs.",
        "description": "Le club se réunit chaque trimestre dans une entreprise différente, "
        "autour d'un thème (robotique, matériaux, numérique) choisi par ses membres.",
        "objectives": "- Tenir 12 rencontres d'ici fin 2027\n- Faire naître 3 projets communs",
        "priority": LOW,
        "pilot": AICR,
        "partners": [ERET, GEIDA, BPI],
        "intercommunalities": ALL_CC,
        "start": d(2024, 4, 1),
        "end": d(2027, 12, 31),
        "fundings": [
            (2024, AICR, OP, 3000, 2600),
            (2025, AICR, OP, 3000, 3100),
            (2025, BPI, OP, 2000, 2000),
            (2026, AICR, OP, 3000, None),
        ],
        "indicators": [
            _indicator(
                "Rencontres du club",
                "rencontres",
                12,
                d(2027, 12, 31),
                [(d(2024, 12, 31), 2, ""), (d(2025, 12, 31), 5, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 5, 14),
                "aicr",
                "Première rencontre du club : 14 dirigeants présents.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2026, 2, 10),
                "aicr",
                "Cinq rencontres depuis 2024 ; thème retenu pour 2026 : la robotique "
                "collaborative.",
                None,
                30,
            ),
        ],
    },
    {
        "code": "2.3",
        "axis": "innovation",
        "slug": "accompagnement-createurs-industriels",
        "title": "Accompagnement des créateurs d'entreprises industrielles",
        "summary": "un parcours d'accompagnement pour les porteurs de projets industriels : "
        "étude de marché, prototype, financement, locaux.",
        "description": "Les porteurs de projets sont suivis pendant dix-huit mois par un chargé "
        "d'affaires, avec l'appui de Bpifrance et de la Région pour le financement.",
        "objectives": "- Accompagner 25 projets de création",
        "priority": MEDIUM,
        "pilot": TEV,
        "partners": [BPI, REGION],
        "intercommunalities": [TEV],
        "start": d(2024, 1, 1),
        "end": d(2027, 12, 31),
        "fundings": [
            (2024, TEV, OP, 12000, 12000),
            (2024, REGION, OP, 8000, 8000),
            (2025, TEV, OP, 12000, 11800),
            (2025, REGION, OP, 8000, 8000),
            (2026, TEV, OP, 12000, None),
        ],
        "indicators": [
            _indicator(
                "Projets de création accompagnés",
                "projets",
                25,
                d(2027, 12, 31),
                [(d(2024, 12, 31), 7, ""), (d(2025, 12, 31), 15, ""), (d(2026, 6, 30), 18, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 1, 30),
                "chef",
                "Lancement du parcours ; premier appel à candidatures.",
                IN_PROGRESS,
                10,
            ),
            (d(2025, 7, 3), "chef", "Deuxième promotion : 8 projets retenus.", None, 35),
            (
                d(2026, 9, 17),
                "chef",
                "18 projets accompagnés, dont 5 entreprises créées.",
                None,
                50,
            ),
        ],
    },
    {
        "code": "2.4",
        "axis": "innovation",
        "slug": "export-pme-industrielles",
        "title": "Accompagnement à l'export des PME industrielles",
        "summary": "aider les PME industrielles à trouver leurs premiers clients à l'étranger.",
        "description": "Un programme collectif de préparation à l'export (diagnostic, salon "
        "professionnel, prospection) conduit avec Business France.",
        "objectives": "- Accompagner 15 entreprises à l'export",
        "priority": MEDIUM,
        "pilot": BUSINESS_FRANCE,
        "partners": [REGION, BPI, ERET],
        "intercommunalities": ALL_CC,
        "start": d(2027, 1, 1),
        "end": d(2027, 12, 31),
        "fundings": [
            (2027, BUSINESS_FRANCE, OP, 10000, None),
            (2027, REGION, OP, 10000, None),
        ],
        "indicators": [
            _indicator(
                "Entreprises accompagnées à l'export", "entreprises", 15, d(2027, 12, 31), []
            )
        ],
        "updates": [
            (
                d(2026, 6, 15),
                "chef",
                "Démarrage reporté à 2027 ; contenu du programme précisé avec Business France.",
                None,
                None,
            ),
        ],
    },
    {
        "code": "2.5",
        "axis": "innovation",
        "slug": "accueil-projet-implantation-industrielle",
        "title": "Accueil d'un projet d'implantation industrielle (confidentiel)",
        "summary": "accompagner une entreprise qui étudie l'implantation d'une nouvelle usine "
        "sur le territoire ; fiche réservée aux partenaires tant que le projet n'est pas public.",
        "description": "Recherche de terrain, montage du dossier d'aides, relations avec les "
        "services de l'État pour les autorisations.",
        "objectives": "- Proposer un terrain adapté\n- Obtenir les autorisations en 2027",
        "priority": HIGH,
        "pilot": AMB,
        "partners": [BUSINESS_FRANCE, REGION, PREFECTURE, BPI],
        "intercommunalities": [AMB],
        "start": d(2025, 3, 1),
        "end": d(2026, 12, 31),
        "is_public": False,
        "added_on": d(2025, 3, 1),
        "fundings": [
            (2025, AMB, OP, 15000, 12000),
            (2026, AMB, INV, 120000, None),
            (2026, REGION, INV, 80000, None),
        ],
        "indicators": [
            _indicator(
                "Étapes franchies du dossier d'implantation",
                "étapes",
                6,
                d(2026, 12, 31),
                [(d(2025, 6, 30), 2, ""), (d(2026, 3, 31), 3, ""), (d(2026, 10, 31), 4, "")],
            ),
        ],
        "updates": [
            (
                d(2025, 3, 18),
                "amb",
                "Premier contact avec l'entreprise ; accord de confidentialité signé.",
                IN_PROGRESS,
                20,
            ),
            (
                d(2025, 11, 4),
                "amb",
                "Visite de trois terrains disponibles ; étude de faisabilité en cours.",
                None,
                40,
            ),
            (
                d(2026, 11, 5),
                "amb",
                "Terrain choisi ; dépôt du permis de construire prévu début 2027.",
                None,
                60,
            ),
        ],
    },
    # Axis 3 — Foncier
    {
        "code": "3.1",
        "axis": "foncier",
        "slug": "bourse-aux-locaux-industriels",
        "title": "Bourse aux locaux industriels",
        "summary": "recenser les locaux et terrains industriels disponibles et les proposer aux "
        "entreprises qui cherchent à s'installer ou à s'agrandir.",
        "description": "Un inventaire partagé des bâtiments vacants, des terrains disponibles et "
        "des projets de cession, tenu à jour avec les communes et les associations "
        "d'entreprises, pour répondre vite aux demandes sans consommer de nouvelles terres.",
        "objectives": "- Recenser 120 biens\n- Attribuer 30 biens à des entreprises",
        "priority": HIGH,
        "pilot": AMB,
        "partners": [TEV, ACB, CAS, ERET, AICR, GEIDA],
        "intercommunalities": ALL_CC,
        "start": d(2024, 2, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, AMB, OP, 18000, 17400),
            (2024, BDT, OP, 10000, 10000),
            (2025, AMB, OP, 12000, 11800),
            (2025, TEV, OP, 4000, 4000),
            (2026, AMB, OP, 10000, None),
        ],
        "budget_changes": {(2024, AMB, OP): (d(2024, 9, 12), 15000)},
        "indicators": [
            _indicator(
                "Locaux et terrains recensés",
                "biens",
                120,
                d(2026, 12, 31),
                [
                    (d(2024, 6, 30), 34, ""),
                    (d(2024, 12, 31), 71, ""),
                    (d(2025, 12, 31), 104, ""),
                    (d(2026, 9, 30), 117, ""),
                ],
            ),
            _indicator(
                "Biens attribués à une entreprise",
                "biens",
                30,
                d(2026, 12, 31),
                [(d(2025, 6, 30), 6, ""), (d(2025, 12, 31), 11, ""), (d(2026, 9, 30), 17, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 2, 26),
                "amb",
                "Lancement du recensement avec les communes du Val d'Amboise.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2024, 9, 12),
                "amb",
                "Budget 2024 porté de 15 000 € à 18 000 € pour géolocaliser les biens recensés.",
                None,
                35,
            ),
            (
                d(2025, 2, 5),
                "amb",
                "Le COPIL étend la bourse aux quatre communautés de communes.",
                None,
                50,
            ),
            (d(2026, 10, 20), "amb", "117 biens recensés, 17 attribués.", None, 65),
        ],
    },
    {
        "code": "3.2",
        "axis": "foncier",
        "slug": "requalification-friches-industrielles",
        "title": "Requalification des friches industrielles",
        "summary": "inventorier les friches industrielles et remettre les plus prometteuses sur "
        "le marché, plutôt que d'ouvrir de nouvelles zones.",
        "description": "Inventaire des sites, études de pollution et de faisabilité, puis "
        "travaux de requalification sur un premier site pilote.",
        "objectives": "- Inventorier 15 sites\n- Remettre 20 000 m² de friches sur le marché",
        "priority": HIGH,
        "pilot": CAS,
        "partners": [BDT, PREFECTURE, ADEME, REGION],
        "intercommunalities": [CAS, AMB],
        "start": d(2024, 1, 15),
        "end": d(2027, 12, 31),
        "fundings": [
            (2024, BDT, OP, 25000, 25000),
            (2024, CAS, OP, 10000, 10000),
            (2025, PREFECTURE, INV, 150000, None),
            (2025, CAS, INV, 60000, None),
        ],
        "indicators": [
            _indicator(
                "Friches inventoriées",
                "sites",
                15,
                d(2024, 12, 31),
                [(d(2024, 6, 30), 9, ""), (d(2024, 12, 31), 14, "")],
            ),
            _indicator(
                "Surface de friches remise sur le marché",
                "m²",
                20000,
                d(2027, 12, 31),
                [(d(2025, 12, 31), 0, "Site pilote bloqué")],
            ),
        ],
        "updates": [
            (
                d(2024, 2, 8),
                "chef",
                "Inventaire des friches lancé avec la Banque des Territoires.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2024, 6, 27),
                "chef",
                "Action bloquée : le propriétaire du site pilote refuse la cession ; recherche "
                "d'une solution amiable.",
                BLOCKED,
                25,
            ),
            (
                d(2025, 2, 5),
                "chef",
                "Le COPIL demande un nouveau plan de financement et l'étude d'un second site.",
                None,
                None,
            ),
            (
                d(2026, 4, 14),
                "chef",
                "Négociation toujours en cours avec le propriétaire du site pilote.",
                None,
                None,
            ),
        ],
    },
    {
        "code": "3.3",
        "axis": "foncier",
        "slug": "densification-zones-activites",
        "title": "Densification des zones d'activités existantes",
        "summary": "repérer dans les zones d'activités existantes les parcelles sous-utilisées "
        "pour y accueillir de nouvelles entreprises, dans l'esprit du « zéro artificialisation "
        "nette ».",
        "description": "Étude des zones d'activités des quatre communautés de communes : "
        "parcelles vides, divisions possibles, parkings mutualisables.",
        "objectives": "- Identifier 20 hectares densifiables",
        "priority": MEDIUM,
        "pilot": ACB,
        "partners": [PREFECTURE, REGION, TEV, CAS, AMB],
        "intercommunalities": ALL_CC,
        "start": d(2027, 1, 1),
        "end": d(2027, 12, 31),
        "fundings": [(2026, ACB, OP, 20000, None)],
        "indicators": [
            _indicator("Surface densifiable identifiée", "ha", 20, d(2027, 12, 31), []),
        ],
        "updates": [
            (
                d(2025, 2, 5),
                "chef",
                "Le COPIL retient la densification des zones existantes plutôt que leur "
                "extension ; étude prévue en 2027.",
                None,
                None,
            ),
        ],
    },
    {
        "code": "3.4",
        "axis": "foncier",
        "slug": "reprise-batiment-industriel-vacant",
        "title": "Reprise d'un bâtiment industriel vacant (négociation en cours)",
        "summary": "négocier l'achat d'un bâtiment industriel vacant pour y accueillir des "
        "entreprises ; fiche réservée aux partenaires pendant la négociation.",
        "description": "Acquisition par la communauté de communes, remise aux normes, puis "
        "location à des entreprises industrielles.",
        "objectives": "- Remettre 3 500 m² en activité",
        "priority": MEDIUM,
        "pilot": CAS,
        "partners": [AICR, BDT, REGION],
        "intercommunalities": [CAS],
        "start": d(2025, 9, 1),
        "end": d(2026, 12, 31),
        "is_public": False,
        "added_on": d(2025, 9, 1),
        "fundings": [
            (2025, CAS, OP, 5000, 4500),
            (2026, CAS, INV, 90000, None),
            (2026, BDT, INV, 60000, None),
        ],
        "indicators": [
            _indicator(
                "Surface remise en activité",
                "m²",
                3500,
                d(2026, 12, 31),
                [(d(2026, 6, 30), 0, "Négociation en cours")],
            ),
        ],
        "updates": [
            (
                d(2025, 9, 15),
                "chef",
                "Visite du bâtiment avec l'AICR et la Banque des Territoires.",
                IN_PROGRESS,
                10,
            ),
            (d(2026, 6, 22), "chef", "Offre d'achat transmise au propriétaire.", None, 30),
        ],
    },
    {
        "code": "3.5",
        "axis": "foncier",
        "slug": "extension-zone-activites-terres-agricoles",
        "title": "Extension d'une zone d'activités sur des terres agricoles",
        "summary": "projet d'extension d'une zone d'activités, abandonné au profit de la "
        "densification des zones existantes.",
        "description": "L'étude préalable a montré que l'extension aurait consommé 12 hectares "
        "de terres agricoles ; le COPIL a préféré densifier les zones existantes (action 3.3).",
        "objectives": "- Étudier l'opportunité d'une extension de 12 hectares",
        "priority": LOW,
        "pilot": TEV,
        "partners": [PREFECTURE],
        "intercommunalities": [TEV],
        "start": d(2024, 1, 1),
        "end": d(2025, 1, 30),
        "fundings": [(2024, TEV, OP, 7000, 3500)],
        "indicators": [
            _indicator(
                "Terres agricoles préservées",
                "ha",
                12,
                d(2025, 1, 30),
                [(d(2025, 1, 30), 12, "Projet abandonné, terres préservées")],
            ),
        ],
        "updates": [
            (d(2024, 2, 15), "chef", "Étude préalable lancée.", IN_PROGRESS, 5),
            (
                d(2025, 1, 30),
                "chef",
                "Le COPIL abandonne le projet au profit de la densification des zones "
                "existantes (objectif « zéro artificialisation nette »).",
                ABANDONED,
                10,
            ),
        ],
    },
    # Axis 4 — Transition écologique
    {
        "code": "4.1",
        "axis": "transition-ecologique",
        "slug": "ecologie-industrielle-territoriale",
        "title": "Écologie industrielle territoriale",
        "summary": "faire des déchets et des surplus d'une entreprise les ressources d'une autre "
        "(matières, énergie, eau, équipements partagés).",
        "description": "Un animateur rencontre les entreprises, recense leurs flux entrants et "
        "sortants et fait émerger des synergies : échanges de matières, mutualisation "
        "d'équipements, récupération de chaleur.",
        "objectives": "- Mettre en œuvre 10 synergies\n- Valoriser 500 tonnes de déchets par an",
        "priority": HIGH,
        "pilot": GEIDA,
        "partners": [ADEME, REGION, ERET, AICR, CAS],
        "intercommunalities": ALL_CC,
        "start": d(2024, 3, 1),
        "end": d(2027, 12, 31),
        "fundings": [
            (2024, ADEME, OP, 20000, 20000),
            (2024, REGION, OP, 10000, 9000),
            (2025, ADEME, OP, 20000, 18000),
            (2025, REGION, OP, 10000, 10000),
            (2026, ADEME, OP, 15000, None),
        ],
        "indicators": [
            _indicator(
                "Synergies inter-entreprises en place",
                "synergies",
                10,
                d(2027, 12, 31),
                [(d(2024, 12, 31), 1, ""), (d(2025, 12, 31), 4, "")],
            ),
            _indicator(
                "Déchets valorisés grâce aux synergies",
                "tonnes par an",
                500,
                d(2027, 12, 31),
                [(d(2025, 12, 31), 120, ""), (d(2026, 6, 30), 190, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 3, 21),
                "chef",
                "Recrutement de l'animateur ; 30 entreprises rencontrées d'ici l'été.",
                IN_PROGRESS,
                10,
            ),
            (d(2025, 6, 10), "chef", "Deux synergies de matières en place.", None, 25),
            (
                d(2026, 10, 28),
                "chef",
                "Première récupération de chaleur entre deux sites voisins.",
                None,
                40,
            ),
        ],
    },
    {
        "code": "4.2",
        "axis": "transition-ecologique",
        "slug": "diagnostics-decarbonation-pme",
        "title": "Diagnostics décarbonation des PME industrielles",
        "summary": "mesurer les émissions de gaz à effet de serre des PME industrielles et bâtir "
        "avec chacune un plan de réduction.",
        "description": "Bilan des émissions, pistes de réduction chiffrées (efficacité "
        "énergétique, changement de procédé, énergies renouvelables) et orientation vers les "
        "aides de l'ADEME et de Bpifrance.",
        "objectives": "- Réaliser 30 diagnostics\n- Éviter 2 000 tonnes de CO₂e par an",
        "priority": MEDIUM,
        "pilot": ADEME,
        "partners": [BPI, AICR, AMB, ERET],
        "intercommunalities": ALL_CC,
        "start": d(2024, 4, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, ADEME, OP, 25000, 22000),
            (2024, BPI, OP, 15000, 15000),
            (2025, ADEME, OP, 25000, 26000),
            (2025, AMB, OP, 5000, 5000),
            (2026, ADEME, OP, 20000, None),
        ],
        "indicators": [
            _indicator(
                "Diagnostics réalisés",
                "diagnostics",
                30,
                d(2026, 12, 31),
                [(d(2024, 12, 31), 8, ""), (d(2025, 12, 31), 17, ""), (d(2026, 9, 30), 21, "")],
            ),
            _indicator(
                "Émissions évitées (estimation)",
                "t CO₂e par an",
                2000,
                d(2026, 12, 31),
                [(d(2025, 12, 31), 640, "Estimation sur les plans engagés")],
            ),
        ],
        "updates": [
            (d(2024, 4, 25), "chef", "Premiers diagnostics engagés.", IN_PROGRESS, 10),
            (d(2025, 12, 9), "chef", "17 diagnostics réalisés.", None, 45),
            (d(2026, 10, 1), "chef", "21 diagnostics ; 640 t CO₂e évitées par an.", None, 60),
        ],
    },
    {
        "code": "4.3",
        "axis": "transition-ecologique",
        "slug": "mutualisation-collecte-dechets-industriels",
        "title": "Mutualisation de la collecte des déchets industriels",
        "summary": "organiser une collecte commune des déchets des entreprises d'une même zone "
        "pour en réduire le coût et mieux les valoriser.",
        "description": "Appel d'offres commun pour la collecte des cartons, plastiques, métaux et "
        "palettes des entreprises adhérentes.",
        "objectives": "- Réunir 25 entreprises adhérentes",
        "priority": MEDIUM,
        "pilot": AICR,
        "partners": [CAS, ADEME, GEIDA],
        "intercommunalities": [CAS],
        "start": d(2024, 5, 1),
        "end": d(2026, 12, 31),
        "fundings": [
            (2024, AICR, OP, 4000, 3800),
            (2024, ADEME, OP, 6000, 6000),
            (2025, ADEME, OP, 6000, 3000),
        ],
        "indicators": [
            _indicator(
                "Entreprises adhérentes à la collecte commune",
                "entreprises",
                25,
                d(2026, 12, 31),
                [(d(2024, 12, 31), 8, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 5, 16),
                "aicr",
                "Réunion d'information : 12 entreprises intéressées.",
                IN_PROGRESS,
                10,
            ),
            (d(2024, 12, 12), "aicr", "8 entreprises ont adhéré.", None, 25),
            (
                d(2025, 2, 5),
                "aicr",
                "Mise en pause décidée au COPIL dans l'attente d'une étude des gisements de "
                "déchets.",
                PAUSED,
                None,
            ),
        ],
    },
    {
        "code": "4.4",
        "axis": "transition-ecologique",
        "slug": "solaire-toitures-parkings-zones-activites",
        "title": "Énergie solaire sur les toitures et parkings des zones d'activités",
        "summary": "équiper de panneaux solaires les toitures industrielles et les parkings des "
        "zones d'activités, sans consommer de terres.",
        "description": "Étude du potentiel, puis projet collectif d'installation et "
        "d'autoconsommation avec les entreprises volontaires.",
        "objectives": "- Installer 1 500 kWc",
        "priority": MEDIUM,
        "pilot": TEV,
        "partners": [BDT, REGION, ACB, AMB],
        "intercommunalities": [TEV, ACB, AMB],
        "start": d(2027, 1, 1),
        "end": d(2027, 12, 31),
        "fundings": [(2026, TEV, OP, 12000, None), (2027, BDT, INV, 200000, None)],
        "indicators": [
            _indicator("Puissance solaire installée", "kWc", 1500, d(2027, 12, 31), []),
        ],
        "updates": [
            (
                d(2026, 9, 8),
                "chef",
                "Étude du potentiel solaire confiée ; résultats attendus début 2027.",
                None,
                None,
            ),
        ],
    },
    {
        "code": "4.5",
        "axis": "transition-ecologique",
        "slug": "plan-mobilite-inter-entreprises",
        "title": "Plan de mobilité inter-entreprises",
        "summary": "un plan de mobilité commun aux entreprises d'une zone d'activités : "
        "covoiturage, navettes, vélo.",
        "description": "Action ajoutée au plan en cours d'année 2024, à la demande des "
        "entreprises : enquête auprès des salariés, plateforme de covoiturage, essai d'une "
        "navette depuis la gare.",
        "objectives": "- Couvrir 1 500 salariés",
        "priority": LOW,
        "pilot": ACB,
        "partners": [ERET, TEV, REGION],
        "intercommunalities": [ACB, TEV],
        "start": d(2024, 9, 1),
        "end": d(2026, 12, 31),
        "added_on": d(2024, 9, 1),
        "fundings": [
            (2024, ACB, OP, 5000, 5000),
            (2025, ACB, OP, 8000, 7600),
            (2025, REGION, OP, 6000, 6000),
        ],
        "indicators": [
            _indicator(
                "Salariés couverts par le plan",
                "salariés",
                1500,
                d(2026, 12, 31),
                [(d(2025, 6, 30), 420, ""), (d(2026, 6, 30), 760, "")],
            ),
        ],
        "updates": [
            (
                d(2024, 9, 19),
                "chef",
                "Action ajoutée au plan à la demande des entreprises ; enquête mobilité lancée.",
                IN_PROGRESS,
                10,
            ),
            (
                d(2026, 10, 8),
                "chef",
                "Plateforme de covoiturage ouverte ; essai de navette en préparation.",
                None,
                35,
            ),
        ],
    },
]

# Demonstration COPIL meetings: the first phase-2 COPIL (25 January 2024) is real reference data.
MEETINGS = [
    {
        "key": "2025",
        "date": d(2025, 1, 30),
        "start_time": datetime.time(14, 0),
        "place": "Amboise",
        "status": CopilMeeting.Status.HELD,
        "minutes": "Compte rendu fictif, pour la démonstration du portail.\n\n"
        "Le comité a fait le bilan de l'année 2024, validé le plan d'actions 2025 et son budget, "
        "et arbitré plusieurs questions foncières.",
        "attendees": ALL_CC + [ERET, AICR, GEIDA, PREFECTURE, REGION, BDT, ADEME],
        "agenda": [
            "Bilan 2024 du plan d'actions",
            "Plan d'actions 2025 et budget",
            "Foncier : friches et zones d'activités",
        ],
        "decisions": [
            ("Validation du plan d'actions 2025 et de son budget.", []),
            (
                "Extension de la bourse aux locaux industriels aux quatre communautés de communes.",
                ["3.1"],
            ),
            (
                "Abandon de l'extension de zone d'activités sur des terres agricoles, au profit de "
                "la densification des zones existantes.",
                ["3.5", "3.3"],
            ),
            (
                "Recherche d'un nouveau plan de financement pour la requalification des friches.",
                ["3.2"],
            ),
            (
                "Mise en pause de la collecte commune des déchets industriels dans l'attente "
                "d'une étude des gisements.",
                ["4.3"],
            ),
        ],
        "validates": 2025,
    },
    {
        "key": "2026",
        "date": d(2026, 1, 29),
        "start_time": datetime.time(14, 0),
        "place": "Château-Renault",
        "status": CopilMeeting.Status.HELD,
        "minutes": "Compte rendu fictif, pour la démonstration du portail.\n\n"
        "Le comité a fait le bilan de l'année 2025 et validé le plan d'actions 2026 et son "
        "budget.",
        "attendees": ALL_CC + [ERET, AICR, GEIDA, PREFECTURE, DREETS, REGION, ADEME],
        "agenda": ["Bilan 2025 du plan d'actions", "Plan d'actions 2026 et budget"],
        "decisions": [
            ("Validation du plan d'actions 2026 et de son budget.", []),
            ("Prolongation des diagnostics « industrie du futur » jusqu'à fin 2026.", ["2.1"]),
            ("Report de l'accompagnement à l'export en 2027.", ["2.4"]),
        ],
        "validates": 2026,
    },
    {
        "key": "2027",
        "date": d(2027, 1, 28),
        "start_time": datetime.time(14, 0),
        "place": "",
        "status": CopilMeeting.Status.PLANNED,
        "minutes": "",
        "attendees": [],
        "agenda": [
            "Bilan 2026 du plan d'actions",
            "Plan d'actions 2027 et budget",
            "Préparation du bilan de la phase 2",
        ],
        "decisions": [],
        "validates": None,
    },
]
MEETING_TITLE = "Comité de pilotage (démonstration)"


@dataclass
class DemoResult:
    actions: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    users: dict = field(default_factory=dict)


class MissingReferenceData(Exception):
    pass


def state_on(spec, day):
    """Status and progress of an action on `day`, as its progress updates tell."""
    status, progress = PLANNED, 0
    for date, _author, _text, status_after, progress_after in spec["updates"]:
        if date > day:
            break
        status = status_after or status
        progress = progress_after if progress_after is not None else progress
    return status, progress


def exists_on(spec, day):
    return spec.get("added_on", FIRST_COPIL_DATE) <= day


def _sync_users(organisations):
    users = {}
    for key, email, first_name, last_name, staff, org_slug, role in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                is_staff=staff,
                is_superuser=staff,
            )
        else:
            wanted = {
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": staff,
                "is_superuser": staff,
                "is_active": True,
            }
            changed = {k: v for k, v in wanted.items() if getattr(user, k) != v}
            for name, value in changed.items():
                setattr(user, name, value)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed["password"] = True
            if changed:
                user.save()
        if org_slug:
            sync(
                Membership, {"user": user, "organisation": organisations[org_slug]}, {"role": role}
            )
        users[key] = user
    return users


def _sync_action(spec, context, day=None):
    """Write the action as it stood on `day` (its current state when `day` is None)."""
    status, progress = state_on(spec, day or datetime.date.max)
    chef = context["users"]["chef"]
    action = sync(
        Action,
        {"phase": context["phase"], "code": spec["code"]},
        {
            "axis": context["axes"][spec["axis"]],
            "slug": spec["slug"],
            "title": spec["title"],
            "summary": DEMO_SUMMARY_PREFIX + spec["summary"],
            "description": f"{spec['description']}\n\n{DEMO_NOTICE}",
            "objectives": spec["objectives"],
            "status": status,
            "priority": spec["priority"],
            "pilot": context["organisations"][spec["pilot"]],
            "start_date": spec["start"],
            "end_date": spec["end"],
            "progress": progress,
            "is_public": spec.get("is_public", True),
            "is_archived": False,
            "is_demo": True,
            "updated_by": chef,
        },
        history_user=chef,
    )
    organisations = context["organisations"]
    sync_m2m(action.partners, [organisations[slug] for slug in spec["partners"]])
    sync_m2m(
        action.intercommunalities,
        [context["intercommunalities"][slug] for slug in spec["intercommunalities"]],
    )
    for year, funder, kind, planned, actual in spec["fundings"]:
        change = spec.get("budget_changes", {}).get((year, funder, kind))
        if day is not None and change and day < change[0]:
            planned = change[1]
        # Actual amounts are known once the year is over, or as it goes.
        if day is not None and year >= day.year:
            actual = None
        sync(
            Funding,
            {"action": action, "year": year, "funder": organisations[funder], "kind": kind},
            {
                "planned_amount": Decimal(planned),
                "actual_amount": Decimal(actual) if actual is not None else None,
            },
            history_user=chef,
        )
    return action


def _sync_follow_up(action, spec, users):
    """Indicators, measurements and progress updates (current state only)."""
    chef = users["chef"]
    for item in spec["indicators"]:
        indicator = sync(
            Indicator,
            {"action": action, "name": item["name"]},
            {
                "unit": item["unit"],
                "baseline": item["baseline"],
                "target": item["target"],
                "target_date": item["target_date"],
            },
            history_user=chef,
        )
        for date, value, comment in item["measurements"]:
            sync(
                Measurement,
                {"indicator": indicator, "date": date},
                {"value": Decimal(value), "comment": comment, "author": chef},
                history_user=chef,
            )
    for date, author, text, status_after, progress_after in spec["updates"]:
        before, _ = state_on(spec, date - datetime.timedelta(days=1))
        sync(
            ProgressUpdate,
            {"action": action, "date": date},
            {
                "author": users[author],
                "text": text,
                "status_before": before if status_after else "",
                "status_after": status_after or "",
                "progress_after": progress_after,
            },
        )


def _sync_meeting(spec, context):
    organisations = context["organisations"]
    meeting = sync(
        CopilMeeting,
        {"phase": context["phase"], "date": spec["date"]},
        {
            "title": MEETING_TITLE,
            "start_time": spec["start_time"],
            "place": spec["place"],
            "status": spec["status"],
            "minutes": spec["minutes"],
            "minutes_public": True,
            "is_public": True,
        },
        history_user=context["users"]["chef"],
    )
    sync_m2m(meeting.attendees, [organisations[slug] for slug in spec["attendees"]])
    for order, title in enumerate(spec["agenda"], start=1):
        sync(AgendaItem, {"meeting": meeting, "order": order}, {"title": title})
    return meeting


def _sync_decisions(meeting, spec, actions_by_code, chef):
    for order, (text, codes) in enumerate(spec["decisions"], start=1):
        decision = sync(
            Decision, {"meeting": meeting, "order": order}, {"text": text}, history_user=chef
        )
        for code in codes:
            action = actions_by_code[code]
            if not action.decisions.filter(pk=decision.pk).exists():
                action.decisions.add(decision)


def _validate_once(meeting, year, day, context):
    """Validate the plan of `year` at `meeting`, with the actions as they stood on `day`."""
    plan = AnnualPlan.objects.filter(meeting=meeting, year=year).first()
    if plan is not None:
        return plan
    for spec in ACTIONS:
        if exists_on(spec, day):
            _sync_action(spec, context, day)
    return validate_annual_plan(meeting, year, context["users"]["chef"])


def load_demo():
    """Write the demonstration data; the caller wraps it in a transaction."""
    phase = Phase.objects.filter(territory__slug=TERRITORY_SLUG, number=2).first()
    first_copil = (
        CopilMeeting.objects.filter(phase=phase, date=FIRST_COPIL_DATE).first() if phase else None
    )
    if first_copil is None:
        raise MissingReferenceData
    context = {
        "phase": phase,
        "axes": {axis.slug: axis for axis in phase.axes.all()},
        "organisations": {o.slug: o for o in Organisation.objects.all()},
        "intercommunalities": {i.slug: i for i in Intercommunality.objects.all()},
    }
    result = DemoResult()
    result.users = context["users"] = _sync_users(context["organisations"])

    meetings = {spec["key"]: _sync_meeting(spec, context) for spec in MEETINGS}

    # Replay: each validated plan freezes the actions as they stood on its COPIL's date.
    result.plans.append(_validate_once(first_copil, 2024, FIRST_COPIL_DATE, context))
    for spec in MEETINGS:
        if spec["validates"]:
            meeting = meetings[spec["key"]]
            result.plans.append(_validate_once(meeting, spec["validates"], spec["date"], context))

    # Today's state.
    actions_by_code = {}
    for spec in ACTIONS:
        action = _sync_action(spec, context)
        _sync_follow_up(action, spec, context["users"])
        actions_by_code[spec["code"]] = action
    for spec in MEETINGS:
        _sync_decisions(meetings[spec["key"]], spec, actions_by_code, context["users"]["chef"])

    result.actions = list(actions_by_code.values())
    result.meetings = list(meetings.values())
    return result
