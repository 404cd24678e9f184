"""Spreadsheet import and export of the action plan (django-import-export).

One row per funding line, the action's columns repeated on each of its lines (an action without
funding has one row, funding columns empty). The action's columns are declared in
`actions.fields`, the funding line's in `.funding_columns`; `COLUMNS` lists them all in the
sheet's order, with the text the template (`.template`) puts on its headers and its « Mode
d'emploi ». An XLSX file also carries the milestones on its « Jalons » sheet (`.milestones`).
Cells are read and written by `.widgets`. An import creates or updates actions (by phase and
code) and funding lines (by action, year, funder and nature), never deletes; every row is
checked first, the preview shows each row's errors in French and writes nothing (rows change
their action in memory: `.preview`), and a file with any error imports nothing.
"""

import types

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils.text import slugify
from import_export import fields, resources
from import_export.results import RowResult

from ..fields import SHEET_COLUMNS
from ..models import Action, Funding, Priority, Status
from .funding_columns import (
    FUNDING_DEFAULTS,
    FUNDING_FIELDS,
    FUNDING_SHEET_COLUMNS,
    FUNDING_TEXTS,
    check_funding_rules,
    funding_changes,
)
from .loading import ActionLoader, ReadOnce
from .milestones import MilestoneSheet, milestone_dataset
from .preview import RowDiffs, WritesNothing
from .versions import VersionChecks
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

SHEET = SHEET_COLUMNS | FUNDING_SHEET_COLUMNS
# (attribute, header, what the cell holds) — the order of the sheet.
COLUMNS = [(attribute, column.header, column.help_text) for attribute, column in SHEET.items()]
HEADERS = {attribute: header for attribute, header, _ in COLUMNS}
ACTION_COLUMNS = list(SHEET_COLUMNS)
# The action's own fields an import writes (the lists are relations, saved apart).
OWN_FIELDS = [a for a in ACTION_COLUMNS if a not in ("partners", "intercommunalities")]
FUNDING_COLUMNS = list(FUNDING_SHEET_COLUMNS)
REQUIRED_HEADERS = ["Code"]

# How each kind of cell (`SheetColumn.widget`) is read and written.
WIDGETS = {
    "text": TextWidget,
    "phase": PhaseWidget,
    "axis": lambda: AxisWidget(HEADERS["phase"], required=True),
    "status": lambda: ChoiceWidget(Status),
    "priority": lambda: ChoiceWidget(Priority),
    "pilot": lambda: OrganisationWidget(
        required=True, missing_message="Indiquez l'organisation pilote."
    ),
    "organisations": lambda: ListWidget(Lookups.organisation, Lookups.organisation_label),
    "intercommunalities": lambda: ListWidget(
        Lookups.intercommunality, lambda lookups, item: item.name
    ),
    "date": FrenchDateWidget,
    "percent": lambda: IntegerWidget(0, 100, "L'avancement est un nombre entier de 0 à 100."),
    "yes_no": YesNoWidget,
    "year": lambda: IntegerWidget(2000, 2100, "L'année est un nombre entre 2000 et 2100."),
    "organisation": OrganisationWidget,
    "funding_kind": lambda: ChoiceWidget(Funding.Kind),
    "funding_status": lambda: ChoiceWidget(Funding.Status),
    "amount": AmountWidget,
}


def _field(attribute, column):
    """A column; with `keep_when_empty` an empty cell keeps the current value (or the default)."""
    return fields.Field(
        attribute=attribute,
        column_name=column.header,
        widget=WIDGETS[column.widget](),
        saves_null_values=not column.keep_when_empty,
    )


# The sheet's columns as import-export fields, one per entry of SHEET rather than one class
# attribute each: import-export collects the fields a resource's base classes declare.
SheetColumns = types.new_class(
    "SheetColumns",
    (resources.Resource,),
    exec_body=lambda namespace: namespace.update(
        {attribute: _field(attribute, column) for attribute, column in SHEET.items()}
    ),
)


