"""The cells of the action plan's spreadsheet, read and written (django-import-export widgets).

Each widget turns a cell into a value or a French error message (`ValueError`), and a value back
into a cell. Names of organisations, phases, axes and communautés de communes are resolved against
`Lookups`, the reference data loaded once per import or export; the resource gives every widget its
`lookups`. Cells are compared without regard to case, accents or spaces (`fold`). The columns
themselves are in `actions.spreadsheet.resources`.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from import_export import widgets

from actions.models.action import axis_phase_mismatch
from partners.models import Organisation
from programme.models import Axis, Intercommunality, Phase
from teritoire.text import CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS

LIST_SEPARATOR = ";"


def fold(text):
    """Lower case, no accent, single spaces: 'À  venir' -> 'a venir'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


def cell_text(value):
    """A cell as text: numbers typed in a spreadsheet (2.0) lose their useless decimals."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class Lookups:
    """Reference data the widgets resolve names against, loaded once per import or export."""

    def __init__(self):
        self._organisations = None
        self._phases = None
        self._axes = None
        self._intercommunalities = None

    @property
    def organisations(self):
        if self._organisations is None:
            by_name, by_acronym = {}, {}
            for organisation in Organisation.objects.all():
                by_name.setdefault(fold(organisation.name), []).append(organisation)
                if organisation.acronym:
                    by_acronym.setdefault(fold(organisation.acronym), []).append(organisation)
            self._organisations = (by_name, by_acronym)
        return self._organisations

    def organisation(self, text):
        by_name, by_acronym = self.organisations
        key = fold(text)
        for candidates in (by_name.get(key), by_acronym.get(key)):
            if candidates and len(candidates) == 1:
                return candidates[0]
            if candidates:
                raise ValueError(
                    f"« {text} » désigne plusieurs organisations ; indiquez leur nom complet."
                )
        raise ValueError(
            f"Organisation inconnue : « {text} ». Indiquez le sigle ou le nom d'une "
            "organisation déjà enregistrée."
        )

    def organisation_label(self, organisation):
        """The acronym where it designates only this organisation, else the full name."""
        by_name, by_acronym = self.organisations
        if organisation.acronym:
            key = fold(organisation.acronym)
            if len(by_acronym.get(key, [])) == 1 and key not in by_name:
                return organisation.acronym
        return organisation.name

    @property
    def phases(self):
        if self._phases is None:
            self._phases = {phase.number: phase for phase in Phase.objects.all()}
        return self._phases

    def phase(self, value):
        text = cell_text(value)
        if not text:
            if not self.phases:
                raise ValueError("Aucune phase n'est enregistrée.")
            return self.phases[max(self.phases)]
        match = re.fullmatch(r"(?:phase\s*)?(\d+)", fold(text))
        if not match or int(match.group(1)) not in self.phases:
            known = ", ".join(str(n) for n in sorted(self.phases))
            raise ValueError(f"Phase inconnue : « {text} ». Phases possibles : {known}.")
        return self.phases[int(match.group(1))]

    @property
    def axes(self):
        if self._axes is None:
            self._axes = list(Axis.objects.all())
        return self._axes

    def axis(self, value, phase):
        text = cell_text(value)
        axes = [axis for axis in self.axes if axis.phase_id == phase.pk]
        match = re.match(r"(?:axe\s*)?(\d+)\b", fold(text))
        # The name after the number, as exported (« Axe 1 — Compétences »), must agree with it.
        name = re.sub(r"^(?:axe\s*)?\d+\b[\s\W]*", "", fold(text))
        for axis in axes:
            if match and axis.number == int(match.group(1)) and name in ("", fold(axis.name)):
                return axis
            if fold(axis.name) in (fold(text), name):
                return axis
        other = next((axis for axis in self.axes if name and fold(axis.name) == name), None)
        if other is not None:
            raise ValueError(axis_phase_mismatch(other, phase))
        known = ", ".join(f"{axis.number} ({axis.name})" for axis in axes)
        raise ValueError(f"Axe inconnu dans la phase {phase.number} : « {text} ». Axes : {known}.")

    @property
    def intercommunalities(self):
        if self._intercommunalities is None:
            self._intercommunalities = {}
            for item in Intercommunality.objects.all():
                self._intercommunalities[fold(item.name)] = item
                self._intercommunalities[item.siren] = item
        return self._intercommunalities

    def intercommunality(self, text):
        try:
            return self.intercommunalities[fold(text)]
        except KeyError:
            raise ValueError(f"Communauté de communes inconnue : « {text} ».") from None


class LookupWidget(widgets.Widget):
    """Base of the widgets that need reference data; `lookups` is set by the resource."""

    lookups = None

    def __init__(self, required=False, **kwargs):
        super().__init__(**kwargs)
        self.required = required

    def empty(self, value, message):
        if self.required:
            raise ValueError(message)
        return None


class TextWidget(widgets.Widget):
    """Text without control characters."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if CONTROL_CHARACTERS.search(text):
            raise ValueError(CONTROL_CHARACTER_MESSAGE)
        return text


