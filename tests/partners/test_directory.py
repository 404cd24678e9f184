import factory
import pytest
from django.core.management import call_command
from django.urls import reverse

from partners.models import Organisation
from tests.actions.factories import ActionFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory

pytestmark = pytest.mark.django_db

Kind = Organisation.Kind


class TestDirectoryList:
    def test_grouped_by_kind_in_the_kinds_order(self, client):
        OrganisationFactory(name="Bpifrance", kind=Kind.PUBLIC_OPERATOR)
        OrganisationFactory(name="GEIDA", acronym="GEIDA", kind=Kind.BUSINESS_ASSOCIATION)
        OrganisationFactory(
            name="Association des industriels du Castelrenaudais",
            acronym="AICR",
            kind=Kind.BUSINESS_ASSOCIATION,
        )
        response = client.get(reverse("directory:list"))
        assert response.status_code == 200
        html = response.content.decode()
        associations = html.index(
            '<h2 id="business_association">Association d&#x27;entreprises</h2>'
        )
        operators = html.index('<h2 id="public_operator">Opérateur public</h2>')
        assert associations < html.index("AICR — Association des industriels") < operators
        assert associations < html.index("GEIDA") < operators < html.index("Bpifrance")
        assert "Entreprise</h2>" not in html  # no empty group

    def test_counts_public_piloted_actions_only(self, client):
        pilot = OrganisationFactory(name="Région Centre-Val de Loire", kind=Kind.REGION)
        ActionFactory.create_batch(2, pilot=pilot)
        ActionFactory(pilot=pilot, is_public=False)
        html = client.get(reverse("directory:list")).content.decode()
        assert "Pilote 2 actions" in html

    def test_reference_partners(self, client):
        call_command("load_territory", verbosity=0)
        html = client.get(reverse("directory:list")).content.decode()
        for name in ("CC du Castelrenaudais", "ERET", "Bpifrance", "France Travail"):
            assert name in html
        assert len(html.encode()) < 150_000

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        pilots = OrganisationFactory.create_batch(10)
        visit_as(client, visitor, pilots[0])
        axis = AxisFactory()
        bulk_actions(1, axis=axis, pilot=pilots[0])
        few = count_queries(reverse("directory:list"))
        bulk_actions(199, axis=axis, pilot=factory.Iterator(pilots[1:] + pilots[:1]))
        many = count_queries(reverse("directory:list"))
        assert_no_n_plus_one(few, many)
        assert many.text.count("Pilote 20 actions") == 10


class TestDirectoryDetail:
    def test_actions_it_pilots_and_joins_public_only(self, client):
        organisation = OrganisationFactory(
            name="Association des industriels du Castelrenaudais",
            acronym="AICR",
            kind=Kind.BUSINESS_ASSOCIATION,
            description="Les industriels du Castelrenaudais.",
            website="https://aicr.example.org",
        )
        ActionFactory(pilot=organisation, title="Groupement d'employeurs")
        ActionFactory(pilot=organisation, title="Dossier interne", is_public=False)
        ActionFactory(title="Campus des métiers", partners=[organisation])
        ActionFactory(title="Partenariat confidentiel", partners=[organisation], is_public=False)
        ActionFactory(title="Action sans eux")
        response = client.get(organisation.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Association des industriels du Castelrenaudais</h1>" in html
        assert "AICR" in html
        assert 'href="https://aicr.example.org"' in html
        assert "Les industriels du Castelrenaudais." in html
        piloted, joined = html.split("Actions auxquelles elle participe")
        assert "Groupement d&#x27;employeurs" in piloted
        assert "Campus des métiers" in joined
        for hidden in ("Dossier interne", "Partenariat confidentiel", "Action sans eux"):
            assert hidden not in html

    def test_intercommunality_links_to_its_map(self, client):
        ic = IntercommunalityFactory(name="CC du Val d'Amboise")
        html = client.get(ic.organisation.get_absolute_url()).content.decode()
        assert ic.get_absolute_url() in html

    def test_unknown_organisation_is_404(self, client):
        assert client.get(reverse("directory:detail", args=["inconnue"])).status_code == 404

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        organisation = OrganisationFactory()
        visit_as(client, visitor, organisation)
        axis = AxisFactory()
        pilot = OrganisationFactory()

        def add_actions(count):
            bulk_actions(count, axis=axis, pilot=organisation)
            bulk_actions(count, axis=axis, pilot=pilot, partners=[organisation])

        add_actions(1)
        few = count_queries(organisation.get_absolute_url())
        assert few.text.count('class="card action-card"') == 2
        add_actions(199)
        many = count_queries(organisation.get_absolute_url())
        assert_no_n_plus_one(few, many)
        assert many.text.count('class="card action-card"') == 2 * 200


class TestPartnerContactAndNeeds:
    """Issue 15, item 2: a complete partner page (public contact, the needs it helps with)."""

    def test_detail_shows_public_contact_and_needs(self, client):
        from tests.test_firms import NeedFactory

        recruter = NeedFactory(name="Recruter", slug="recruter")
        organisation = OrganisationFactory(
            name="Maison de l'emploi de test",
            acronym="MET",
            kind=Kind.EMPLOYMENT_TRAINING,
            description="Accompagne les **recrutements** ([source](https://source.example/)).",
            website="https://met.example",
            public_email="contact@met.example",
            phone="01 99 00 00 02",
            contact_url="https://met.example/contact",
        )
        organisation.needs.add(recruter)
        html = client.get(organisation.get_absolute_url()).content.decode()
        assert "<h1>Maison de l&#x27;emploi de test</h1>" in html
        assert "<dt>Sigle</dt><dd>MET</dd>" in html
        assert "<dt>Type</dt><dd>Emploi et formation</dd>" in html
        assert "<strong>recrutements</strong>" in html  # Markdown, with its source linked
        assert 'href="https://source.example/"' in html
        assert 'href="mailto:contact@met.example"' in html
        assert 'href="tel:0199000002"' in html
        assert 'href="https://met.example/contact"' in html
        assert f'href="{recruter.get_absolute_url()}">Recruter</a>' in html

    def test_detail_without_contact_or_needs_says_so(self, client):
        organisation = OrganisationFactory(name="GEIDA", acronym="GEIDA")
        html = client.get(organisation.get_absolute_url()).content.decode()
        assert "Ses coordonnées publiques ne sont pas encore renseignées." in html
        assert "Aucun besoin des entreprises n'est encore indiqué pour GEIDA." in html
        assert "<dt>Sigle</dt>" not in html  # the acronym is the name: not repeated

    def test_list_names_the_needs_each_partner_helps_with(self, client):
        from tests.test_firms import NeedFactory

        organisation = OrganisationFactory(name="France Travail")
        organisation.needs.add(NeedFactory(name="Recruter"), NeedFactory(name="Former"))
        html = client.get(reverse("directory:list")).content.decode()
        assert "Aide à&nbsp;: recruter, former" in html or "Aide à&nbsp;: former, recruter" in html

    def test_list_and_detail_queries_do_not_grow_with_needs(self, client, count_queries):
        from tests.test_firms import NeedFactory

        needs = NeedFactory.create_batch(6)
        organisations = OrganisationFactory.create_batch(3)
        few = count_queries(reverse("directory:list"))
        few_detail = count_queries(organisations[0].get_absolute_url())
        for organisation in OrganisationFactory.create_batch(30) + organisations:
            organisation.needs.add(*needs)
        many = count_queries(reverse("directory:list"))
        many_detail = count_queries(organisations[0].get_absolute_url())
        assert_no_n_plus_one(few, many)
        assert_no_n_plus_one(few_detail, many_detail)
