"""The « Jalons » sheet of the spreadsheet: the milestones of the exported actions, one a row.

An XLSX export carries the sheet beside « Fiches actions » (`formats.XLSX` writes
`dataset.milestones`); an XLSX import reads it when the file has it (CSV holds one sheet: it never
carries milestones). A row names its action by phase and code (an action of the database or of the
file's « Fiches actions » sheet) and its milestone by its order: a known (action, order) is updated,
an unknown one created; nothing is deleted. Each row is checked like the partner form checks a
milestone (a title, a due date, a done date that is not in the future); any error, named with its
line of the sheet, imports nothing. The preview lists what would change and writes nothing; the
confirmation writes through `actions.milestones` at the version the preview read.
"""

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from import_export.results import InvalidRow

from ..milestones import MilestoneConflict, create_milestone, update_milestone
from ..models import Action, Milestone
from ..models.milestones import DATES_TOO_EARLY, DONE_IN_FUTURE, EARLIEST
from .formats import MILESTONE_SHEET
from .widgets import FrenchDateWidget, IntegerWidget, TextWidget, cell_text, fold

# (attribute, header, what the cell holds): the sheet's columns, in order.
MILESTONE_COLUMNS = [
    ("phase", "Phase", "Numéro de la phase de la fiche (vide : la phase la plus récente)."),
    ("code", "Code", "Code de la fiche action, comme dans l'onglet « Fiches actions »."),
    ("order", "Ordre", "Rang du jalon dans la fiche (1, 2, 3…) : il identifie le jalon."),
    ("title", "Jalon", "Intitulé du jalon. Obligatoire."),
    ("due_date", "Échéance", "JJ/MM/AAAA. Obligatoire."),
    (
        "done_on",
        "Atteint le",
        "JJ/MM/AAAA, jamais dans le futur ; vide tant qu'il n'est pas atteint.",
    ),
    ("note", "Note", "Quelques mots sur le jalon."),
]
MILESTONE_HEADERS = {attribute: header for attribute, header, _ in MILESTONE_COLUMNS}
EDITED = ("title", "due_date", "done_on", "note")
VERSIONS_KEY = "jalons"  # the milestones' versions among the preview's `seen_versions`
REASON = "Import de tableur"
CSV_NOTE = (
    "Le CSV ne tient qu'un onglet : il ne porte pas les jalons. Pour importer ou exporter les "
    f"jalons, utilisez le tableur XLSX (onglet « {MILESTONE_SHEET} »)."
)


def milestone_dataset(actions):
    """The « Jalons » sheet of the actions `actions` (a queryset), native dates and numbers."""
    dataset = tablib.Dataset(headers=[header for _, header, _ in MILESTONE_COLUMNS])
    dataset.title = MILESTONE_SHEET
    milestones = (
        Milestone.objects.filter(action__in=actions.order_by().values("pk"))
        .select_related("action__phase")
        .order_by("action__phase__number", "action__code_sort", "action__pk", "order", "pk")
    )
    for m in milestones:
        phase, code = m.action.phase.number, m.action.code
        dataset.append([phase, code, m.order, m.title, m.due_date, m.done_on, m.note])
    return dataset


@dataclass
class MilestoneChange:
    """A row of the sheet that creates or changes a milestone, as the preview lists it."""

    number: int  # the row's line in the sheet (the header is line 1)
    code: str
    order: int
    title: str
    is_new: bool
    changes: list = field(default_factory=list)  # (header, before, after) as cells show them


class MilestoneInvalidRow(InvalidRow):
    """A refused row of the « Jalons » sheet, among the import's invalid rows."""

    sheet = MILESTONE_SHEET


def _shown(value):
    if value is None or value == "":
        return "(vide)"
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


