"""The Python-rendered select list writes exactly what Django's templates write."""

import pytest
from django import forms

from teritoire.filter_forms import QuickSelect, quicken_selects

HOSTILE = "\"><script>alert(1)</script> & l'Ã©"
CHOICES = [
    ("", "Toutes"),
    ("a", "Axe 1 — Compétences"),
    (HOSTILE, HOSTILE),
    ("Phase 2", [("p2-1", "Axe 2.1"), (3, "Trois & quatre")]),
]


@pytest.mark.parametrize("value", [None, "", "a", HOSTILE, "p2-1", 3, "absent"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_axe", "class": "x", "required": True, "disabled": False}]
)
def test_same_html_as_django_s_select(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("axe", value, attrs)
    assert QuickSelect(choices=CHOICES).render("axe", value, attrs) == django_html
    assert "<script>" not in django_html


def test_a_form_s_plain_selects_are_quickened_and_render_the_same():
    class Filters(forms.Form):
        axe = forms.ChoiceField(choices=CHOICES, required=False)
        tri = forms.ChoiceField(choices=[("t", "Titre")], widget=forms.RadioSelect)

    plain = Filters(data={"axe": "p2-1"})
    quick = Filters(data={"axe": "p2-1"})
    quicken_selects(quick)
    assert type(quick.fields["axe"].widget) is QuickSelect
    assert type(quick.fields["tri"].widget) is forms.RadioSelect
    assert str(quick["axe"]) == str(plain["axe"])
    assert 'value="p2-1" selected' in str(quick["axe"])
