"""The business calendar's exceptions to the weekday rule: PRC public holidays and make-up working days."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A date that breaks the Monday-to-Friday rule.

    ``holiday``: a weekday off (国庆节 on a Thursday). ``workday``: a weekend day worked to make up for
    a holiday (调休). Dates that follow the weekday rule need no row. Operations staff maintain the rows
    in the admin once the State Council publishes the next year's arrangement.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("business calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return gettext("%(date)s %(name)s (%(kind)s)") % {
            "date": self.date.isoformat(),
            "name": self.name,
            "kind": self.get_kind_display(),
        }
