"""The test clock's one row: how far the platform's clock is ahead of the real time (decision 026)."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: the primary key of the one row
CLOCK_ID = 1


class TestClock(models.Model):
    """The shared offset ``platform_core.clock.now()`` adds when the test clock is on. Only ever grows."""

    __test__ = False  # not a pytest test class, whatever its name

    offset_seconds = models.BigIntegerField(_("offset (seconds)"), default=0)

    class Meta:
        verbose_name = _("test clock")
        verbose_name_plural = _("test clock")
        permissions = [("advance_test_clock", "Can advance the sandbox test clock")]
        constraints = [
            models.CheckConstraint(condition=models.Q(offset_seconds__gte=0), name="test_clock_not_behind")
        ]

    def __str__(self) -> str:
        return gettext("+%(seconds)s s") % {"seconds": self.offset_seconds}
