"""The firms' door (issue 15, items 1 and 2): needs → the public actions that serve them → who
to contact; the « Qui contacter » block on the fiche; the new fields in the exports, the partner
form and the reference data.

A named referent is shown only when they agreed to be (`referent_consent`), and never in the open
data; non-public, archived and abandoned actions are never listed.
"""

import csv
import io
import json

import factory
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.text import slugify

from actions.fields import OPEN_DATA_COLUMNS, SHEET_COLUMNS
from actions.models import Action
from partners.models import Need, Organisation
from tests.actions.factories import ActionFactory
from tests.budget import PUBLIC_BUDGET, VISITORS, assert_no_n_plus_one, bulk_actions, visit_as
from tests.factory_base import ModelFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.programme.factories import AxisFactory

pytestmark = pytest.mark.django_db


class NeedFactory(ModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Besoin {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "Une phrase pour les entreprises."
    order = factory.Sequence(int)


def tag(actions, need):
    """Tag many actions with `need` at once (no signal, no history: what pages read)."""
    through = Action.needs.through
    through.objects.bulk_create(through(action_id=a.pk, need_id=need.pk) for a in actions)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


REFERENT = {
    "referent_name": "Dominique Referente",
    "referent_role": "chargée de mission",
    "referent_email": "dominique.referente@example.org",
    "referent_phone": "01 99 00 11 22",
}


@pytest.fixture
def recruter():
    return NeedFactory(name="Recruter", slug="recruter", order=1)


class TestFirmNeeds:
    def test_needs_in_their_order_with_public_actions_counted(self, client, recruter):
        local = NeedFactory(name="Trouver un local", slug="local", order=0)
        # By `order`: neither alphabetical nor the order of creation.
        NeedFactory(name="Innover", slug="innover", order=2)
        pilot = OrganisationFactory()
        shown = [ActionFactory(pilot=pilot), ActionFactory(status="done")]
        hidden = [
            ActionFactory(is_public=False),
            ActionFactory(is_archived=True),
            ActionFactory(status="abandoned"),
        ]
        tag(shown + hidden, recruter)
        pilot.needs.add(recruter, local)

        html = page(client, reverse("actions:firms"))

        assert html.index(">Trouver un local<") < html.index(">Recruter<") < html.index(">Innover<")
        assert "2 actions" in html  # recruter: the two public ones only
        assert "1 partenaire pour vous aider" in html
        assert "Aucune action pour l'instant" in html  # innover, local
        assert "Aucun partenaire indiqué" in html  # innover
        assert "demo-marker" not in html
        assert f'href="{recruter.get_absolute_url()}"' in html

    def test_in_the_main_navigation_and_marked_current(self, client, recruter):
        home = page(client, reverse("home"))
        assert f'<a href="{reverse("actions:firms")}">Entreprises</a>' in home
        html = page(client, reverse("actions:firms"))
        assert f'<a href="{reverse("actions:firms")}" aria-current="page">Entreprises</a>' in html
        detail = page(client, recruter.get_absolute_url())
        assert f'<a href="{reverse("actions:firms")}" aria-current="true">Entreprises</a>' in detail
        # The plan's item is not current on the firms' pages.
        assert f'<a href="{reverse("actions:list")}">' in detail

    def test_empty_state_without_needs(self, client):
        html = page(client, reverse("actions:firms"))
        assert "Les besoins des entreprises ne sont pas encore renseignés" in html

    def test_count_of_demonstration_actions_is_marked(self, client, recruter):
        tag([ActionFactory(is_demo=True)], recruter)
        html = page(client, reverse("actions:firms"))
        assert "1 action" in html
        assert "Inclut des données de démonstration" in html

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor, recruter):
        pilot = OrganisationFactory()
        visit_as(client, visitor, pilot)
        others = [NeedFactory() for _ in range(5)]
        pilot.needs.add(recruter, *others)
        axis = AxisFactory()
        tag(bulk_actions(1, axis=axis, pilot=pilot), recruter)
        few = count_queries(reverse("actions:firms"))
        tag(bulk_actions(199, axis=axis, pilot=pilot), recruter)
        for need in others:
            tag(bulk_actions(5, axis=axis, pilot=pilot, code=factory.Sequence(str)), need)
        many = count_queries(reverse("actions:firms"))
        assert_no_n_plus_one(few, many, budget=PUBLIC_BUDGET)
        assert "200 actions" in many.text


class TestNeedDetail:
    def test_lists_only_public_serving_actions_with_their_contact(self, client, recruter):
        pilot = OrganisationFactory(
            name="Maison de l'emploi", public_email="contact@maison.example", phone="01 99 00 00 01"
        )
        with_referent = ActionFactory(title="Job dating", referent_consent=True, **REFERENT)
        with_pilot = ActionFactory(title="Forum des métiers", pilot=pilot)
        hidden = [
            ActionFactory(title="Brouillon confidentiel", is_public=False),
            ActionFactory(title="Ancienne action archivée", is_archived=True),
            ActionFactory(title="Projet abandonné", status="abandoned"),
            ActionFactory(title="Action sans ce besoin"),
        ]
        tag([with_referent, with_pilot, *hidden[:3]], recruter)

        html = page(client, recruter.get_absolute_url())

        assert "<h1>Recruter</h1>" in html
        assert "Job dating" in html and "Forum des métiers" in html
        for action in hidden:
            assert action.title not in html
        assert html.count("Qui contacter") == 2
        assert "Dominique Referente" in html
        assert 'href="mailto:dominique.referente@example.org"' in html
        assert 'href="tel:0199001122"' in html
        assert 'href="mailto:contact@maison.example"' in html
        assert "demo-marker" not in html
        # Links only: nothing on the page sends a visitor's data anywhere.
        assert 'method="post"' not in html.lower()

    def test_a_referent_without_consent_is_never_shown(self, client, recruter):
        pilot = OrganisationFactory(name="CC de test", contact_url="https://cc.example/contact")
        action = ActionFactory(pilot=pilot, referent_consent=False, **REFERENT)
        tag([action], recruter)
        for url in (recruter.get_absolute_url(), action.get_absolute_url()):
            html = page(client, url)
            for value in REFERENT.values():
                assert value not in html, url
            assert 'href="https://cc.example/contact"' in html  # the pilot's contact instead

    def test_consent_without_a_name_shows_the_pilot(self, client, recruter):
        pilot = OrganisationFactory(name="Pilote public", website="https://pilote.example")
        action = ActionFactory(pilot=pilot, referent_consent=True, referent_email="x@y.example")
        tag([action], recruter)
        html = page(client, recruter.get_absolute_url())
        assert "x@y.example" not in html
        assert 'href="https://pilote.example"' in html

    def test_how_to_apply_and_eligibility(self, client, recruter):
        action = ActionFactory(
            how_to_apply="Envoyez vos offres un mois avant.", eligibility="PME industrielles."
        )
        tag([action], recruter)
        html = page(client, recruter.get_absolute_url())
        assert "Comment y participer" in html and "Envoyez vos offres un mois avant." in html
        assert "Qui peut en bénéficier" in html and "PME industrielles." in html

    def test_partners_who_help_with_it(self, client, recruter):
        helper = OrganisationFactory(name="France Travail", website="https://ft.example")
        helper.needs.add(recruter)
        OrganisationFactory(name="Sans rapport")
        html = page(client, recruter.get_absolute_url())
        partners = html.split("Les partenaires qui vous accompagnent")[1]
        assert "France Travail" in partners
        assert "Sans rapport" not in partners
        assert 'href="https://ft.example"' in partners

    def test_empty_states_in_french(self, client, recruter):
        html = page(client, recruter.get_absolute_url())
        assert "Aucune action publique ne répond encore à ce besoin." in html
        assert "Aucun partenaire n'est encore indiqué pour ce besoin." in html

    def test_demonstration_actions_are_marked(self, client, recruter):
        tag([ActionFactory(is_demo=True, title="Action fictive")], recruter)
        html = page(client, recruter.get_absolute_url())
        assert "Action fictive" in html
        assert "Donnée de démonstration" in html
        assert "Inclut des données de démonstration" in html

    def test_unknown_need_is_404(self, client):
        assert client.get(reverse("actions:need", args=["inconnu"])).status_code == 404

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor, recruter):
        pilots = OrganisationFactory.create_batch(4, public_email="contact@pilote.example")
        visit_as(client, visitor, pilots[0])
        for pilot in pilots:
            pilot.needs.add(recruter)
        NeedFactory.create_batch(3)
        axis = AxisFactory()
        tag(bulk_actions(1, axis=axis, pilot=pilots[0]), recruter)
        few = count_queries(recruter.get_absolute_url())
        more = bulk_actions(199, axis=axis, pilot=factory.Iterator(pilots), referent_consent=True)
        tag(more, recruter)
        many = count_queries(recruter.get_absolute_url())
        assert_no_n_plus_one(few, many, budget=PUBLIC_BUDGET)
        assert many.text.count("Qui contacter") == 200


