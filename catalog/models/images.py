"""SEC-4, CAT-1: a shop's stored listing image.

An image is uploaded once (dashboard or merchant API), checked by content (JPEG, PNG or WebP, read by
Pillow), re-encoded without its EXIF data and kept in the default storage under a name of our own. A
listing's ``images`` JSON names it by its URL (``/api/v1/listing-images/<id>/``, with its alt text), so the
review, the API and the pre-screen read images as they always did. The file is served only by
``catalog.api.images.ListingImageApi``: to anyone while a listing on sale shows it, to the shop's members,
and to listing reviewers while it is under review (``catalog.selectors.listing_image_get_for_viewer``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from platform_core import clock


class ListingImage(models.Model):
    class ContentType(models.TextChoices):
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        WEBP = "image/webp", "WebP"

    shop = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="listing_images")
    file = models.FileField(_("file"), upload_to="catalog/listing-images/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=20, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["shop_id", "pk"]
        verbose_name = _("listing image")
        verbose_name_plural = _("listing images")

    def __str__(self) -> str:
        return gettext("Listing image #%(id)s of shop #%(shop)s") % {"id": self.pk, "shop": self.shop_id}

    @property
    def url(self) -> str:
        """What a listing's ``images`` JSON keeps for this image (the permission-checking route)."""
        return reverse("listing-image", kwargs={"image_id": self.pk})
