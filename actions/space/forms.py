"""Forms of the partner space: the fiche, progress notes, measurements and documents.

No text field takes an invisible control character (`teritoire.text`).
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from teritoire.text import RefuseControlCharacters

from ..models import Action, Document, Measurement, ProgressUpdate, Status
from .uploads import ACCEPT, ALLOWED_LABEL, MAX_UPLOAD_SIZE, validate_upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
# Django formats validator messages with their params: a literal percent sign is written %%.
PROGRESS_ERROR = "L'avancement doit être compris entre 0 et 100 %%."
PROGRESS_MESSAGES = {"min_value": PROGRESS_ERROR, "max_value": PROGRESS_ERROR}


def not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("La date ne peut pas être dans le futur.")
    return value


RELOAD = "Le formulaire est incomplet : rechargez la fiche puis recommencez."


def version_field():
    """The version of the action the form was opened at (see `actions.writes`), hidden."""
    field = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    field.error_messages = dict.fromkeys(("required", "invalid", "min_value", "max_value"), RELOAD)
    return field


class ActionForm(RefuseControlCharacters, forms.ModelForm):
    """The fields of the fiche that partners edit, plus the version they started from."""

    version = version_field()

    class Meta:
        model = Action
        fields = [
            "status", "progress", "summary", "description", "start_date", "end_date",
            "how_to_apply", "eligibility", "referent_name", "referent_role", "referent_email",
            "referent_phone", "referent_consent",
        ]  # fmt: skip
        widgets = {
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "referent_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "referent_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 12}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {
            "progress": "En pourcentage, de 0 à 100.",
            "summary": (
                "Deux ou trois phrases, en tête de la fiche publique et sur les cartes de "
                "l'action (pages de l'axe, de la communauté de communes, des partenaires)."
            ),
            "description": "Mise en forme Markdown : **gras**, listes avec « - », liens.",
            "start_date": "Laissez vide si elle n'est pas encore connue.",
            "end_date": "Laissez vide si elle n'est pas encore connue.",
        }

    field_order = [
        "status", "progress", "start_date", "end_date", "summary", "description",
        "how_to_apply", "eligibility", "referent_name", "referent_role", "referent_email",
        "referent_phone", "referent_consent",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model field's form field only knows the database range: bound it to 0-100 here.
        progress = self.fields["progress"]
        progress.max_value = 100
        progress.validators = [
            MinValueValidator(0, PROGRESS_ERROR),
            MaxValueValidator(100, PROGRESS_ERROR),
        ]
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = DATE_FORMATS

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin doit suivre la date de début.")
        return cleaned


class ArchiveForm(forms.Form):
    """Archive or restore a fiche, at the version the page showed."""

    # Anything but "1" (even a NUL, which a CharField refuses) means "do not archive".
    archived = forms.Field(widget=forms.HiddenInput, required=False)
    version = version_field()
    conflict = False

    def clean_archived(self):
        return self.cleaned_data["archived"] == "1"


class ProgressUpdateForm(RefuseControlCharacters, forms.ModelForm):
    """A progress note; status and progress only for those who may edit the fiche, with the
    version of the fiche they were shown at."""

    status_after = forms.ChoiceField(
        label="Nouveau statut",
        required=False,
        choices=[("", "— inchangé —"), *Status.choices],
    )
    progress_after = forms.IntegerField(
        label="Nouvel avancement (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Laissez vide pour ne pas le changer.",
        error_messages=PROGRESS_MESSAGES,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )

    class Meta:
        model = ProgressUpdate
        fields = ["date", "text", "status_after", "progress_after"]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 6})}
        labels = {"text": "Note de suivi"}
        error_messages = {
            "text": {"required": "Écrivez la note de suivi."},
            "date": {"required": "Indiquez la date du point d'étape."},
        }
        help_texts = {
            "date": "Date du point d'étape ; elle ne peut pas être dans le futur.",
            "text": "Ce qui a été fait, les difficultés, les prochaines étapes.",
        }

    def __init__(self, *args, can_change_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].input_formats = DATE_FORMATS
        self.fields["date"].initial = timezone.localdate
        if can_change_status:
            self.fields["version"] = version_field()
            self.fields["version"].required = False
        else:
            del self.fields["status_after"]
            del self.fields["progress_after"]

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"])

    def clean(self):
        cleaned = super().clean()
        changes = cleaned.get("status_after") or cleaned.get("progress_after") is not None
        if changes and cleaned.get("version") is None and "version" not in self.errors:
            self.add_error(None, RELOAD)
        return cleaned

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Écrivez la note de suivi.")
        return text


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, indicator):
        return str(indicator)


class MeasurementForm(RefuseControlCharacters, forms.ModelForm):
    indicator = IndicatorChoiceField(
        label="Indicateur", queryset=None, empty_label="— choisir un indicateur —"
    )

    class Meta:
        model = Measurement
        fields = ["indicator", "date", "value", "comment"]
        widgets = {"date": DateInput()}
        help_texts = {
            "date": "Date à laquelle la valeur a été constatée.",
            "value": "Nombre ; la virgule est acceptée pour les décimales.",
        }

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = action.indicators.all()
        self.fields["date"].input_formats = DATE_FORMATS
        self.fields["date"].initial = timezone.localdate
        self.fields["value"].localize = True
        self.fields["value"].widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"])


class DocumentForm(RefuseControlCharacters, forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "file", "visibility"]
        widgets = {
            "file": forms.FileInput(attrs={"accept": ACCEPT}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "file": f"{ALLOWED_LABEL} ; {filesizeformat(MAX_UPLOAD_SIZE)} au plus.",
            "visibility": (
                "« Public » : téléchargeable sur la page publique si l'action est publique. "
                "« Partenaires de l'action » : les membres des structures pilote et partenaires. "
                "« Équipe projet seulement » : seule l'équipe projet le voit, vous ne pourrez "
                "plus le consulter."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_name = ""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            self.original_name = validate_upload(uploaded)
        return uploaded

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Donnez un titre au document.")
        return title
