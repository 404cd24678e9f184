"""Spreadsheet import and export of the action plan (django-import-export).

One row per funding line, the action's columns repeated on each of its lines; an action without
funding has one row with the funding columns left empty. The columns are listed in `COLUMNS`
(header text, then what the cell holds); the downloadable template carries the same text as
comments on its header row and on a "Mode d'emploi" sheet (`actions.spreadsheet.template`).
The cells are read and written by the widgets of `actions.spreadsheet.widgets`.

An import creates or updates actions (found by phase and code) and funding lines (found by
action, year, funder and nature); it never deletes anything. Every row is checked first; the
preview shows the errors of each row in French and a file with any error imports nothing.
"""

from decimal import Decimal

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils.text import slugify
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import RowResult

from ..models import Action, Funding, Priority, Status
from .widgets import (
    AmountWidget,
    AxisWidget,
    ChoiceWidget,
    FrenchDateWidget,
    IntegerWidget,
    ListWidget,
    Lookups,
    OrganisationWidget,
    PhaseWidget,
    TextWidget,
    YesNoWidget,
    cell_text,
    fold,
)

# (attribute, header, what the cell holds) — the order of the sheet.
COLUMNS = [
    ("phase", "Phase", "Numéro de la phase (2 pour 2023-2027). Vide : la phase la plus récente."),
    ("code", "Code", "Code de la fiche action, par exemple 2.3. Obligatoire. Avec la phase, "
     "il identifie la fiche : un code existant met la fiche à jour."),
    ("axis", "Axe", "Numéro de l'axe (1, 2…), « Axe 1 » ou son nom (Compétences…)."),
    ("title", "Intitulé", "Titre de la fiche action. Obligatoire."),
    ("summary", "Résumé", "Quelques lignes de présentation."),
    ("status", "Statut", "À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée."),
    ("priority", "Priorité", "Élevée, Moyenne ou Basse."),
    ("pilot", "Pilote", "Sigle ou nom de l'organisation pilote. Obligatoire."),
    ("partners", "Partenaires", "Sigles ou noms des organisations partenaires, séparés par « ; »."),
    ("intercommunalities", "Communautés de communes",
     "Noms des communautés de communes concernées, séparés par « ; »."),
    ("start_date", "Date de début", "JJ/MM/AAAA."),
    ("end_date", "Date de fin", "JJ/MM/AAAA, après la date de début."),
    ("progress", "Avancement (%)", "Nombre entier de 0 à 100."),
    ("is_public", "Publique", "oui ou non : la fiche est visible sur le site public."),
    ("is_archived", "Archivée", "oui ou non."),
    ("funding_year", "Année", "Année de la ligne de financement. Vide si la fiche n'a pas de "
     "financement : les quatre colonnes suivantes restent alors vides."),
    ("funding_funder", "Financeur", "Sigle ou nom de l'organisation qui finance."),
    ("funding_kind", "Nature", "Fonctionnement (par défaut) ou Investissement."),
    ("funding_planned", "Montant prévu (€)",
     "Montant en euros ; virgule décimale et espaces acceptés : 12 500,50."),
    ("funding_actual", "Montant réalisé (€)", "Montant en euros, vide si pas encore connu."),
]  # fmt: skip
HEADERS = {attribute: header for attribute, header, _ in COLUMNS}
ACTION_COLUMNS = [attribute for attribute, _, _ in COLUMNS if not attribute.startswith("funding")]
FUNDING_COLUMNS = [attribute for attribute, _, _ in COLUMNS if attribute.startswith("funding")]
REQUIRED_HEADERS = ["Code"]


def _field(attribute, widget, keep_when_empty=False):
    """A column; with `keep_when_empty` an empty cell keeps the current value (or the default)."""
    return fields.Field(
        attribute=attribute,
        column_name=HEADERS[attribute],
        widget=widget,
        saves_null_values=not keep_when_empty,
    )


