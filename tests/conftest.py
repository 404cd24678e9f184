import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords():
    """A fast hasher for the whole run, data shared by several tests included (the `settings`
    fixture only lasts one test). The default PBKDF2 costs a quarter of a second per password."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def count_queries(client, settings):
    """Measure a GET through the test client: `count_queries(url, data)` -> tests.budget.Measured.

    The page cache is off for the measurement: a second GET of the same address must be rendered
    again, not served from a shared cache in 0 queries (see tests/budget.py).
    """
    from tests.budget import measure

    settings.PUBLIC_PAGE_CACHE = False

    def count(url, data=None, **kwargs):
        return measure(client, url, data, **kwargs)

    return count
