import pytest
from django.db import IntegrityError

from partners.models import User

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_normalised():
    user = User.objects.create_user("Camille@Example.ORG", "un-mot-de-passe-solide")
    assert user.email == "camille@example.org"
    assert user.check_password("un-mot-de-passe-solide")
    assert User.USERNAME_FIELD == "email"


def test_email_is_required():
    with pytest.raises(ValueError, match="L'adresse e-mail est obligatoire."):
        User.objects.create_user("", "x")


def test_one_membership_per_user_and_organisation():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(user=membership.user, organisation=membership.organisation)