class MilestoneSheet:
    """Reads, checks and (on confirmation) writes the « Jalons » sheet of one import."""

    def __init__(self, resource, dataset, *, dry_run, user):
        self.resource = resource
        self.dataset = dataset
        self.dry_run = dry_run
        self.user = user
        self.lookups = resource.lookups
        self.order = IntegerWidget(1, 32767, "L'ordre est un nombre entier à partir de 1.")
        self.text, self.date = TextWidget(), FrenchDateWidget()
        self.today = timezone.localdate()

    def run(self, result):
        result.milestone_changes, result.milestone_unchanged = [], 0
        rows = self._rows()
        actions = self._actions({key for _, key, _ in rows if key})
        stored = self._stored([a.pk for a in actions.values() if a.pk])
        expected = self._expected_versions(stored)
        seen = set()
        for number, key, row in rows:
            errors = {}
            values = self._read(row, errors)
            action = actions.get(key) if key else None
            if key and action is None:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    f"Fiche inconnue : phase {key[0]}, code {key[1]} (ni enregistrée, ni dans "
                    "l'onglet « Fiches actions »)."
                )
            place = (key, values.get("order"))
            if action is not None and values.get("order") and place in seen:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    "Jalon en double : même fiche et même ordre qu'une ligne précédente."
                )
            seen.add(place)
            milestone = None
            if action is not None and action.pk:
                milestone = stored.get((action.pk, values.get("order")))
            if not errors:
                self._check(values, milestone, errors)
            if errors:
                self._refuse(result, number, errors)
                continue
            self._apply(result, number, action, milestone, values, expected)

    # --- reading ------------------------------------------------------------------------

    def _rows(self):
        """(line, (phase number, code) or None, {attribute: cell}) of each non-empty row."""
        canonical = {fold(header): attribute for attribute, header, _ in MILESTONE_COLUMNS}
        attributes = [canonical.get(fold(cell_text(h))) for h in self.dataset.headers or []]
        rows = []
        for number, cells in enumerate(self.dataset, start=2):
            row = {a: cell for a, cell in zip(attributes, cells, strict=False) if a}
            if not any(cell_text(cell) for cell in row.values()):
                continue
            try:
                phase = self.lookups.phase(row.get("phase")).number
            except ValueError:
                phase = None
            code = cell_text(row.get("code"))
            rows.append((number, (phase, code) if phase and code else None, row))
        return rows

    def _actions(self, keys):
        """{(phase number, code): action} — as the file's rows left it, else as stored."""
        file_actions = self.resource.file_actions
        found = {}
        for phase, code in keys:
            action = file_actions.actions.get((self.lookups.phases[phase].pk, code))
            if action is not None:
                found[(phase, code)] = action
        missing = keys - set(found)
        if missing:
            queryset = Action.objects.filter(
                phase__number__in={p for p, _ in missing}, code__in={c for _, c in missing}
            ).select_related("phase")
            for action in queryset:
                if (action.phase.number, action.code) in missing:
                    found[(action.phase.number, action.code)] = action
        return found

    @staticmethod
    def _stored(pks):
        """{(action pk, order): milestone} of the actions `pks`, locked until the import ends."""
        milestones = Milestone.objects.filter(action__in=pks).select_for_update()
        return {(m.action_id, m.order): m for m in milestones}

    def _expected_versions(self, stored):
        """{milestone pk: version} each row must find: the preview's, or, on the preview (or an
        import without one), the current one, recorded for the confirmation."""
        previewed = (self.resource.previewed_versions or {}).get(VERSIONS_KEY)
        current = {m.pk: m.version for m in stored.values()}
        if previewed is None:
            self.resource.seen_versions[VERSIONS_KEY] = {str(pk): v for pk, v in current.items()}
            return current
        return {int(pk): version for pk, version in previewed.items()}

    def _read(self, row, errors):
        values = {}
        readers = {"order": self.order, "due_date": self.date, "done_on": self.date}
        for attribute, header, _ in MILESTONE_COLUMNS:
            if attribute == "phase" or attribute not in row:
                continue
            reader = readers.get(attribute, self.text)
            try:
                values[attribute] = reader.clean(row.get(attribute))
            except ValueError as error:
                errors.setdefault(header, []).append(str(error))
        if "phase" in row:
            try:
                self.lookups.phase(row.get("phase"))
            except ValueError as error:
                errors.setdefault(MILESTONE_HEADERS["phase"], []).append(str(error))
        if not values.get("code"):
            errors.setdefault(MILESTONE_HEADERS["code"], []).append(
                "Indiquez le code de la fiche action."
            )
        if values.get("order") is None and MILESTONE_HEADERS["order"] not in errors:
            errors.setdefault(MILESTONE_HEADERS["order"], []).append(
                "Indiquez l'ordre du jalon (1, 2, 3…)."
            )
        return values

    def _check(self, values, milestone, errors):
        """The rules of `Milestone`, on what the row leaves (a missing column keeps the value)."""
        after = {
            name: values[name] if name in values else getattr(milestone, name, None)
            for name in EDITED
        }
        if not after["title"]:
            errors.setdefault(MILESTONE_HEADERS["title"], []).append("Donnez un intitulé au jalon.")
        if after["due_date"] is None:
            errors.setdefault(MILESTONE_HEADERS["due_date"], []).append(
                "Indiquez l'échéance du jalon."
            )
        elif after["due_date"] < EARLIEST:
            errors.setdefault(MILESTONE_HEADERS["due_date"], []).append(DATES_TOO_EARLY)
        if after["done_on"] and after["done_on"] > self.today:
            errors.setdefault(MILESTONE_HEADERS["done_on"], []).append(DONE_IN_FUTURE)
        elif after["done_on"] and after["done_on"] < EARLIEST:
            errors.setdefault(MILESTONE_HEADERS["done_on"], []).append(DATES_TOO_EARLY)
        values.update(after, note=after["note"] or "")

    @staticmethod
    def _refuse(result, number, errors):
        result.invalid_rows.append(MilestoneInvalidRow(number - 1, ValidationError(errors), []))

    # --- writing ------------------------------------------------------------------------

    def _apply(self, result, number, action, milestone, values, expected):
        edited = {name: values[name] for name in EDITED}
        if milestone is not None:
            edited = {n: v for n, v in edited.items() if getattr(milestone, n) != v}
            if not edited:
                result.milestone_unchanged += 1
                return
        change = MilestoneChange(
            number, action.code, values["order"], values["title"], not milestone
        )
        for name, value in edited.items():
            before = getattr(milestone, name) if milestone else None
            if milestone is None and value in (None, ""):
                continue  # a new milestone lists what it is given
            change.changes.append((MILESTONE_HEADERS[name], _shown(before), _shown(value)))
        result.milestone_changes.append(change)
        if self.dry_run:
            return
        try:
            if milestone is None:
                create_milestone(
                    action, edited, user=self.user, reason=REASON, order=values["order"]
                )
            else:
                update_milestone(
                    milestone.pk,
                    edited,
                    expected_version=expected.get(milestone.pk),
                    user=self.user,
                    reason=REASON,
                )
        except MilestoneConflict:
            self._refuse(
                result,
                number,
                {
                    NON_FIELD_ERRORS: [
                        f"Le jalon {values['order']} de la fiche {action.code} a été modifié par "
                        "quelqu'un d'autre depuis l'aperçu de l'import : importez le fichier à "
                        "nouveau pour voir ces changements."
                    ]
                },
            )