class ActionResource(
    WritesNothing, VersionChecks, RowDiffs, ReadOnce, SheetColumns, resources.ModelResource
):
    """Actions with their funding lines, one row per funding line."""

    class Meta:
        model = Action
        fields = [attribute for attribute, _, _ in COLUMNS]
        import_id_fields = ["phase", "code"]
        skip_unchanged = True
        skip_diff = True  # RowDiffs makes the diffs and the skip test, without a deep copy
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = ActionLoader  # the file's actions read once, not row by row

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = Lookups()
        for field in self.fields.values():
            field.widget.lookups = self.lookups
        self._seen_actions = {}
        self._seen_fundings = {}
        self._created = set()
        self._slugs = set()  # given to the actions this import creates

    @classmethod
    def get_display_name(cls):
        return "Fiches actions et financements"

    # --- reading the file -------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Header names are matched without regard to case, accents or spaces.

        Without the required columns no row is read (the file's rows are dropped): the error
        names the missing columns, or says the first line holds no header at all.
        """
        canonical = {fold(header): header for header in HEADERS.values()}
        headers = [canonical.get(fold(h), cell_text(h)) for h in dataset.headers or []]
        missing = [header for header in REQUIRED_HEADERS if header not in headers]
        if not any(headers):
            dataset.wipe()
            raise ValueError(
                "Le fichier est vide ou sa première ligne ne contient pas les en-têtes des "
                "colonnes. Téléchargez le modèle pour voir les colonnes attendues."
            )
        if missing:
            dataset.wipe()
            raise ValueError(
                "Colonne manquante : {}. Téléchargez le modèle pour voir les colonnes "
                "attendues.".format(", ".join(missing))
            )
        dataset.headers = headers

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
            setattr(instance, attribute, "" if attribute in FUNDING_TEXTS else None)
        instance.original_values = None if new else self._action_values(instance)
        if new:
            return
        self.check_version(instance)
        try:
            year = self.fields["funding_year"].clean(row)
            funder = self.fields["funding_funder"].clean(row)
            kind = self.fields["funding_kind"].clean(row) or Funding.Kind.OPERATING
        except (ValueError, KeyError):
            return
        if year is None or funder is None:
            return
        instance.funding = self.file_actions.funding(instance, year, funder, kind)
        if instance.funding:
            instance.funding_year = year
            instance.funding_funder = funder
            instance.funding_kind = kind
            for attribute, name in FUNDING_FIELDS.items():
                setattr(instance, attribute, getattr(instance.funding, name))

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
        for attribute, default in FUNDING_DEFAULTS.items():
            if getattr(instance, attribute) is None:
                setattr(instance, attribute, default)
        for attribute in FUNDING_TEXTS:
            if getattr(instance, attribute) is None:
                setattr(instance, attribute, "")
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
        if not any(key in errors for key in [*FUNDING_COLUMNS, NON_FIELD_ERRORS]):
            check_funding_rules(instance, errors)

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
        self._slugs.clear()
        self.start_version_checks()
        result = super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, *args, **kw
        )
        milestones = getattr(dataset, "milestones", None)
        result.milestone_changes, result.milestone_unchanged = [], 0
        valid = not result.has_errors() and (dry_run or not result.has_validation_errors())
        if milestones is not None and valid:
            MilestoneSheet(self, milestones, dry_run=dry_run, user=kw.get("user")).run(result)
        return result

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation too, every message keyed by its column header."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(errors), **self.db_checks(instance, validate_unique))
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
        others = Action.objects.exclude(pk=instance.pk)
        while slug in self._slugs or others.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    # --- writing ----------------------------------------------------------------------

    @staticmethod
    def _action_values(instance):
        """The action's own columns, to tell whether a row changes the fiche itself."""
        return tuple(getattr(instance, Action._meta.get_field(a).attname) for a in OWN_FIELDS)

    def before_save_instance(self, instance, row, **kwargs):
        instance._import_user = kwargs.get("user")
        if instance.original_values is None:  # the row creates its action
            self._created.add((instance.phase.number, instance.code))
            self._slugs.add(instance.slug)

    def do_instance_save(self, instance, is_create):  # never called by the preview
        if not is_create and self._action_values(instance) == instance.original_values:
            return  # only a funding line or a list changed on this row
        user = getattr(instance, "_import_user", None)
        # The reason also goes on the history records of the relations saved after this.
        instance._change_reason = "Import de tableur"
        if not is_create:
            self.save_checked(instance, {name: getattr(instance, name) for name in OWN_FIELDS})
            return
        if user is not None and user.is_authenticated:
            instance.updated_by = user
        instance.save(force_insert=True)
        self.written(instance)

    def after_save_instance(self, instance, row, **kwargs):
        self.file_actions.saved(instance)
        if instance.funding_year is None:
            return
        funding = instance.funding or Funding(
            action=instance,
            year=instance.funding_year,
            funder=instance.funding_funder,
            kind=instance.funding_kind,
        )
        if funding.pk and not funding_changes(instance):
            return
        for attribute, name in FUNDING_FIELDS.items():
            setattr(funding, name, getattr(instance, attribute))
        if not self.dry_run:
            funding._change_reason = "Import de tableur"
            funding.save()
        self.file_actions.saved_funding(funding)

    # --- export -----------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """The sheet of the fiches, with the « Jalons » sheet of the same actions as
        `dataset.milestones` (written by the XLSX format only)."""
        dataset = super().export(queryset=queryset, **kwargs)
        dataset.milestones = milestone_dataset(self._exported)
        return dataset

    def iter_queryset(self, queryset):
        self._exported = queryset
        queryset = queryset.select_related("phase", "axis", "pilot").prefetch_related(
            "partners",
            "intercommunalities",
            Prefetch("fundings", queryset=Funding.objects.in_reading_order()),
        )
        for action in super().iter_queryset(queryset):
            for funding in list(action.fundings.all()) or [None]:
                action.funding_year = funding and funding.year
                action.funding_funder = funding and funding.funder
                action.funding_kind = funding and funding.kind
                for attribute, name in FUNDING_FIELDS.items():
                    setattr(action, attribute, getattr(funding, name) if funding else None)
                yield action

    def get_queryset(self):
        return Action.objects.order_by("phase__number", "code_sort", "pk")
