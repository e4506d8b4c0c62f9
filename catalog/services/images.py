"""SEC-4, CAT-1: a shop's listing images, uploaded in the seller centre or through the merchant API.

The file is judged by its content, never by its name or declared type: Pillow must read it as JPEG, PNG
or WebP, within ``CATALOG_LISTING_IMAGE_MAX_BYTES`` and ``CATALOG_LISTING_IMAGE_MAX_SIDE`` pixels a side
(checked from the header, before any pixel is decoded, so a decompression bomb is refused unread). What is
stored is a re-encoding of the pixels (turned upright by its EXIF orientation first): EXIF data — GPS
position, camera serial numbers — and any other metadata never reach the platform's storage.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.models import ListingImage
from merchants.models import Merchant
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput

#: Pillow's format name -> (stored content type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": (ListingImage.ContentType.JPEG, "jpg"),
    "PNG": (ListingImage.ContentType.PNG, "png"),
    "WEBP": (ListingImage.ContentType.WEBP, "webp"),
}


@dataclass(frozen=True)
class CleanImage:
    """An accepted upload, re-encoded without metadata."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refuse(field: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def listing_image_clean(file: Any, *, field: str = "file") -> CleanImage:
    """SEC-4: ``file`` read as a JPEG, PNG or WebP image and re-encoded without EXIF; ``InvalidInput``
    naming ``field`` if it is empty, too large, another type, unreadable or too many pixels a side.
    Writes nothing (the dashboard form checks its files with it before saving anything)."""
    size = getattr(file, "size", None) or 0
    limit = settings.CATALOG_LISTING_IMAGE_MAX_BYTES
    if size > limit:
        raise _refuse(
            field,
            _("The image is too large: %(size)d bytes, at most %(limit)d.") % {"size": size, "limit": limit},
            "file_too_large",
        )
    if size == 0:
        raise _refuse(field, _("The file is empty."), "file_empty")
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format not in FORMATS:
                raise _refuse(
                    field,
                    _("Only JPEG, PNG and WebP images are accepted (judged by content, not by name)."),
                    "file_type_not_allowed",
                )
            side = settings.CATALOG_LISTING_IMAGE_MAX_SIDE
            if image.width > side or image.height > side:
                raise _refuse(
                    field,
                    _("The image is %(width)d×%(height)d pixels; at most %(side)d pixels a side.")
                    % {"width": image.width, "height": image.height, "side": side},
                    "image_too_big",
                )
            content_type, extension = FORMATS[image.format]
            upright = ImageOps.exif_transpose(image)  # loads the pixels; the header was within bounds
            if content_type == ListingImage.ContentType.JPEG and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            buffer = io.BytesIO()
            # No exif=, icc_profile= or pnginfo=: Pillow writes none of the original's metadata
            upright.save(buffer, format=image.format, quality=90)
            width, height = upright.size
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _refuse(
            field,
            _("Only JPEG, PNG and WebP images are accepted (judged by content, not by name)."),
            "file_type_not_allowed",
        ) from None
    finally:
        file.seek(0)
    return CleanImage(buffer.getvalue(), str(content_type), extension, width, height)


def listing_image_upload(*, merchant: Merchant, file: Any, actor: Any, field: str = "file") -> ListingImage:
    """SEC-4, CAT-1: keep an image for the shop's listings (checked and stripped by ``listing_image_clean``);
    a listing shows it once its ``images`` name ``image.url`` (a reviewed field: CAT-2, CAT-3). Audited."""
    clean = listing_image_clean(file, field=field)
    image = ListingImage(
        shop=merchant,
        content_type=clean.content_type,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(clean.data).hexdigest(),
        uploaded_by=actor,
    )
    with transaction.atomic():
        image.file.save(f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.data), save=False)
        image.save()
        audit_record(
            actor=actor,
            action="listing_image.uploaded",
            subject=image,
            after={
                "shop": merchant.pk,
                "content_type": image.content_type,
                "size": image.size,
                "width": image.width,
                "height": image.height,
                "sha256": image.sha256,
            },
        )
    return image