class ActionResource(resources.ModelResource):
    """Actions with their funding lines, one row per funding line."""

    phase = _field("phase", PhaseWidget())
    code = _field("code", TextWidget())
    axis = _field("axis", AxisWidget(HEADERS["phase"], required=True))
    title = _field("title", TextWidget())
    summary = _field("summary", TextWidget())
    status = _field("status", ChoiceWidget(Status), keep_when_empty=True)
    priority = _field("priority", ChoiceWidget(Priority), keep_when_empty=True)
    pilot = _field(
        "pilot",
        OrganisationWidget(required=True, missing_message="Indiquez l'organisation pilote."),
    )
    partners = _field(
        "partners",
        ListWidget(Lookups.organisation, Lookups.organisation_label),
    )
    intercommunalities = _field(
        "intercommunalities",
        ListWidget(Lookups.intercommunality, lambda lookups, item: item.name),
    )
    start_date = _field("start_date", FrenchDateWidget())
    end_date = _field("end_date", FrenchDateWidget())
    progress = _field(
        "progress",
        IntegerWidget(0, 100, "L'avancement est un nombre entier de 0 à 100."),
        keep_when_empty=True,
    )
    is_public = _field("is_public", YesNoWidget(), keep_when_empty=True)
    is_archived = _field("is_archived", YesNoWidget(), keep_when_empty=True)
    funding_year = _field(
        "funding_year",
        IntegerWidget(2000, 2100, "L'année est un nombre entre 2000 et 2100."),
    )
    funding_funder = _field("funding_funder", OrganisationWidget())
    funding_kind = _field("funding_kind", ChoiceWidget(Funding.Kind))
    funding_planned = _field("funding_planned", AmountWidget())
    funding_actual = _field("funding_actual", AmountWidget())

    class Meta:
        model = Action
        fields = [attribute for attribute, _, _ in COLUMNS]
        import_id_fields = ["phase", "code"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = Lookups()
        for field in self.fields.values():
            field.widget.lookups = self.lookups
        self._seen_actions = {}
        self._seen_fundings = {}
        self._created = set()

    @classmethod
    def get_display_name(cls):
        return "Fiches actions et financements"

    # --- reading the file -------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Header names are matched without regard to case, accents or spaces."""
        canonical = {fold(header): header for header in HEADERS.values()}
        dataset.headers = [
            canonical.get(fold(header), cell_text(header)) for header in dataset.headers or []
        ]
        missing = [header for header in REQUIRED_HEADERS if header not in dataset.headers]
        if missing:
            raise ValueError(
                "Colonne manquante : {}. Téléchargez le modèle pour voir les colonnes "
                "attendues.".format(", ".join(missing))
            )

    def import_row(self, row, instance_loader, **kwargs):
        if all(cell_text(value) == "" for value in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        result = super().import_row(row, instance_loader, **kwargs)
        if result.import_type == RowResult.IMPORT_TYPE_UPDATE and self._key(row) in self._created:
            result.import_type = RowResult.IMPORT_TYPE_NEW
        return result

    def _key(self, row):
        """(phase number, code) of the row's action, the phase resolved as the import does."""
        try:
            phase = self.lookups.phase(row.get(HEADERS["phase"])).number
        except ValueError:
            phase = cell_text(row.get(HEADERS["phase"]))
        return (phase, cell_text(row.get(HEADERS["code"])))

    def get_instance(self, instance_loader, row):
        errors = {}
        for attribute in self.get_import_id_fields():
            field = self.fields[attribute]
            try:
                field.clean(row)
            except ValueError as error:
                errors[field.column_name] = [str(error)]
        if not cell_text(row.get(HEADERS["code"])):
            errors[HEADERS["code"]] = ["Indiquez le code de la fiche action."]
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def after_init_instance(self, instance, new, row, **kwargs):
        """Load the funding line the row points at, so the preview shows its current amounts."""
        instance.funding = None
        for attribute in FUNDING_COLUMNS:
            setattr(instance, attribute, None)
        instance.original_values = None if new else self._action_values(instance)
        if new:
            return
        try:
            year = self.fields["funding_year"].clean(row)
            funder = self.fields["funding_funder"].clean(row)
            kind = self.fields["funding_kind"].clean(row) or Funding.Kind.OPERATING
        except (ValueError, KeyError):
            return
        if year is None or funder is None:
            return
        funding = Funding.objects.filter(action=instance, year=year, funder=funder, kind=kind)
        instance.funding = funding.first()
        if instance.funding:
            instance.funding_year = year
            instance.funding_funder = funder
            instance.funding_kind = kind
            instance.funding_planned = instance.funding.planned_amount
            instance.funding_actual = instance.funding.actual_amount

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not instance.slug and instance.code and instance.title:
            instance.slug = self._unique_slug(instance)
        self._check_funding(instance, row, errors)
        self._check_repeated_action(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def _check_funding(self, instance, row, errors):
        given = [a for a in FUNDING_COLUMNS if cell_text(row.get(HEADERS[a], ""))]
        if instance.funding_year is None:
            if given and "funding_year" not in errors:
                errors["funding_year"] = ["Indiquez l'année de la ligne de financement."]
            return
        if instance.funding_funder is None and "funding_funder" not in errors:
            errors["funding_funder"] = ["Indiquez le financeur de la ligne de financement."]
        if instance.funding_kind is None:
            instance.funding_kind = Funding.Kind.OPERATING
        if instance.funding_planned is None:
            instance.funding_planned = Decimal("0.00")
        key = (
            self._key(row),
            instance.funding_year,
            getattr(instance.funding_funder, "pk", None),
            instance.funding_kind,
        )
        first = self._seen_fundings.setdefault(key, self._row_number)
        if first != self._row_number:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                "Ligne en double : même fiche, année, financeur et nature que la ligne "
                f"{first + 1} du tableur."
            )

    def _check_repeated_action(self, instance, row, errors):
        """The action's columns must be the same on every row of that action."""
        values = {
            attribute: cell_text(row.get(HEADERS[attribute]))
            for attribute in ACTION_COLUMNS
            if HEADERS[attribute] in row
        }
        first = self._seen_actions.setdefault(self._key(row), (self._row_number, values))
        if first[0] != self._row_number:
            differ = [HEADERS[a] for a, v in values.items() if first[1].get(a) != v]
            if differ:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    "Les colonnes de la fiche diffèrent de la ligne {} du tableur (même code) : "
                    "{}.".format(first[0] + 1, ", ".join(differ))
                )

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, *args, **kw):
        self._seen_actions.clear()
        self._seen_fundings.clear()
        self._created.clear()
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, *args, **kw
        )

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation too, every message keyed by its column header."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(errors), validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError({self._column(key): messages for key, messages in errors.items()})

    def _column(self, key):
        if key == NON_FIELD_ERRORS or key in HEADERS.values():
            return key
        if key in HEADERS:
            return HEADERS[key]
        try:
            return str(Action._meta.get_field(key).verbose_name).capitalize()
        except Exception:
            return key

    def _unique_slug(self, instance):
        base = slugify(f"{instance.code.replace('.', '-')} {instance.title}")[:240] or "action"
        slug, n = base, 2
        while Action.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    # --- writing ----------------------------------------------------------------------

    @staticmethod
    def _action_values(instance):
        return tuple(
            getattr(instance, Action._meta.get_field(a).attname)
            for a in ACTION_COLUMNS
            if a not in ("partners", "intercommunalities")
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance._import_user = kwargs.get("user")

    def do_instance_save(self, instance, is_create):
        if not is_create and self._action_values(instance) == instance.original_values:
            return  # only a funding line or a list changed on this row
        if is_create:
            self._created.add((instance.phase.number, instance.code))
        else:
            instance.version = (
                Action.objects.filter(pk=instance.pk).values_list("version", flat=True).first() or 0
            ) + 1
        user = getattr(instance, "_import_user", None)
        if user is not None and user.is_authenticated:
            instance.updated_by = user
        instance._change_reason = "Import de tableur"
        instance.save(force_insert=is_create)

    def after_save_instance(self, instance, row, **kwargs):
        if instance.funding_year is None:
            return
        funding = instance.funding or Funding(
            action=instance,
            year=instance.funding_year,
            funder=instance.funding_funder,
            kind=instance.funding_kind,
        )
        if (
            funding.pk
            and funding.planned_amount == instance.funding_planned
            and funding.actual_amount == instance.funding_actual
        ):
            return
        funding.planned_amount = instance.funding_planned
        funding.actual_amount = instance.funding_actual
        funding._change_reason = "Import de tableur"
        funding.save()

    # --- export -----------------------------------------------------------------------

    def iter_queryset(self, queryset):
        queryset = queryset.select_related("phase", "axis", "pilot").prefetch_related(
            "partners",
            "intercommunalities",
            Prefetch(
                "fundings",
                queryset=Funding.objects.select_related("funder").order_by(
                    "year", "funder__name", "kind"
                ),
            ),
        )
        for action in super().iter_queryset(queryset):
            for funding in list(action.fundings.all()) or [None]:
                action.funding_year = funding and funding.year
                action.funding_funder = funding and funding.funder
                action.funding_kind = funding and funding.kind
                action.funding_planned = funding and funding.planned_amount
                action.funding_actual = funding and funding.actual_amount
                yield action

    def get_queryset(self):
        return Action.objects.order_by("phase__number", "code_sort", "pk")


class SemicolonCSV(base_formats.CSV):
    """CSV as French spreadsheets write it: ';' between cells, UTF-8 with BOM or Windows-1252.

    Reading accepts ',' as well (the separator of the header line wins).
    """

    def get_title(self):
        return "csv"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("cp1252")
        in_stream = in_stream.lstrip("\ufeff")
        first_line = in_stream.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        return tablib.import_set(in_stream, format="csv", delimiter=delimiter)

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + dataset.export("csv", delimiter=";")


class XLSX(base_formats.XLSX):
    """XLSX; the blank rows a spreadsheet leaves at the end are dropped (line numbers kept)."""

    def create_dataset(self, in_stream):
        dataset = super().create_dataset(in_stream)
        rows = list(dataset)
        while rows and not any(cell_text(value) for value in rows[-1]):
            rows.pop()
        return tablib.Dataset(*rows, headers=dataset.headers)


FORMATS = [XLSX, SemicolonCSV]
