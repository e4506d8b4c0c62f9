"""Favourites and follows (USR-1): a user keeps a listing, a user follows a shop."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models.listings import Listing
from merchants.models import Merchant
from platform_core import clock


class Favourite(models.Model):
    """USR-1: a user keeps a listing among their favourites. Counted on the listing's detail page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="favourite_once")]

    def __str__(self) -> str:
        return gettext("User #%(user)s ♥ listing #%(listing)s") % {
            "user": self.user_id,
            "listing": self.listing_id,
        }


class Follow(models.Model):
    """USR-1: a user follows a shop. Counted as the shop's followers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["user", "merchant"], name="follow_once")]

    def __str__(self) -> str:
        return gettext("User #%(user)s follows shop #%(merchant)s") % {
            "user": self.user_id,
            "merchant": self.merchant_id,
        }
