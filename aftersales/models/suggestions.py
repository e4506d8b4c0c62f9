"""MSG-3: suggestions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from platform_core import clock


class Suggestion(models.Model):
    """MSG-3: feedback and suggestions, recorded with tags and reported monthly to operations."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestions")
    text = models.TextField(_("text"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return gettext("Suggestion #%(id)s") % {"id": self.pk}
