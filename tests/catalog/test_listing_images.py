"""SEC-4, CAT-1, CAT-2: listing images — uploaded through the merchant API (judged by content with
Pillow, size and pixel limits, EXIF removed) and served only to those who may see them."""

import io
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Category, Listing, ListingImage, ListingVersion
from catalog.services.images import listing_image_upload
from catalog.services.listings import listing_submit, listing_update
from catalog.services.review import listing_approve
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.catalog import approved_listing, draft_listing, merchant_for, reviewer

pytestmark = pytest.mark.django_db

UPLOAD = "/api/v1/merchant/listing-images/"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0131] = "GPS-at-home"  # Software
        image.save(buffer, format=fmt, exif=data.tobytes())
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_sec_4_merchant_uploads_a_png_and_gets_its_url(merchant: Merchant) -> None:
    response = client_for(merchant.owner).post(
        UPLOAD, {"file": upload("cup.png", image_bytes())}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    image = ListingImage.objects.get(pk=body["id"])
    assert body["url"] == f"/api/v1/listing-images/{image.pk}/" == image.url
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 40, 30)
    assert image.shop == merchant and image.uploaded_by == merchant.owner
    assert AuditEntry.objects.filter(action="listing_image.uploaded", subject_id=str(image.pk)).exists()


def test_sec_4_a_text_file_renamed_png_is_a_400_naming_the_field(merchant: Merchant) -> None:
    response = client_for(merchant.owner).post(
        UPLOAD, {"file": upload("cup.png", b"just some text, not an image\n" * 10)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert "file" in response.json()["errors"]
    assert not ListingImage.objects.exists()


def test_sec_4_a_pdf_or_gif_is_refused_though_it_is_a_real_file(merchant: Merchant) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    response = client_for(merchant.owner).post(
        UPLOAD, {"file": upload("a.png", gif.getvalue())}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"]


def test_sec_4_too_large_is_a_400_naming_the_field(merchant: Merchant, settings) -> None:
    content = image_bytes()
    settings.CATALOG_LISTING_IMAGE_MAX_BYTES = len(content) - 1
    response = client_for(merchant.owner).post(
        UPLOAD, {"file": upload("cup.png", content)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "file_too_large"
    assert "file" in response.json()["errors"]


def test_sec_4_too_many_pixels_a_side_is_a_400(merchant: Merchant, settings) -> None:
    settings.CATALOG_LISTING_IMAGE_MAX_SIDE = 39
    response = client_for(merchant.owner).post(
        UPLOAD, {"file": upload("cup.png", image_bytes(size=(40, 30)))}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_big"


def test_sec_4_exif_is_stripped_before_storage(merchant: Merchant) -> None:
    original = image_bytes("JPEG", exif=True)
    assert b"SecretCam" in original
    image = listing_image_upload(
        merchant=merchant, file=upload("p.jpg", original, "image/jpeg"), actor=merchant.owner
    )
    stored = image.file.open("rb").read()
    assert b"SecretCam" not in stored and b"GPS-at-home" not in stored
    with Image.open(io.BytesIO(stored)) as reopened:
        assert reopened.format == "JPEG" and not reopened.getexif()


def test_sec_4_only_editors_upload(merchant: Merchant) -> None:
    customer = CustomerFactory()
    response = client_for(customer).post(UPLOAD, {"file": upload("a.png", image_bytes())}, format="multipart")
    assert response.status_code == 403


# --- the image route (SEC-4, CAT-2: who sees what) ---------------------------------------------------------


def _image_of(merchant: Merchant) -> ListingImage:
    return listing_image_upload(merchant=merchant, file=upload("a.png", image_bytes()), actor=merchant.owner)


def _get(user: User | None, image: ListingImage) -> int:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(image.url).status_code


def test_sec_4_another_shops_draft_image_is_a_404(merchant: Merchant, category: Category) -> None:
    image = _image_of(merchant)
    draft_listing(merchant=merchant, images=[{"url": image.url, "alt": "正面"}])
    other = merchant_for(category)
    assert _get(other.owner, image) == 404
    assert _get(CustomerFactory(), image) == 404
    assert _get(None, image) == 404
    assert _get(merchant.owner, image) == 200  # the shop sees its own draft's image


def test_sec_4_cat_2_image_is_public_once_its_listing_is_on_sale(merchant: Merchant) -> None:
    image = _image_of(merchant)
    listing = draft_listing(merchant=merchant, images=[{"url": image.url, "alt": "正面"}])
    listing_submit(listing=listing, actor=merchant.owner)
    assert _get(None, image) == 404  # under review: not yet public
    assert _get(StaffFactory(role="staff_marketing"), image) == 404  # staff without the review permission
    staff = reviewer()
    assert _get(staff, image) == 200  # the reviewer sees what they review
    listing_approve(listing=listing, actor=staff)
    client = APIClient()
    response = client.get(image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(cast(FileResponse, response).streaming_content).startswith(b"\x89PNG")


def test_cat_3_a_new_image_sends_an_approved_listing_back_to_review(merchant: Merchant) -> None:
    listing = approved_listing(merchant=merchant)
    image = _image_of(merchant)
    listing_update(
        listing=listing,
        actor=merchant.owner,
        images=[{"url": image.url, "alt": "新图"}],
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    assert listing.candidate_version is not None
    assert listing.candidate_version.status == ListingVersion.Status.PENDING
    assert "images" in listing.candidate_version.changed_fields
    assert _get(None, image) == 404  # the live text does not show it yet
