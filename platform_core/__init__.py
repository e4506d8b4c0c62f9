"""The Django project and the shared kernel every chapter app uses."""

from platform_core.celery import app as celery_app

__all__ = ("celery_app",)