class TestFicheContact:
    def test_fiche_shows_the_contact_block_and_its_needs(self, client, recruter):
        action = ActionFactory(referent_consent=True, how_to_apply="Appelez-nous.", **REFERENT)
        tag([action], recruter)
        html = page(client, action.get_absolute_url())
        assert "Qui contacter" in html
        assert "Dominique Referente" in html and "Appelez-nous." in html
        assert "Besoins des entreprises" in html
        assert f'href="{recruter.get_absolute_url()}">Recruter</a>' in html

    def test_fiche_without_any_contact_says_so(self, client):
        action = ActionFactory(pilot=OrganisationFactory(name="Pilote discret"))
        html = page(client, action.get_absolute_url())
        assert "Qui contacter" in html
        assert "Ses coordonnées publiques ne sont pas encore renseignées." in html
        assert "Besoins des entreprises" not in html

    def test_journey_from_home_to_a_contact_in_three_links(self, client, recruter):
        """Home → « Entreprises » → « Recruter » → the action: the referent's contact."""
        action = ActionFactory(title="Job dating", referent_consent=True, **REFERENT)
        tag([action], recruter)
        firms = reverse("actions:firms")
        assert f'href="{firms}"' in page(client, reverse("home"))
        assert f'href="{recruter.get_absolute_url()}"' in page(client, firms)
        need_page = page(client, recruter.get_absolute_url())
        assert f'href="{action.get_absolute_url()}"' in need_page
        assert "mailto:dominique.referente@example.org" in page(client, action.get_absolute_url())


