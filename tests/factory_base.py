"""The base of the test factories: rows a test builds as its starting point get no history.

In production every save writes a history record (django-simple-history), the many-to-many
ones included; a test's starting rows need none, and writing them was a fifth of the suite's
time. The saves a test makes afterwards, through the portal or the ORM, are recorded as usual.
A test that needs the creation record asks for it: `ActionFactory(with_history=True)`.
"""

import factory


class ModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, with_history=False, **kwargs):
        if with_history or cls._meta.django_get_or_create:
            return super()._create(model_class, *args, **kwargs)
        instance = model_class(*args, **kwargs)
        instance.skip_history_when_saving = True
        instance.save(force_insert=True, using=cls._meta.database)
        return instance

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        # The many-to-many rows of post_generation are added by now, unrecorded as well.
        instance.__dict__.pop("skip_history_when_saving", None)
