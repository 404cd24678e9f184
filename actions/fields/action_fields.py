"""`ACTION_FIELDS`: one `ActionField` per attribute of the action, in the order of the open-data
files, with the readers of the columns that are not an attribute as it is (totals, milestones)."""

from decimal import Decimal
from operator import attrgetter

from .columns import ActionField, Column, SheetColumn, Snapshot


def _names(relation, attribute):
    return lambda action: [getattr(item, attribute) for item in getattr(action, relation).all()]


def planned_total(action):
    return sum((f.planned_amount for f in action.fundings.all()), Decimal("0.00"))


def actual_total(action):
    """The sum of the actual amounts known so far; None while none is."""
    actuals = [f.actual_amount for f in action.fundings.all() if f.actual_amount is not None]
    return sum(actuals, Decimal("0.00")) if actuals else None


def frozen_milestones(action):
    """The action's milestones in their order, as a validated plan keeps them (prefetched)."""
    return [milestone.frozen() for milestone in action.milestones.all()]


ACTION_FIELDS = [
    ActionField(
        "code",
        columns=(Column("code", "text", "Code de la fiche action, unique dans une phase.", "1.1"),),
        sheet=SheetColumn(
            "Code",
            "Code de la fiche action, par exemple 2.3. Obligatoire. Avec la phase, il identifie "
            "la fiche : un code existant met la fiche à jour.",
            "text",
        ),
        snapshot=(Snapshot("code"),),
    ),
    ActionField("code_sort", snapshot=(Snapshot("code_sort"),)),
    ActionField(
        "slug",
        columns=(
            Column(
                "slug",
                "text",
                "Identifiant stable de la fiche, unique sur tout le portail ; c'est aussi la fin "
                "de son adresse.",
                "tiers-lieu-le-rubixco",
            ),
        ),
    ),
    ActionField(
        "phase",
        columns=(
            Column(
                "phase",
                "integer",
                "Numéro de la phase du programme.",
                "2",
                read=attrgetter("phase.number"),
            ),
        ),
        sheet=SheetColumn(
            "Phase",
            "Numéro de la phase (2 pour 2023-2027). Vide : la phase la plus récente.",
            "phase",
        ),
    ),
    ActionField(
        "axis",
        columns=(
            Column(
                "axe_numero",
                "integer",
                "Numéro de l'axe dans la phase.",
                "1",
                read=attrgetter("axis.number"),
            ),
            Column("axe", "text", "Nom de l'axe.", "Compétences", read=attrgetter("axis.name")),
        ),
        sheet=SheetColumn(
            "Axe", "Numéro de l'axe (1, 2…), « Axe 1 » ou son nom (Compétences…).", "axis"
        ),
        snapshot=(
            Snapshot("axis_number", attrgetter("axis.number")),
            Snapshot("axis_name", attrgetter("axis.name")),
        ),
    ),
    ActionField(
        "title",
        columns=(Column("intitule", "text", "Intitulé de l'action."),),
        sheet=SheetColumn("Intitulé", "Titre de la fiche action. Obligatoire.", "text"),
        snapshot=(Snapshot("title"),),
    ),
    ActionField(
        "summary",
        columns=(Column("resume", "text", "Résumé en quelques lignes."),),
        sheet=SheetColumn("Résumé", "Quelques lignes de présentation.", "text"),
    ),
    ActionField(
        "status",
        columns=(
            Column(
                "statut",
                "text",
                "Code du statut : planned, in_progress, done, paused, blocked ou abandoned.",
                "in_progress",
            ),
            Column(
                "statut_libelle",
                "text",
                "Statut en clair : À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée.",
                "En cours",
                read=lambda action: action.get_status_display(),
            ),
        ),
        sheet=SheetColumn(
            "Statut",
            "À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée.",
            "status",
            keep_when_empty=True,
        ),
        snapshot=(Snapshot("status"),),
        compared=True,
    ),
    ActionField(
        "priority",
        columns=(
            Column("priorite", "text", "Code de la priorité : high, medium ou low.", "high"),
            Column(
                "priorite_libelle",
                "text",
                "Priorité en clair : Élevée, Moyenne ou Basse.",
                "Élevée",
                read=lambda action: action.get_priority_display(),
            ),
        ),
        sheet=SheetColumn(
            "Priorité", "Élevée, Moyenne ou Basse.", "priority", keep_when_empty=True
        ),
    ),
    ActionField(
        "pilot",
        columns=(
            Column(
                "pilote",
                "text",
                "Nom de l'organisation qui pilote l'action.",
                read=attrgetter("pilot.name"),
            ),
            Column(
                "pilote_slug",
                "text",
                "Identifiant stable de l'organisation pilote.",
                read=attrgetter("pilot.slug"),
            ),
        ),
        sheet=SheetColumn("Pilote", "Sigle ou nom de l'organisation pilote. Obligatoire.", "pilot"),
        snapshot=(Snapshot("pilot_name", lambda action: str(action.pilot)),),
    ),
    ActionField(
        "partners",
        columns=(
            Column(
                "partenaires",
                "list",
                "Noms des organisations partenaires.",
                read=_names("partners", "name"),
            ),
            Column(
                "partenaires_slugs",
                "list",
                "Identifiants stables des organisations partenaires.",
                read=_names("partners", "slug"),
            ),
        ),
        sheet=SheetColumn(
            "Partenaires",
            "Sigles ou noms des organisations partenaires, séparés par « ; ».",
            "organisations",
        ),
    ),
    ActionField(
        "intercommunalities",
        columns=(
            Column(
                "communautes_de_communes",
                "list",
                "Communautés de communes concernées par l'action.",
                read=_names("intercommunalities", "name"),
            ),
            Column(
                "communautes_de_communes_siren",
                "list",
                "Numéros SIREN de ces communautés de communes, dans le même ordre.",
                "200073161",
                read=_names("intercommunalities", "siren"),
            ),
        ),
        sheet=SheetColumn(
            "Communautés de communes",
            "Noms des communautés de communes concernées, séparés par « ; ».",
            "intercommunalities",
        ),
    ),
    ActionField(
        "start_date",
        columns=(
            Column(
                "date_debut", "date", "Date de début (AAAA-MM-JJ), vide si non fixée.", "2024-01-01"
            ),
        ),
        sheet=SheetColumn("Date de début", "JJ/MM/AAAA.", "date"),
    ),
    ActionField(
        "end_date",
        columns=(
            Column(
                "date_fin",
                "date",
                "Date de fin prévue (AAAA-MM-JJ), vide si non fixée.",
                "2026-12-31",
            ),
        ),
        sheet=SheetColumn("Date de fin", "JJ/MM/AAAA, après la date de début.", "date"),
    ),
    ActionField(
        "progress",
        columns=(Column("avancement", "integer", "Avancement en pourcentage, de 0 à 100.", "40"),),
        sheet=SheetColumn(
            "Avancement (%)", "Nombre entier de 0 à 100.", "percent", keep_when_empty=True
        ),
    ),
    ActionField(
        "is_public",
        sheet=SheetColumn(
            "Publique",
            "oui ou non : la fiche est visible sur le site public.",
            "yes_no",
            keep_when_empty=True,
        ),
    ),
    ActionField(
        "is_archived",
        sheet=SheetColumn("Archivée", "oui ou non.", "yes_no", keep_when_empty=True),
    ),
    ActionField(
        "fundings",
        columns=(
            Column(
                "budget_prevu_total",
                "decimal",
                "Somme des montants prévus de tous les financements, toutes années, en euros.",
                "125000.00",
                read=planned_total,
            ),
            Column(
                "budget_realise_total",
                "decimal",
                "Somme des montants réalisés connus, en euros ; vide si aucun n'est encore connu.",
                "48000.00",
                read=actual_total,
            ),
        ),
    ),
    ActionField(
        "updated_at",
        columns=(
            Column(
                "modifiee_le",
                "datetime",
                "Date et heure de la dernière modification de la fiche (ISO 8601 avec fuseau).",
                "2024-06-01T10:30:00+02:00",
            ),
        ),
    ),
    ActionField(
        "get_absolute_url",
        columns=(
            Column(
                "url",
                "url",
                "Adresse de la fiche action sur le portail.",
                read=lambda action: action.get_absolute_url(),
            ),
        ),
    ),
    ActionField(
        "is_demo",
        columns=(
            Column(
                "demonstration",
                "text",
                "oui si la fiche est une donnée de démonstration (fictive, chargée pour essayer "
                "le portail), non sinon.",
                "non",
                read=lambda action: "oui" if action.is_demo else "non",
            ),
        ),
    ),
    # The firms' door (« Qui contacter »), after the older columns so that their places hold.
    ActionField(
        "needs",
        columns=(
            Column(
                "besoins",
                "list",
                "Besoins des entreprises auxquels l'action répond.",
                "Recruter",
                read=_names("needs", "name"),
            ),
            Column(
                "besoins_slugs",
                "list",
                "Identifiants stables de ces besoins, dans le même ordre.",
                "recruter",
                read=_names("needs", "slug"),
            ),
        ),
    ),
    ActionField(
        "how_to_apply",
        columns=(Column("comment_participer", "text", "Démarche d'une entreprise intéressée."),),
        sheet=SheetColumn(
            "Comment y participer", "Quelques lignes : la démarche d'une entreprise.", "text"
        ),
    ),
    ActionField(
        "eligibility",
        columns=(Column("eligibilite", "text", "Entreprises qui peuvent en bénéficier."),),
        sheet=SheetColumn(
            "Qui peut en bénéficier", "Quelques lignes : taille, secteur, lieu…", "text"
        ),
    ),
    # Milestones: frozen with the plan; the diff compares them apart (`actions.diff`), item by
    # item; the open data gives them a file of their own (`actions.opendata.milestones`).
    ActionField("milestones", snapshot=(Snapshot("milestones", frozen_milestones),)),
    # A named referent is a person: in the staff's spreadsheet, never in the open data (the
    # public fiche shows them only with their consent; a licence to reuse is another matter).
    ActionField(
        "referent_name",
        sheet=SheetColumn("Référent : nom", "Prénom et nom de la personne à contacter.", "text"),
    ),
    ActionField(
        "referent_role",
        sheet=SheetColumn("Référent : fonction", "Sa fonction dans l'organisation.", "text"),
    ),
    ActionField(
        "referent_email",
        sheet=SheetColumn("Référent : e-mail", "Son adresse e-mail professionnelle.", "text"),
    ),
    ActionField(
        "referent_phone",
        sheet=SheetColumn("Référent : téléphone", "Son numéro professionnel.", "text"),
    ),
    ActionField(
        "referent_consent",
        sheet=SheetColumn(
            "Référent affiché",
            "oui si la personne a accepté que son nom et ses coordonnées soient publiés sur la "
            "fiche publique ; sinon le contact public de l'organisation pilote est affiché.",
            "yes_no",
            keep_when_empty=True,
        ),
    ),
]
