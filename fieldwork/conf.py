"""Field-work defaults. Every number a rule names is read from settings when set there (rules.md: defaults
live in settings or policy rows, never as literals in code); these are the defaults."""

from datetime import timedelta

from django.conf import settings


def schedule_within() -> timedelta:
    """ORD-9: a paid service order is scheduled within 48 hours, else it escalates to the operations head."""
    return getattr(settings, "FIELDWORK_SCHEDULE_WITHIN", timedelta(hours=48))