class PhaseWidget(LookupWidget):
    def clean(self, value, row=None, **kwargs):
        return self.lookups.phase(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.number


class AxisWidget(LookupWidget):
    """An axis of the row's phase, read from the column `phase_column`."""

    def __init__(self, phase_column, **kwargs):
        super().__init__(**kwargs)
        self.phase_column = phase_column

    def clean(self, value, row=None, **kwargs):
        if not cell_text(value):
            return self.empty(value, "Indiquez l'axe (numéro ou nom).")
        try:
            phase = self.lookups.phase((row or {}).get(self.phase_column))
        except ValueError:
            raise ValueError("Corrigez d'abord la phase.") from None
        return self.lookups.axis(value, phase)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class OrganisationWidget(LookupWidget):
    def __init__(self, missing_message="", **kwargs):
        super().__init__(**kwargs)
        self.missing_message = missing_message

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.empty(value, self.missing_message)
        return self.lookups.organisation(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.lookups.organisation_label(value)


class ListWidget(widgets.ManyToManyWidget):
    """Names separated by ';', resolved by a function of the lookups."""

    lookups = None

    def __init__(self, resolve, label, **kwargs):
        super().__init__(model=Organisation, separator=LIST_SEPARATOR, **kwargs)
        self.resolve = resolve
        self.label = label

    def clean(self, value, row=None, **kwargs):
        items = [part.strip() for part in cell_text(value).split(LIST_SEPARATOR)]
        found, errors = [], []
        for item in filter(None, items):
            try:
                found.append(self.resolve(self.lookups, item))
            except ValueError as error:
                errors.append(str(error))
        if errors:
            raise ValueError(" ".join(errors))
        return list(dict.fromkeys(found))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        labels = sorted(self.label(self.lookups, item) for item in value.all())
        return f"{LIST_SEPARATOR} ".join(labels)


class ChoiceWidget(widgets.Widget):
    """A TextChoices value given by its French label (or its code); accents and case ignored."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        # Labels and codes folded once, not for every cell.
        self.values = {fold(c.value): c.value for c in choices}
        self.values |= {fold(c.label): c.value for c in choices}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if fold(text) in self.values:
            return self.values[fold(text)]
        known = ", ".join(choice.label for choice in self.choices)
        raise ValueError(f"Valeur inconnue : « {text} ». Valeurs possibles : {known}.")

    def render(self, value, obj=None, **kwargs):
        return "" if value in (None, "") else str(self.choices(value).label)


class YesNoWidget(widgets.Widget):
    YES = {"oui", "o", "vrai", "true", "1", "x", "yes"}
    NO = {"non", "n", "faux", "false", "0", "no"}

    def clean(self, value, row=None, **kwargs):
        if value is None or cell_text(value) == "":
            return None
        if isinstance(value, bool):
            return value
        text = fold(cell_text(value))
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"Répondez par oui ou non (et non « {cell_text(value)} »).")

    def render(self, value, obj=None, **kwargs):
        return "oui" if value else "non"


class FrenchDateWidget(widgets.Widget):
    FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        text = text.split(" ")[0]
        for date_format in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(f"Date non reconnue : « {cell_text(value)} ». Format : JJ/MM/AAAA.")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%d/%m/%Y")


def parse_french_number(value):
    """'12 500,50', '12500.5', 12500.5, '12 500 €' -> Decimal; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("Nombre attendu.")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = cell_text(value)
    for char in ("\u00a0", "\u202f", " ", "€", "'"):
        text = text.replace(char, "")
    if "," in text and "." in text:
        # '12.500,50' (dots as thousands) or '12,500.50' (commas as thousands)
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"Nombre non reconnu : « {cell_text(value)} ».") from None
    if not number.is_finite():
        raise ValueError(f"Nombre non reconnu : « {cell_text(value)} ».")
    return number


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        amount = parse_french_number(value)
        if amount < 0:
            raise ValueError("Le montant ne peut pas être négatif.")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("Le montant a au plus deux décimales (les centimes).")
        if amount >= Decimal("1e10"):
            raise ValueError("Le montant est trop élevé.")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return f"{value:.2f}".replace(".", ",")


class IntegerWidget(widgets.Widget):
    def __init__(self, minimum, maximum, message, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).rstrip("%").strip()
        if not text:
            return None
        try:
            number = parse_french_number(text)
        except ValueError:
            raise ValueError(self.message) from None
        if number != number.to_integral_value() or not self.minimum <= number <= self.maximum:
            raise ValueError(self.message)
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)
