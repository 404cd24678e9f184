"""Text typed by people: invisible control characters refused in forms and removed on export,
and spreadsheet cells that no spreadsheet runs as a formula.

Home-made because no library covers it: Django refuses only the NUL character
(`ProhibitNullCharactersValidator`), and django-import-export's
`IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` removes a leading "=" only (the text changes, "+", "-"
and "@" stay live) and turns every cell, numbers included, into text.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

# Unicode's control characters (category Cc) but tab, line feed and carriage return: invisible,
# and most of them forbidden in XML, so in an XLSX file.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTER_MESSAGE = (
    "Ce texte contient un caractère de contrôle invisible\u00a0; retirez-le."
)

# A cell starting with one of these is a formula for Excel or LibreOffice (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def refuse_control_characters(value):
    """Validator of a text field."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_character")


def strip_control_characters(text):
    return CONTROL_CHARACTERS.sub("", text)


def spreadsheet_text(text):
    """Text for a spreadsheet cell written as text (CSV): no control character, and a leading
    apostrophe where a spreadsheet would run it as a formula. A plain number ("-12,50") is left
    as it is: a spreadsheet reads it as the number it is."""
    text = strip_control_characters(text)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_spreadsheet_text(text):
    """The text `spreadsheet_text` was given, read back from a file it wrote."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class RefuseControlCharacters:
    """Form mixin: every text field (passwords aside) refuses control characters, with a French
    message beside the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                field.validators.append(refuse_control_characters)


def refuse_control_characters_in_models(app_labels):
    """Every text field of these apps' models refuses control characters: each ModelForm built
    on them (the admin's forms and inlines included) shows the French message beside the field.

    The validator joins the field's `validators` list, not its constructor arguments, so the
    migrations do not see it.
    """
    from django.apps import apps
    from django.db import models

    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if refuse_control_characters not in field.validators:
                    field.validators.append(refuse_control_characters)
