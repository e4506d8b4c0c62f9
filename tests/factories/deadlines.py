from datetime import timedelta

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, Deadline


class CanaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Canary

    label = factory.Sequence(lambda n: f"canary-{n}")


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A row written directly (seeding SLA figures, bulk fault tests); real code uses ``deadline_start``.

    ``DeadlineFactory(subject=order)`` points it at any saved row; by default a new ``Canary``.
    """

    class Meta:
        model = Deadline
        exclude = ("subject",)

    rule = CANARY_RULE
    subject = factory.SubFactory(CanaryFactory)
    subject_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.subject))
    subject_id = factory.LazyAttribute(lambda o: str(o.subject.pk))
    started_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(hours=1))
