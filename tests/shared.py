"""Rows built once and read by several tests: pytest's counterpart of TestCase.setUpTestData.

    @pytest.fixture(scope="class")
    def demo(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield load_demo()

Every test of the class sees the rows and rolls back its own changes (its transaction is a
savepoint inside the shared one); the rows are rolled back when the class is done. Only for tests
that are not transactional (a live server commits, and would see none of it).
"""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def shared_rows(django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
