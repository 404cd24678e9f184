"""The conflict page of a partner form: the user's input beside what is stored now.

Someone saved the same row after the user opened the form, and the write path refused the stale
version. The form comes back holding the user's input at the current version; each field that
differs shows the stored value beside it (templates/space/_conflict_fields.html), which screen
readers announce with the field. Used by the fiche, the decision follow-up and the spending form.
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format

from teritoire.templatetags.portal import euros


def display(value):
    """A value as the conflict page shows it: a date, oui/non, an amount, or the text itself."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return euros(value, 2)
    return value


def conflict_rows(form, data, current, shown=None):
    """One row per field of `form`: the field (holding the user's input), the user's value and
    the stored one as text, and whether they differ. `shown` maps a field name to the function
    that writes its values (a choice's label, a percentage); `display` writes the others."""
    shown = shown or {}
    rows = []
    for name in form.field_order:
        write = shown.get(name, display)
        differs = data[name] != getattr(current, name)
        if differs:
            described = [f"id_{name}_current"]
            if form.fields[name].help_text:
                described.append(f"id_{name}_helptext")
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
        rows.append(
            {
                "field": form[name],
                "mine": write(data.get(name)),
                "current": write(getattr(current, name)),
                "differs": differs,
            }
        )
    return rows
