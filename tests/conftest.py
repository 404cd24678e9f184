import itertools
import os

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _tests_settings(tmp_path_factory):
    """For the whole run, data shared by several tests included (the `settings` fixture only
    lasts one test): a fast hasher (the default PBKDF2 costs a quarter of a second per
    password), mail kept in memory, uploads in a temporary folder."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    ):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """TEST_DB_SUFFIX=x: test databases of their own (test_<name>_x) for a pytest process run
    beside another one on the same server (two developers, or CI beside a developer's run);
    pytest-xdist's workers already get theirs (gw0, gw1…). SQLite's, in memory, need none."""
    suffix = os.environ.get("TEST_DB_SUFFIX")
    if not suffix:
        return
    from django.conf import settings

    for database in settings.DATABASES.values():
        test = database.setdefault("TEST", {})
        if database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
            continue
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{suffix}"


_media_folders = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_folder_per_test():
    """Each test's uploads in a folder of its own, created when a first file is saved (cheaper
    than tmp_path, which lists the run's folders to number a new one)."""
    from django.conf import settings

    with override_settings(MEDIA_ROOT=settings.MEDIA_ROOT / str(next(_media_folders))):
        yield


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