class TestExportsAndForms:
    def test_open_data_has_the_needs_and_texts_but_never_a_referent(self, client, recruter):
        action = ActionFactory(
            referent_consent=True, how_to_apply="Écrivez-nous.", eligibility="PME.", **REFERENT
        )
        tag([action], recruter)
        names = [column.name for column in OPEN_DATA_COLUMNS]
        assert {"besoins", "besoins_slugs", "comment_participer", "eligibilite"} <= set(names)
        assert not [name for name in names if "referent" in name]

        response = client.get(reverse("actions:data_actions_csv"))
        text = b"".join(response.streaming_content).decode("utf-8")
        row = next(csv.DictReader(io.StringIO(text, newline="")))
        assert row["besoins"] == "Recruter"
        assert row["comment_participer"] == "Écrivez-nous."
        for value in REFERENT.values():
            assert value not in text
        data = json.loads(b"".join(client.get(reverse("actions:data_actions_json"))).decode())
        dumped = json.dumps(data, ensure_ascii=False)
        assert "Recruter" in dumped
        for value in REFERENT.values():
            assert value not in dumped

    def test_the_staff_spreadsheet_carries_the_referent(self):
        headers = {column.header for column in SHEET_COLUMNS.values()}
        assert {"Référent : nom", "Référent : e-mail", "Référent affiché"} <= headers
        assert {"Comment y participer", "Qui peut en bénéficier"} <= headers

    def test_partner_form_writes_the_contact_through_the_write_path(self, client):
        action = ActionFactory()
        client.force_login(MembershipFactory(organisation=action.pilot).user)
        data = {
            "status": action.status,
            "progress": action.progress,
            "summary": action.summary,
            "description": "",
            "start_date": action.start_date.isoformat(),
            "end_date": action.end_date.isoformat(),
            "version": action.version,
            "how_to_apply": "Un appel suffit.",
            "eligibility": "",
            "referent_consent": "on",
            **REFERENT,
        }
        response = client.post(reverse("space:action_edit", args=[action.pk]), data)
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.version == 2  # actions.writes.save_action
        assert action.referent_name == "Dominique Referente" and action.referent_consent
        assert action.how_to_apply == "Un appel suffit."
        assert action.history.first().referent_name == "Dominique Referente"

    def test_partner_form_refuses_a_bad_email(self, client):
        action = ActionFactory()
        client.force_login(MembershipFactory(organisation=action.pilot).user)
        data = {
            "status": action.status,
            "progress": action.progress,
            "summary": action.summary,
            "version": action.version,
            "referent_email": "pas-une-adresse",
        }
        response = client.post(reverse("space:action_edit", args=[action.pk]), data)
        assert response.status_code == 200
        action.refresh_from_db()
        assert action.version == 1

    def test_admin_tags_an_action_with_needs(self, admin_client, recruter):
        action = ActionFactory()
        response = admin_client.get(reverse("admin:actions_action_change", args=[action.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Qui contacter" in html and 'name="needs"' in html
        assert admin_client.get(reverse("admin:partners_need_changelist")).status_code == 200


class TestReferenceAndDemoData:
    def test_load_territory_loads_the_six_needs_and_tags_partners_idempotently(self):
        call_command("load_territory", stdout=io.StringIO())
        assert list(Need.objects.values_list("slug", flat=True)) == [
            "recruter",
            "former-ses-salaries",
            "trouver-un-local-ou-un-terrain",
            "innover-et-se-moderniser",
            "reduire-son-impact-environnemental",
            "etre-accompagne-ou-finance",
        ]
        france_travail = Organisation.objects.get(slug="france-travail")
        assert list(france_travail.needs.values_list("slug", flat=True)) == ["recruter"]
        eret = Organisation.objects.get(slug="eret")
        assert not eret.needs.exists()
        assert not (eret.public_email or eret.phone or eret.contact_url or eret.website)

        # A user's edits: a need renamed, a partner's needs changed.
        recruter = Need.objects.get(slug="recruter")
        recruter.name = "Recruter et fidéliser"
        recruter.save()
        france_travail.needs.set([Need.objects.get(slug="former-ses-salaries")])

        out = io.StringIO()
        call_command("load_territory", stdout=out)

        assert "0 créations, 0 mises à jour" in out.getvalue()
        assert Need.objects.get(slug="recruter").name == "Recruter et fidéliser"
        assert list(france_travail.needs.values_list("slug", flat=True)) == ["former-ses-salaries"]
        again = io.StringIO()
        call_command("load_territory", stdout=again)
        assert "0 créations, 0 mises à jour" in again.getvalue()

    def test_aicr_s_facts_link_their_source(self, client):
        call_command("load_territory", stdout=io.StringIO())
        html = page(client, reverse("directory:detail", args=["aicr"]))
        assert "Association des industriels du Castelrenaudais" in html
        assert "25 entreprises en 2019" in html
        assert 'href="https://centre-val-de-loire.dreets.gouv.fr/' in html

    def test_demo_actions_carry_needs_and_consent_is_respected(self, client):
        call_command("load_demo", stdout=io.StringIO())
        demo = Action.objects.filter(is_demo=True)
        assert demo.filter(needs__slug="recruter").exists()
        html = page(client, reverse("actions:need", args=["recruter"]))
        assert "Donnée de démonstration" in html
        assert "Claire Martin" in html  # a fictitious referent who "agreed"
        assert "Julien Petit" not in html  # one who did not: the pilot's contact instead
        local = page(client, reverse("actions:need", args=["trouver-un-local-ou-un-terrain"]))
        assert "Bourse aux locaux industriels" in local
        for private in demo.filter(is_public=False):
            assert private.title not in local
