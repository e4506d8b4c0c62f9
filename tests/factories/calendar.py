import datetime

import factory

from platform_core.calendar.models import Holiday


class HolidayFactory(factory.django.DjangoModelFactory[Holiday]):
    """A weekday off by default; ``HolidayFactory(date=..., kind=Holiday.Kind.WORKDAY)`` for 调休."""

    class Meta:
        model = Holiday

    date = factory.Sequence(lambda n: datetime.date(2030, 1, 7) + datetime.timedelta(days=n))
    kind = Holiday.Kind.HOLIDAY
    name = factory.Sequence(lambda n: f"Company day {n}")
