"""The filter forms of the public lists (plan, timeline, map, decisions register).

Their select lists are written in Python: Django renders each option through two templates (the
option and its attributes), which cost a filter form of a hundred options more than the rest of
its page. Same HTML as `forms.Select` (tests/test_filter_forms.py compares them), escaped alike."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _attributes(attrs):
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    return mark_safe(  # noqa: S308 - each part is built by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        option["value"],
                        _attributes(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_html


def quicken_selects(form):
    """Give the form's plain select lists the Python rendering (same HTML)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = QuickSelect


class FilterForm(forms.Form):
    """Labels without the French " :" suffix: a filter grid reads better without it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        quicken_selects(self)
