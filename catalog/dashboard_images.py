"""The listing form's images in the seller centre (SEC-4, CAT-1, CAT-3): the listing's images in order,
each with its alt text, reordered (``ORDER``) or removed (``DELETE``) without JavaScript; new ones
uploaded (JPEG, PNG, WebP, checked by content before anything is saved, stored without EXIF when the listing
is saved). The listing's ``images`` keep their shape, ``[{"url", "alt"}]``: an uploaded image's URL is its
permission-checking route (``catalog.api.images.ListingImageApi``).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.services.images import listing_image_clean, listing_image_upload
from merchants.models import Merchant
from platform_core.accounts.acting import request_user
from platform_core.errors import InvalidInput


class ImageRowForm(forms.Form):
    """One image the listing shows: its URL (an uploaded image's route, or an address given through the
    API) stays hidden; the merchant describes it, moves it (``ORDER``) or removes it (``DELETE``)."""

    url = forms.CharField(widget=forms.HiddenInput, max_length=500)
    alt = forms.CharField(label=_("Image description (alt text)"), max_length=200, required=False)


ImageFormSet = forms.formset_factory(
    ImageRowForm, extra=0, can_order=True, can_delete=True, max_num=50, absolute_max=50
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one ``<input type=file multiple>``, each cleaned as Django's ``FileField``."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleImageField, self).clean(file, initial) for file in files if file]


class NewImagesForm(forms.Form):
    """SEC-4: images to add, checked by content before anything is saved (JPEG, PNG, WebP; size and
    pixel limits); they are stored, without EXIF, only when the listing is saved."""

    uploads = MultipleImageField(
        label=_("Add images"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(label=_("Description of the new images (alt text)"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploads"].help_text = _(
            "JPEG, PNG or WebP, at most %(mb)s MB and %(side)d pixels a side; location and camera data "
            "(EXIF) are removed. The first image is the main one. New or changed images are reviewed."
        ) % {
            "mb": f"{settings.CATALOG_LISTING_IMAGE_MAX_BYTES / 1024 / 1024:g}",
            "side": settings.CATALOG_LISTING_IMAGE_MAX_SIDE,
        }

    def clean_uploads(self) -> list[Any]:
        files: list[Any] = self.cleaned_data.get("uploads") or []
        problems = []
        for file in files:
            try:
                listing_image_clean(file, field="uploads")
            except InvalidInput as exc:
                problems.append(f"{file.name}: {exc.message}")
        if problems:
            raise forms.ValidationError(problems)
        return files


def image_forms(
    data: Any, files: Any, images: list[dict[str, Any]] | None = None
) -> tuple[Any, NewImagesForm]:
    """The image rows (bound to ``data`` on a POST) and the new-images form, for the listing's ``images``."""
    initial = [
        {"url": i.get("url", ""), "alt": i.get("alt", ""), "ORDER": n}
        for n, i in enumerate(images or [], start=1)
        if isinstance(i, dict)
    ]
    rows_data = data
    if data is not None and "images-TOTAL_FORMS" not in data:
        # a form posted without the image rows (a script, an older page) keeps the images as they are
        rows_data = {"images-TOTAL_FORMS": len(initial), "images-INITIAL_FORMS": len(initial)} | {
            f"images-{n}-{key}": value for n, row in enumerate(initial) for key, value in row.items()
        }
    rows = ImageFormSet(rows_data, initial=initial, prefix="images")
    return rows, NewImagesForm(data, files, prefix="newimg")


def is_image_error(exc: Exception) -> bool:
    return isinstance(exc, InvalidInput) and "uploads" in exc.errors


def images_save(
    request: HttpRequest, merchant: Merchant, rows: Any, new: NewImagesForm
) -> list[dict[str, str]]:
    """The listing's images in the merchant's order, then the new ones, uploaded now (SEC-4)."""
    kept = [
        {"url": f.cleaned_data["url"], "alt": f.cleaned_data.get("alt", "")}
        for f in rows.ordered_forms
        if f.cleaned_data.get("url")
    ]
    files = new.cleaned_data.get("uploads") or []
    limit = settings.CATALOG_LISTING_IMAGE_MAX_FILES
    if len(kept) + len(files) > limit:
        message = _("A listing shows at most %(limit)d images.") % {"limit": limit}
        raise InvalidInput(message, code="too_many_images", errors={"uploads": [message]})
    added = [
        listing_image_upload(merchant=merchant, file=file, actor=request_user(request), field="uploads")
        for file in files
    ]
    return kept + [{"url": image.url, "alt": new.cleaned_data.get("alt", "")} for image in added]


def posted_images(data: Any) -> list[Any]:
    """The images as the form has them (kept rows in the chosen order, then the new ones' alt text), or a
    saved version's ``images`` when the page opens: what the pre-screen reads (CAT-3)."""
    if isinstance(data.get("images"), list):
        return [i for i in data["images"] if isinstance(i, dict)]
    try:
        total = min(int(data.get("images-TOTAL_FORMS") or 0), 50)
    except ValueError:
        total = 0
    rows = []
    for n in range(total):
        prefix = f"images-{n}-"
        if data.get(prefix + "DELETE") or not data.get(prefix + "url"):
            continue
        order = str(data.get(prefix + "ORDER") or "").strip()
        position = int(order) if order.isdigit() else 10**6
        rows.append((position, n, {"url": data.get(prefix + "url"), "alt": data.get(prefix + "alt", "")}))
    images = [row for _position, _n, row in sorted(rows, key=lambda r: (r[0], r[1]))]
    if data.get("newimg-alt"):
        images.append({"url": "-", "alt": data.get("newimg-alt")})
    return images
